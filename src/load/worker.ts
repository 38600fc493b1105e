/**
 * Entry point of one generator thread: builds the engine from its plan
 * (workerData), says ready, starts at the shared instant main sends, and
 * posts per-second reports and its final summary. No printing, no exit:
 * the main thread owns the lifecycle.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { failureOf } from '../core/subject/protocol.ts';
import { Engine } from './engine.ts';
import type { FromThread, ThreadPlan, ToThread } from './messages.ts';
import { enableCompileCache } from '../core/compile-cache.ts';

// Compile cache for what loads from here on and for this process's children (src/core/compile-cache.ts).
enableCompileCache();

const port = parentPort;
if (port === null) throw new Error('src/load/worker.ts must run as a worker thread');
const plan = workerData as ThreadPlan;
const post = (message: FromThread): void => port.postMessage(message);

try {
  const engine = new Engine(plan, {
    second: (report) => post(report),
    // Main terminates the thread once it has the summary; the engine has already closed every socket and timer.
    done: (summary) => post({ t: 'done', summary }),
  });
  port.on('message', (message: ToThread) => {
    if (message.t === 'start') engine.start(message.startAtEpochMs);
    else engine.stop();
  });
  post({ t: 'ready', threadIndex: plan.threadIndex });
} catch (error) {
  post(failureOf(error, { threadIndex: plan.threadIndex }));
}
