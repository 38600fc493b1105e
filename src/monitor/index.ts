/**
 * The monitor: runs in the driver while one cell is measured and samples,
 * every 50–100 ms (chosen so the measured window holds enough samples:
 * window.ts), what every core did (/proc/stat), what the subject's whole
 * process tree used (CPU, RSS, PIDs; see tree.ts for the accounting), what the
 * driver itself used (process.cpuUsage, all its threads) and, by difference,
 * what everything outside the experiment used (for the machine-busy verdict).
 * At the two ends of the measured window it also reads every thread of the
 * tree (accounting.ts): where the time went, per process and per thread.
 *
 * Cost: each tick reads /proc/stat and one /proc/PID/stat per tree member;
 * the full /proc listing that discovers new children runs only every
 * `fullScanEvery` ticks and skips PIDs already known to be outside the tree.
 * Late discovery loses no CPU (a child's start time tells whether all of its
 * CPU falls inside the window). Measured cost: docs/performance/monitor.md.
 *
 * Without Linux /proc the monitor reports `available: false` with the reason
 * (worked out once per process) and never throws; the driver's own CPU is
 * still measured because it needs no /proc.
 */
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import type { CoreSample, EventLoopStats, MachineSample, MonitorReport, TreeSample } from './types.ts';
import {
  ProcFile,
  parsePidStat,
  readKernelUnits,
  readUptimeTicks,
  parseProcStat,
  type CoreTimes,
} from './proc.ts';
import { ProcessTreeTracker, type TreeReading } from './tree.ts';
import { accountTree, snapshotTree, type TreeSnapshot } from './accounting.ts';
import { chooseIntervalMs, measureWindow, type WindowBounds } from './window.ts';

export type { MonitorReport, EventLoopStats } from './types.ts';

export interface MonitorOptions {
  /** The subject's root process; it and all its descendants are "the tree". */
  rootPid: number;
  /** Sampling interval; default chosen from expectedWindowMs (window.ts chooseIntervalMs). */
  intervalMs?: number;
  /**
   * How long the measured window is expected to last (a calibrated batch, a
   * server cell's duration): the interval is chosen so it holds enough
   * samples. Unknown: the shortest interval.
   */
  expectedWindowMs?: number;
  /** PIDs (and their descendants) never counted in the tree. The driver's own PID is always excluded unless it is the root. */
  excludePids?: number[];
  /**
   * Processes that belong to the load generator (e.g. a wrk or a separate
   * client process): their trees' CPU is added to the driver's, so that
   * client-saturated sees the whole client and machine-busy does not blame them.
   */
  clientPids?: number[];
  /**
   * Full /proc rescans for new descendants happen every this many ticks (default 10) and
   * right after a scan that found a new process. The listing is the monitor's most expensive
   * read (~0.3-0.5 ms on a busy 2-core VM); children of members' main threads are found
   * every tick without it (tree.ts).
   */
  fullScanEvery?: number;
}

export interface MonitorHandle {
  readonly available: boolean;
  /** Adds what the subject reported about its own event loops (per process/thread). */
  addEventLoopStats(stats: EventLoopStats[]): void;
  /**
   * The measured window starts now (a server cell's warm-up is over): the
   * per-thread accounting starts from here. Without it, it starts with the monitor.
   */
  beginWindow(): void;
  /**
   * Takes a final reading synchronously, stops sampling and returns the
   * report; given where the measured window lay, the report's `window`
   * holds the overlap-weighted figures of that window (window.ts).
   */
  stop(window?: WindowBounds): MonitorReport;
}

let availability: { available: true } | { available: false; reason: string } | undefined;

/** Whether this machine's /proc can be monitored; worked out once per process. */
export function monitorAvailability(): { available: true } | { available: false; reason: string } {
  if (availability) return availability;
  if (process.platform !== 'linux') {
    availability = { available: false, reason: `no /proc on ${process.platform}: the monitor needs Linux` };
    return availability;
  }
  try {
    const cores = parseProcStat(readFileSync('/proc/stat', 'latin1'));
    if (cores.length === 0) throw new Error('/proc/stat has no per-core cpuN lines');
    readFileSync(`/proc/${process.pid}/stat`, 'latin1');
    readFileSync('/proc/uptime', 'latin1');
    availability = { available: true };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    availability = { available: false, reason: `/proc is not readable (${message})` };
  }
  return availability;
}

let unavailabilityReported = false;

/**
 * The reason the monitor cannot run, the first time it is asked in this
 * process, and null ever after (and when it can run): for a CLI to say so
 * once per run rather than once per cell. Cells still get the verdict.
 */
