/**
 * Entry of a pool worker process: the shared worker core over stdin/stdout,
 * one JSON batch per line. Plain pipes rather than node's IPC channel,
 * because Bun and Deno only speak IPC to their own kind; pipes work on all.
 */
import { encodeLine, isMessageList, readLines } from '../../core/subject/protocol.ts';
import type { ToWorker } from './messages.ts';
import { createReplyQueue, createWorkerCore } from './worker-core.ts';
import { enableCompileCache } from '../../core/compile-cache.ts';

// Compile cache for what loads from here on and for this process's children (src/core/compile-cache.ts).
enableCompileCache();

const replies = createReplyQueue((batch) => {
  process.stdout.write(encodeLine(batch));
});
const handle = createWorkerCore({ ...replies, exit: () => process.exit(0) });
readLines(process.stdin, (line) => {
  let batch: unknown;
  try {
    batch = JSON.parse(line);
  } catch {
    process.stderr.write(`process worker: malformed message line ignored\n`);
    return;
  }
  if (isMessageList(batch)) handle(batch as ToWorker[]);
});
// The pool closed our stdin, or the subject died: nobody will ever send work again.
process.stdin.on('end', () => process.exit(0));
