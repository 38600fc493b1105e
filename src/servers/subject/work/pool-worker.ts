/**
 * A thread of the CPU pool used by `offload` and `prefork`: runs one task per
 * message and answers with the same id. Errors are answered, never thrown.
 */
import { parentPort } from 'node:worker_threads';
import { sha256Chain, spin } from './compute.ts';
import type { PoolTask, PoolAnswer } from './thread-pool.ts';
import { enableCompileCache } from '../../../core/compile-cache.ts';

// Compile cache for what loads from here on and for this process's children (src/core/compile-cache.ts).
enableCompileCache();

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