export function unavailableNoticeOnce(): string | null {
  const state = monitorAvailability();
  if (state.available || unavailabilityReported) return null;
  unavailabilityReported = true;
  return `monitor unavailable: ${state.reason}; CPU and memory of subjects are not measured (verdict monitor-unavailable)`;
}

interface Reading {
  tMs: number;
  cores: CoreTimes[];
  tree: TreeReading;
  /** Driver CPU so far in µs (clock-tick resolution): this process plus the client trees. */
  driverUs: number;
}

export function startMonitor(options: MonitorOptions): MonitorHandle {
  // Below one clock tick (10 ms) a sample holds only rounding, and a 0 would spin the timer.
  const intervalMs = Math.max(10, options.intervalMs ?? chooseIntervalMs(options.expectedWindowMs));
  const state = monitorAvailability();
  if (!state.available) return startUnavailableMonitor(intervalMs, state.reason);
  try {
    return startProcMonitor(options, intervalMs);
  } catch (error) {
    // The availability probe passed but /proc failed now (e.g. a restricted sandbox): degrade, never throw.
    const message = error instanceof Error ? error.message : String(error);
    return startUnavailableMonitor(intervalMs, `/proc could not be read (${message})`);
  }
}

function startProcMonitor(options: MonitorOptions, intervalMs: number): MonitorHandle {
  const units = readKernelUnits();
  const hz = units.clockTicksPerSec;
  const startedAt = performance.now();
  const windowStart = readUptimeTicks(hz);
  const driverIsRoot = options.rootPid === process.pid;
  const clientPids = options.clientPids ?? [];
  const exclude = [...(options.excludePids ?? []), ...clientPids];
  if (!driverIsRoot) exclude.push(process.pid);
  const tree = new ProcessTreeTracker([options.rootPid], exclude, windowStart);
  const clients = clientPids.length > 0 ? new ProcessTreeTracker(clientPids, [], windowStart) : null;
  const fullScanEvery = Math.max(1, options.fullScanEvery ?? 10);
  const driverStartUs = cpuUs(process.cpuUsage());

  const perCore: CoreSample[] = [];
  const treeSamples: TreeSample[] = [];
  const machine: MachineSample[] = [];
  const eventLoop: EventLoopStats[] = [];
  let sampleErrors = 0;
  let ticks = 0;
  let debtTicks = 0;
  /** CPU-ms of "outside" that rounding made negative in earlier intervals, repaid from later ones (as debtTicks). */
  let outsideDebtMs = 0;
  let peakRssPages = 0;
  let peakThreads = 0;

  const procStat = new ProcFile('/proc/stat', 8192);
  // Per tick the driver's CPU comes from its own /proc stat (one pread; process.cpuUsage costs
  // ~100 µs a call on this kind of VM); the window's total uses process.cpuUsage for precision.
  const selfStat = new ProcFile(`/proc/${process.pid}/stat`, 512);
  const selfTicks = (): number => {
    const text = selfStat.read();
    const stat = text === null ? null : parsePidStat(text);
    return stat ? stat.ownTicks : 0;
  };
  const selfTicksStart = selfTicks();
  let clientTicksNow = 0;
  const read = (fullScan: boolean): Reading => {
    const text = procStat.read();
    if (text === null) throw new Error('/proc/stat became unreadable');
    const cores = parseProcStat(text);
    const treeReading = tree.read(fullScan);
    clientTicksNow = clients ? clients.read(fullScan).cumulativeTicks : 0;
    // One clock for every interval (ticks); the window's total below uses the precise one.
    const driverUs = ((selfTicks() - selfTicksStart + clientTicksNow) / hz) * 1e6;
    peakRssPages = Math.max(peakRssPages, treeReading.rssPages);
    peakThreads = Math.max(peakThreads, treeReading.threadCount);
    return { tMs: performance.now() - startedAt, cores, tree: treeReading, driverUs };
  };

  const first = read(true);
  let previous = first;
  // Per-thread accounting needs only the two ends of the window (accounting.ts): its cost does not grow with the rate.
  const snapshot = (): { at: number; snap: TreeSnapshot } => ({
    at: performance.now(),
    snap: snapshotTree(tree.memberPids(), readUptimeTicks(hz)),
  });
  let accountingStart = snapshot();

  const record = (current: Reading): void => {
    const dtMs = current.tMs - previous.tMs;
    // An interval far shorter than a clock tick holds no information, only rounding.
    if (dtMs < Math.min(intervalMs / 4, 10)) return;
    const tMs = Math.round(current.tMs);
    perCore.push(coreSample(tMs, previous.cores, current.cores));
    const interval = intervalTicks(current.tree.cumulativeTicks - previous.tree.cumulativeTicks, debtTicks);
    debtTicks = interval.debtTicks;
    const deltaTicks = interval.ticks;
    const treeCpuPercent = ticksPercent(deltaTicks, hz, dtMs);
    treeSamples.push({
      tMs,
      cpuPercent: treeCpuPercent,
      rssBytes: current.tree.rssPages * units.pageBytes,
      processCount: current.tree.processCount,
      threadCount: current.tree.threadCount,
    });
    const driverCpuPercent = ((current.driverUs - previous.driverUs) / 1000 / dtMs) * 100;
    const busyPercent = ticksPercent(busyTicks(previous.cores, current.cores), hz, dtMs);
    // Counters round to clock ticks, so one interval's difference can come out below 0; flooring each
    // interval at 0 would bias short intervals upwards, so the deficit is repaid from later ones.
    const rawOutsideMs =
      (rawOutside(busyPercent, treeCpuPercent, driverCpuPercent, driverIsRoot) / 100) * dtMs;
    const outsideStep = intervalTicks(rawOutsideMs, outsideDebtMs);
    outsideDebtMs = outsideStep.debtTicks;
    machine.push({
      tMs,
      driverCpuPercent: round2(driverCpuPercent),
      outsideCpuPercent: round2((outsideStep.ticks / dtMs) * 100),
      busyPercent: round2(busyPercent),
    });
    previous = current;
  };

  const timer = setInterval(() => {
    try {
      ticks++;
      // Trees grow in bursts: after a scan that found someone, look again at the next tick.
      const fullScan = ticks % fullScanEvery === 0 || tree.grewAtLastScan;
      record(read(fullScan));
    } catch {
      // A tick that cannot read /proc is skipped, never guessed; the summary spans the readable window.
      sampleErrors++;
    }
  }, intervalMs);
  // The monitor must never keep a driver alive on its own.
  timer.unref();

  let report: MonitorReport | undefined;
  return {
    available: true,
    addEventLoopStats(stats) {
      if (report) report.eventLoop.push(...stats);
      else eventLoop.push(...stats);
    },
    beginWindow() {
      if (!report) accountingStart = snapshot();
    },
    stop(window) {
      if (report) return report;
      clearInterval(timer);
      let last = previous;
      try {
        last = read(true);
        record(last);
      } catch {
        sampleErrors++;
      }
      const windowEnd = snapshot();
      const accounting = accountTree(
        accountingStart.snap,
        windowEnd.snap,
        options.rootPid,
        hz,
        windowEnd.at - accountingStart.at,
      );
      procStat.close();
      selfStat.close();
      tree.close();
      clients?.close();
      const durationMs = last.tMs - first.tMs;
      const windowTicks = busyTicks(first.cores, last.cores);
      const treeCpuPercent = ticksPercent(Math.max(0, last.tree.cumulativeTicks), hz, durationMs);
      const driverUs = cpuUs(process.cpuUsage()) - driverStartUs + (clientTicksNow / hz) * 1e6;
      const driverCpuPercent = durationMs > 0 ? (driverUs / 1000 / durationMs) * 100 : 0;
      const machineBusyPercent = ticksPercent(windowTicks, hz, durationMs);
      report = {
        available: true,
        intervalMs,
        durationMs: round2(durationMs),
        cores: first.cores.length,
        perCore,
        tree: treeSamples,
        machine,
        pids: [...tree.seen].sort((a, b) => a - b),
        summary: {
          coreBusyMeanPercent: first.cores.map((core, i) => busyPercentOf(core, last.cores[i])),
          coreBusyMaxPercent: first.cores.map((_, i) =>
            round2(
              Math.max(0, ...perCore.map((s) => 100 - (s.idlePercent[i] ?? 100) - (s.iowaitPercent[i] ?? 0))),
            ),
          ),
          treeCpuPercent,
          treePeakRssBytes: peakRssPages * units.pageBytes,
          outsideCpuPercent: round2(
            outside(machineBusyPercent, treeCpuPercent, driverCpuPercent, driverIsRoot),
          ),
          driverCpuPercent: round2(driverCpuPercent),
          machineBusyPercent,
          treePeakThreads: peakThreads,
        },
        accounting,
        sampleErrors,
        eventLoop,
      };
      const measured = window ? measureWindow(report, window) : null;
      if (measured) report.window = measured;
      return report;
    },
  };
}

