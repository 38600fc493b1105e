/**
 * Entry of one `processes` child: open the pipeline, print `ready`, wait for
 * `go` on stdin (the barrier), run until the duration has passed, print
 * `done`. argv[2] is the pipeline's spec as JSON. If stdin closes before
 * `go` (the subject went away), exit without running.
 */
import { BlockingPipeline, runBlockingPipelineFor } from './stages.ts';
import type { PipelineWorkerMessage } from './messages.ts';
import type { PipelineSpec } from './context.ts';
import { enableCompileCache } from '../../../core/compile-cache.ts';

// Compile cache for what loads from here on and for this process's children (src/core/compile-cache.ts).
enableCompileCache();

function send(message: PipelineWorkerMessage): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
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
  send({ type: 'error', index: spec.index, message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
const opened = pipeline;

let input = '';
let started = false;
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  input += chunk;
  if (started || !input.includes('go\n')) return;
  started = true;
  try {
    send({ type: 'done', tally: runBlockingPipelineFor(opened, spec.durationS) });
  } catch (error) {
    send({
      type: 'error',
      index: spec.index,
      message: error instanceof Error ? error.message : String(error),
    });
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
send({ type: 'ready', index: spec.index, pid: process.pid, threadId: 0 });
