/** Entry of a pool worker thread: the shared worker core over parentPort. */
import { parentPort } from 'node:worker_threads';
import { isMessageList } from '../../core/subject/protocol.ts';
import type { ToWorker } from './messages.ts';
import { createReplyQueue, createWorkerCore } from './worker-core.ts';
import { enableCompileCache } from '../../core/compile-cache.ts';

// Compile cache for what loads from here on and for this process's children (src/core/compile-cache.ts).
enableCompileCache();

const port = parentPort;
if (!port) throw new Error('thread-worker.ts must run as a worker thread');
const replies = createReplyQueue((batch) => port.postMessage(JSON.stringify(batch)));
// The pool terminates threads itself (see ThreadTransport.close); nothing to do on stop.
const handle = createWorkerCore({ ...replies, exit: () => undefined });
port.on('message', (text: unknown) => {
  // Batches arrive as JSON text (see ThreadTransport).
  const batch: unknown = typeof text === 'string' ? JSON.parse(text) : undefined;
  if (isMessageList(batch)) handle(batch as ToWorker[]);
});
