/**
 * A batch subject: one fresh process per repetition of a cell, under the
 * runtime being measured. It builds the model, warms it, says ready, times
 * run() when told to go, and leaves nothing behind on stop — or when the
 * driver disappears (stdin closes). No CLI, store or report code here.
 */
import { performance } from 'node:perf_hooks';
import { loadRegistryModules } from '../../core/registry.ts';
import { currentRuntimeLabel } from '../../core/runtime-info.ts';
import { linkToDriver } from '../../core/subject/driver-link.ts';
import { failureOf } from '../../core/subject/protocol.ts';
import { models } from '../../models/registry.ts';
import { startEventLoopProbe } from '../../monitor/subject-stats.ts';
import type { Executor } from '../../models/types.ts';
import type { BatchProgressPoint } from '../../results/record.ts';
import { getWorkload, loadWorkload } from '../../workloads/index.ts';
import { isToSubject, type FromSubject, type SubjectSpec, type ToSubject } from '../protocol.ts';
import { enableCompileCache } from '../../core/compile-cache.ts';

// Compile cache for what loads from here on and for this process's children (src/core/compile-cache.ts).
enableCompileCache();

const PROGRESS_SLICE_MS = 100;

let executor: Executor | undefined;
let spec: SubjectSpec | undefined;

let stopping = false;

/** Ends the model's workers, then this process; the second caller (stop message, then stdin end) waits out the first. */
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  try {
    await executor?.stop();
  } catch (error) {
    driver.send(failureOf(error, { phase: 'stop' }));
  }
  process.exit(code);
}

const driver = linkToDriver<ToSubject, FromSubject>({
  accepts: isToSubject,
  onMessage(message) {
    if (message.t === 'start') void start(message.spec);
    else if (message.t === 'go') void go();
    else void stop(0);
  },
  // The driver is gone: nobody will read results, so end the pools and exit.
  onDriverGone: () => void stop(1),
});

async function start(next: SubjectSpec): Promise<void> {
  spec = next;
  try {
    // Models added outside the built-in list (CONLAB_REGISTRY_MODULES) must be registered here too.
    await loadRegistryModules();
    // A workload module is imported here (and in every pool worker), its items built before timing.
    const workload = await loadWorkload(next.workload, { params: next.params, items: next.items });
    workload.prepare?.(next.params);
    executor = models.get(next.model).create({
      workload: next.workload,
      params: next.params,
      concurrency: next.concurrency,
      threadsPerProcess: next.threadsPerProcess,
      itemsPerTask: next.itemsPerTask,
      inFlightPerWorker: next.inFlightPerWorker,
    });
    await executor.start();
    driver.send({ t: 'ready', pid: process.pid, runtime: currentRuntimeLabel(), pids: executor.pids() });
  } catch (error) {
    driver.send(failureOf(error, { phase: 'start' }));
  }
}

async function go(): Promise<void> {
  if (!executor || !spec) {
    driver.send({ t: 'error', phase: 'run', reason: 'go before a successful start' });
    return;
  }
  const workload = getWorkload(spec.workload);
  const progress: BatchProgressPoint[] = [];
  let sliceItems = 0;
  let sliceEnd = PROGRESS_SLICE_MS;
  // The monitor's probe knows which runtime fakes which event-loop API (null + reason, never a stub's zeros).
  const eventLoopProbe = startEventLoopProbe();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const onDone = (count: number): void => {
    const tMs = performance.now() - t0;
    while (tMs > sliceEnd) {
      progress.push({ tMs: sliceEnd, items: sliceItems });
      sliceItems = 0;
      sliceEnd += PROGRESS_SLICE_MS;
    }
    sliceItems += count;
  };
  try {
    const answers = await executor.run(spec.items, onDone);
    const durationMs = performance.now() - t0;
    const eventLoop = eventLoopProbe.stop();
    progress.push({ tMs: durationMs, items: sliceItems });
    const cpu = process.cpuUsage(cpu0);
    // Combining is verification, not work: outside the timed section.
    const answer = workload.combine(answers);
    driver.send({
      t: 'done',
      durationMs,
      startedAtEpochMs: performance.timeOrigin + t0,
      answer,
      selfCpuUs: cpu.user + cpu.system,
      selfRssBytes: process.memoryUsage().rss,
      eventLoop,
      pids: executor.pids(),
      progress,
    });
  } catch (error) {
    eventLoopProbe.stop();
    driver.send(failureOf(error, { phase: 'run' }));
  }
}
