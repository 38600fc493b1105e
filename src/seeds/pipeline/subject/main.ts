/**
 * The pipeline subject: a fresh process of the runtime under test, started
 * by the driver (src/seeds/pipeline/driver.ts) with one JSON argument
 * `{options, dir}`. It measures the compute stage alone, runs the method,
 * and prints one `PipelineSubjectMessage` JSON line on stdout. It never
 * removes files: the driver owns the directory and removes it even when this
 * process is killed.
 */
import { currentRuntimeLabel } from '../../../core/runtime-info.ts';
import type { PipelineMeasurement, PipelineOptions } from '../options.ts';
import { pipelineMethodRunners } from './methods.ts';
import { measureComputeMiBps } from './stages.ts';
import { enableCompileCache } from '../../../core/compile-cache.ts';

// Compile cache for what loads from here on and for this process's children (src/core/compile-cache.ts).
enableCompileCache();

export type PipelineSubjectMessage =
  | { type: 'clock-start' }
  | { type: 'result'; measurement: PipelineMeasurement }
  | { type: 'error'; message: string; unsupported: boolean };

function send(message: PipelineSubjectMessage): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** Capabilities the methods rely on, checked up front so a gap reads "unsupported", not a crash. */
function missingCapability(method: PipelineOptions['method']): string | null {
  if (typeof SharedArrayBuffer !== 'function') return 'no SharedArrayBuffer';
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
  } catch {
    return 'Atomics.wait is not allowed on the main thread';
  }
  if (method === 'threads' && typeof globalThis.structuredClone !== 'function') return 'no structuredClone';
  return null;
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as { options: PipelineOptions; dir: string };
  const { options, dir } = request;
  const missing = missingCapability(options.method);
  if (missing !== null) {
    send({
      type: 'error',
      unsupported: true,
      message: `unsupported on ${currentRuntimeLabel()} (${missing})`,
    });
    return;
  }
  // Ending stdin means the driver is gone: stop rather than run on unobserved.
  process.stdin.on('end', () => process.exit(3));
  process.stdin.resume();
  const seqComputeMiBps = measureComputeMiBps(options.bufferKiB * 1024);
  const run = await pipelineMethodRunners[options.method]({
    options,
    dir,
    onClockStart: () => send({ type: 'clock-start' }),
  });
  send({
    type: 'result',
    measurement: {
      runtime: currentRuntimeLabel(),
      elapsedS: run.elapsedS,
      bytesWritten: run.pipelines.reduce((sum, tally) => sum + tally.bytesWritten, 0),
      seqComputeMiBps,
      pipelines: run.pipelines,
      pids: run.pids,
      threadIds: run.threadIds,
    },
  });
  process.stdin.pause();
  process.stdin.removeAllListeners('end');
  process.stdin.destroy();
}

main().catch((error: unknown) => {
  send({
    type: 'error',
    unsupported: false,
    message: error instanceof Error ? error.message : String(error),
  });
  process.exitCode = 1;
});
