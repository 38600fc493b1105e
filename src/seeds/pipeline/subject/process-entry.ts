/**
 * Entry of one `processes` child: open the pipeline, say `ready`, wait for
 * `go` on stdin (the barrier), run until the duration has passed, say
 * `done`. argv[2] is the pipeline's spec as JSON. If stdin closes before
 * `go` (the subject went away), exit without running.
 */
import { encodeLine, failureOf, readMessages } from '../../../core/subject/protocol.ts';
import { BlockingPipeline, runBlockingPipelineFor } from './stages.ts';
import { isToPipelineWorker, type PipelineWorkerMessage } from './messages.ts';
import type { PipelineSpec } from './context.ts';
import { enableCompileCache } from '../../../core/compile-cache.ts';

// Compile cache for what loads from here on and for this process's children (src/core/compile-cache.ts).
enableCompileCache();

function send(message: PipelineWorkerMessage): void {
  process.stdout.write(encodeLine(message));
}

const specText = process.argv[2];
if (specText === undefined) {
  process.stderr.write('process-entry: missing pipeline spec argument\n');
  process.exit(2);
}
const spec = JSON.parse(specText) as PipelineSpec;

let pipeline: BlockingPipeline | undefined;
try {
  pipeline = new BlockingPipeline(spec);
} catch (error) {
  send(failureOf(error, { index: spec.index }));
  process.exit(1);
}
const opened = pipeline;

let started = false;
readMessages(process.stdin, isToPipelineWorker, () => {
  if (started) return;
  started = true;
  try {
    send({ t: 'done', tally: runBlockingPipelineFor(opened, spec.durationS) });
  } catch (error) {
    send(failureOf(error, { index: spec.index }));
    process.exitCode = 1;
  } finally {
    opened.close();
    process.stdin.destroy();
  }
});
process.stdin.on('end', () => {
  if (!started) {
    opened.close();
    process.exitCode = 3;
  }
});
send({ t: 'ready', index: spec.index, pid: process.pid, threadId: 0 });
