/**
 * A thread of the CPU pool used by `offload` and `prefork`: runs one task per
 * message and answers with the same id. Errors are answered, never thrown.
 */
import { parentPort } from 'node:worker_threads';
import { sha256Chain, spin } from './compute.ts';
import type { PoolTask, PoolAnswer } from './thread-pool.ts';

parentPort?.on('message', (task: PoolTask) => {
  let answer: PoolAnswer;
  try {
    const value = task.kind === 'sha256' ? sha256Chain(task.seed, task.iters) : String(spin(task.iters));
    answer = { id: task.id, ok: true, value };
  } catch (error) {
    answer = { id: task.id, ok: false, value: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(answer);
});
