/**
 * `threads`: one worker_thread per pipeline, each with blocking stages (the
 * seed's threaded version). Workers gather at a barrier made of a
 * SharedArrayBuffer cell: the clock starts when every worker has opened its
 * file, and one Atomics.notify releases them all.
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { pipelineSpecs, type MethodContext, type MethodRun } from './context.ts';
import {
  CONTROL_CELLS,
  CONTROL_GO,
  CONTROL_STOP,
  isPipelineWorkerMessage,
  type PipelineWorkerMessage,
  type ThreadWorkerData,
} from './messages.ts';
import type { PipelineTally } from '../options.ts';

const entry = fileURLToPath(new URL('./thread-entry.ts', import.meta.url));

export async function runThreads(context: MethodContext): Promise<MethodRun> {
  if (typeof Worker !== 'function') throw new Error('node:worker_threads has no Worker');
  const controlBuffer = new SharedArrayBuffer(CONTROL_CELLS * 4);
  const control = new Int32Array(controlBuffer);
  const specs = pipelineSpecs(context);
  const workers: Worker[] = [];
  const threadIds: number[] = [];
  const tallies: PipelineTally[] = [];
  let t0 = 0;
  let remainingReady = specs.length;
  let remainingDone = specs.length;

  const finished = new Promise<number>((resolve, reject) => {
    const fail = (message: string): void => {
      // Wake everyone still at the barrier or in a receive delay, so nothing keeps running.
      Atomics.store(control, CONTROL_STOP, 1);
      Atomics.store(control, CONTROL_GO, 1);
      Atomics.notify(control, CONTROL_STOP);
      Atomics.notify(control, CONTROL_GO);
      reject(new Error(message));
    };
    const onMessage = (message: PipelineWorkerMessage): void => {
      if (message.t === 'error') return fail(`pipeline ${message.index}: ${message.reason}`);
      if (message.t === 'ready') {
        threadIds.push(message.threadId);
        if (--remainingReady === 0) {
          t0 = performance.now();
          Atomics.store(control, CONTROL_GO, 1);
          Atomics.notify(control, CONTROL_GO);
          context.onClockStart();
        }
        return;
      }
      tallies.push(message.tally);
      if (--remainingDone === 0) resolve(performance.now());
    };
    for (const spec of specs) {
      const workerData: ThreadWorkerData = { ...spec, control: controlBuffer };
      const worker = new Worker(entry, { workerData });
      workers.push(worker);
      worker.on('message', (message: unknown) => {
        if (isPipelineWorkerMessage(message)) onMessage(message);
      });
      worker.on('error', (error: Error) => fail(`pipeline ${spec.index} thread: ${error.message}`));
      worker.on('exit', (code) => {
        if (!tallies.some((tally) => tally.index === spec.index)) {
          fail(`pipeline ${spec.index} thread exited (code ${code}) before reporting`);
        }
      });
    }
  });

  try {
    const endedAt = await finished;
    return {
      elapsedS: (endedAt - t0) / 1000,
      pipelines: tallies.sort((a, b) => a.index - b.index),
      pids: [process.pid],
      threadIds: threadIds.sort((a, b) => a - b),
    };
  } finally {
    Atomics.store(control, CONTROL_STOP, 1);
    Atomics.notify(control, CONTROL_STOP);
    Atomics.notify(control, CONTROL_GO);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
