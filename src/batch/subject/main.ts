/**
 * A batch subject: one fresh process per repetition of a cell, under the
 * runtime being measured. It builds the model, warms it, says ready, times
 * `rounds` passes of run() over the same items when told to go, and leaves
 * nothing behind on stop — or when the driver disappears (stdin closes).
 * A calibration subject instead times a few passes of each model of a
 * group in turn (`calibrate`). No CLI, store or report code here.
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
import type { ItemAnswer } from '../../workloads/types.ts';
import {
  isToSubject,
  type CalibrationResult,
  type FromSubject,
  type SubjectSpec,
  type ToSubject,
} from '../protocol.ts';
import { enableCompileCache } from '../../core/compile-cache.ts';
import { timePasses } from './time-passes.ts';

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
    else if (message.t === 'calibrate') void calibrate(message.specs, message.targetMs);
    else void stop(0);
  },
  // The driver is gone: nobody will read results, so end the pools and exit.
  onDriverGone: () => void stop(1),
});

/** The cell's workload, prepared once per subject, and its model built and started (warm) with it. */
async function buildExecutor(next: SubjectSpec, prepared: Set<string>): Promise<Executor> {
  // Models added outside the built-in list (CONLAB_REGISTRY_MODULES) must be registered here too.
  await loadRegistryModules();
  // A workload module is imported here (and in every pool worker), its items built before timing.
  const workload = await loadWorkload(next.workload, { params: next.params, items: next.items });
  const preparedKey = `${next.workload}|${JSON.stringify(next.params)}`;
  if (!prepared.has(preparedKey)) {
    workload.prepare?.(next.params);
    prepared.add(preparedKey);
  }
  executor = models.get(next.model).create({
    workload: next.workload,
    params: next.params,
    concurrency: next.concurrency,
    threadsPerProcess: next.threadsPerProcess,
    itemsPerTask: next.itemsPerTask,
    inFlightPerWorker: next.inFlightPerWorker,
  });
  await executor.start();
  return executor;
}

async function start(next: SubjectSpec): Promise<void> {
  spec = next;
  try {
    const started = await buildExecutor(next, new Set());
    driver.send({ t: 'ready', pid: process.pid, runtime: currentRuntimeLabel(), pids: started.pids() });
  } catch (error) {
    driver.send(failureOf(error, { phase: 'start' }));
  }
}

/**
 * Each pass's combined answer, checked against the first: every pass runs
 * the same items, so a pass that answers differently is a wrong answer,
 * however fast it was.
 */
function combineRounds(workloadName: string, rounds: readonly (readonly ItemAnswer[])[]): ItemAnswer {
  const workload = getWorkload(workloadName);
  const first = workload.combine(rounds[0] ?? []);
  for (let r = 1; r < rounds.length; r++) {
    const answer = workload.combine(rounds[r] ?? []);
    if (answer !== first) {
      throw new Error(`pass ${r + 1} over the items answered ${String(answer)}, pass 1 ${String(first)}`);
    }
  }
  return first;
}

async function go(): Promise<void> {
  if (!executor || !spec) {
    driver.send({ t: 'error', phase: 'run', reason: 'go before a successful start' });
    return;
  }
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
    const rounds: ItemAnswer[][] = [];
    // One window over every pass: the gaps between passes are the model's own (a pool draining and refilling).
    for (let r = 0; r < spec.rounds; r++) rounds.push(await executor.run(spec.items, onDone));
    const windowMs = performance.now() - t0;
    const eventLoop = eventLoopProbe.stop();
    progress.push({ tMs: windowMs, items: sliceItems });
    const cpu = process.cpuUsage(cpu0);
    // Combining is verification, not work: outside the timed section.
    const answer = combineRounds(spec.workload, rounds);
    driver.send({
      t: 'done',
      windowMs,
      rounds: spec.rounds,
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

/** Each spec's model in turn (built, timed, stopped), in this one process: the group's calibration pass. */
async function calibrate(specs: readonly SubjectSpec[], targetMs: number): Promise<void> {
  const prepared = new Set<string>();
  for (const [index, next] of specs.entries()) {
    let result: CalibrationResult;
    try {
      const model = await buildExecutor(next, prepared);
      driver.send({ t: 'progress', index });
      result = await timePasses(() => model.run(next.items), targetMs);
    } catch (error) {
      result = { roundMs: null, reason: error instanceof Error ? error.message : String(error) };
    }
    try {
      await executor?.stop();
    } catch {
      // A model that cannot stop cleanly is swept with this subject's process group.
    }
    executor = undefined;
    driver.send({ t: 'calibrated', index, result });
  }
}
