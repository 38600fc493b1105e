/**
 * Entry of one `threads` worker: open the pipeline, say ready, block on the
 * shared barrier cell, then run until the duration has passed. The receive
 * delay waits on the shared stop cell, so the subject can end every worker
 * at once.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { failureOf } from '../../../core/subject/protocol.ts';
import { BlockingPipeline, runBlockingPipelineFor } from './stages.ts';
import { CONTROL_GO, CONTROL_STOP, type PipelineWorkerMessage, type ThreadWorkerData } from './messages.ts';
import { enableCompileCache } from '../../../core/compile-cache.ts';

// Compile cache for what loads from here on and for this process's children (src/core/compile-cache.ts).
enableCompileCache();

const data = workerData as ThreadWorkerData;
const control = new Int32Array(data.control);

function post(message: PipelineWorkerMessage): void {
  parentPort?.postMessage(message);
}

let pipeline: BlockingPipeline | undefined;
try {
  pipeline = new BlockingPipeline({ ...data, stop: { cells: control, index: CONTROL_STOP } });
  post({ t: 'ready', index: data.index, pid: process.pid, threadId });
  Atomics.wait(control, CONTROL_GO, 0);
  if (Atomics.load(control, CONTROL_STOP) === 0) {
    post({ t: 'done', tally: runBlockingPipelineFor(pipeline, data.durationS) });
  }
} catch (error) {
  post(failureOf(error, { index: data.index }));
} finally {
  pipeline?.close();
}