/** The summary of a window with no /proc readings: 0 placeholders (see MonitorReport), but the driver's own CPU. */
export function placeholderSummary(driverCpuPercent: number): MonitorReport['summary'] {
  return {
    coreBusyMeanPercent: [],
    coreBusyMaxPercent: [],
    treeCpuPercent: 0,
    treePeakRssBytes: 0,
    outsideCpuPercent: 0,
    driverCpuPercent,
  };
}

/** The monitor used where /proc cannot be read; exported so that path is testable on Linux too. */
export function startUnavailableMonitor(intervalMs: number, reason: string): MonitorHandle {
  const startedAt = performance.now();
  const driverStartUs = cpuUs(process.cpuUsage());
  const eventLoop: EventLoopStats[] = [];
  let report: MonitorReport | undefined;
  return {
    available: false,
    addEventLoopStats(stats) {
      eventLoop.push(...stats);
    },
    beginWindow() {
      // Nothing to account without /proc.
    },
    stop() {
      if (report) return report;
      const durationMs = performance.now() - startedAt;
      const cores = availableParallelism();
      const driverUs = cpuUs(process.cpuUsage()) - driverStartUs;
      report = {
        available: false,
        unavailableReason: reason,
        intervalMs,
        durationMs: round2(durationMs),
        cores,
        perCore: [],
        tree: [],
        machine: [],
        pids: [],
        // process.cpuUsage needs no /proc: this one figure stays a real measurement.
        summary: placeholderSummary(durationMs > 0 ? round2((driverUs / 1000 / durationMs) * 100) : 0),
        eventLoop,
      };
      return report;
    },
  };
}

