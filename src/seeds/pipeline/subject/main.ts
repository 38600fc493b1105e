/**
 * The pipeline subject: a fresh process of the runtime under test, started
 * by the driver (src/seeds/pipeline/driver.ts) with one JSON argument
 * `{options, dir}`. It measures the compute stage alone, runs the method,
 * and says so in the messages of ../protocol.ts on stdout. It never
 * removes files: the driver owns the directory and removes it even when this
 * process is killed.
 */
import { currentRuntimeLabel } from '../../../core/runtime-info.ts';
import { linkToDriver } from '../../../core/subject/driver-link.ts';
import { failureOf, unsupportedOn, type Message } from '../../../core/subject/protocol.ts';
import type { PipelineOptions } from '../options.ts';
import type { FromPipelineSubject } from '../protocol.ts';
import { pipelineMethodRunners } from './methods.ts';
import { measureComputeMiBps } from './stages.ts';
import { enableCompileCache } from '../../../core/compile-cache.ts';

// Compile cache for what loads from here on and for this process's children (src/core/compile-cache.ts).
enableCompileCache();

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

// The driver sends nothing; its going away (stdin closed, re-parented) means stop rather than run on unobserved.
const driver = linkToDriver<Message<never>, FromPipelineSubject>({
  accepts: (_value: unknown): _value is Message<never> => false,
  onMessage: () => undefined,
  onDriverGone: () => process.exit(3),
});

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as { options: PipelineOptions; dir: string };
  const { options, dir } = request;
  const missing = missingCapability(options.method);
  if (missing !== null) {
    driver.send({ t: 'error', unsupported: true, reason: unsupportedOn(currentRuntimeLabel(), missing) });
    driver.close();
    return;
  }
  const seqComputeMiBps = measureComputeMiBps(options.bufferKiB * 1024);
  const run = await pipelineMethodRunners[options.method]({
    options,
    dir,
    onClockStart: () => driver.send({ t: 'progress', phase: 'clock-start' }),
  });
  driver.send({
    t: 'done',
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
  driver.close();
}

main().catch((error: unknown) => {
  driver.send(failureOf(error, {}));
  driver.close();
  process.exitCode = 1;
});