/**
 * One interval's tree CPU from the change in the cumulative count. A dip
 * (a child reaped between our reads of it and of its parent) becomes debt
 * repaid from later intervals, so the timeline is never negative and sums
 * to the window's total. The same rule carries the outside CPU's rounding
 * (in CPU-ms rather than ticks).
 */
export function intervalTicks(delta: number, debtTicks: number): { ticks: number; debtTicks: number } {
  if (delta < 0) return { ticks: 0, debtTicks: debtTicks - delta };
  const repaid = Math.min(debtTicks, delta);
  return { ticks: delta - repaid, debtTicks: debtTicks - repaid };
}

function cpuUs(usage: NodeJS.CpuUsage): number {
  return usage.user + usage.system;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function ticksPercent(ticks: number, hz: number, durationMs: number): number {
  return durationMs > 0 ? round2((ticks / hz / (durationMs / 1000)) * 100) : 0;
}

/** Busy = everything but idle and iowait (a core waiting on disk could have run something else). */
function busyOf(core: CoreTimes): number {
  return core.total - core.idle - core.iowait;
}

function busyTicks(before: CoreTimes[], after: CoreTimes[]): number {
  let sum = 0;
  for (let i = 0; i < after.length; i++) {
    const a = after[i];
    const b = before[i];
    if (a && b) sum += Math.max(0, busyOf(a) - busyOf(b));
  }
  return sum;
}

function busyPercentOf(before: CoreTimes, after: CoreTimes | undefined): number {
  if (!after) return 0;
  const total = after.total - before.total;
  return total > 0 ? round2(((busyOf(after) - busyOf(before)) / total) * 100) : 0;
}

function coreSample(tMs: number, before: CoreTimes[], after: CoreTimes[]): CoreSample {
  const sample: CoreSample = { tMs, userPercent: [], systemPercent: [], iowaitPercent: [], idlePercent: [] };
  for (let i = 0; i < after.length; i++) {
    const a = after[i];
    const b = before[i];
    const total = a && b ? a.total - b.total : 0;
    const pct = (pick: (c: CoreTimes) => number): number =>
      a && b && total > 0 ? round2(((pick(a) - pick(b)) / total) * 100) : 0;
    sample.userPercent.push(pct((c) => c.user));
    sample.systemPercent.push(pct((c) => c.system));
    sample.iowaitPercent.push(pct((c) => c.iowait));
    // A core with no ticks in the interval (offline) shows as idle, not busy.
    sample.idlePercent.push(total > 0 ? pct((c) => c.idle) : 100);
  }
  return sample;
}

/** CPU used by neither the tree nor the driver; may come out below 0 over a short interval (counters round to ticks). */
function rawOutside(
  machinePercent: number,
  treePercent: number,
  driverPercent: number,
  driverIsRoot: boolean,
): number {
  return machinePercent - treePercent - (driverIsRoot ? 0 : driverPercent);
}

/** Over a whole window: never below 0. */
function outside(
  machinePercent: number,
  treePercent: number,
  driverPercent: number,
  driverIsRoot: boolean,
): number {
  return Math.max(0, rawOutside(machinePercent, treePercent, driverPercent, driverIsRoot));
}
