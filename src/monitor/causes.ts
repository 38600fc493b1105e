/**
 * Why a parallel model fell short of its workers: pure rules over the
 * per-thread accounting (accounting.ts) of the model's cell and of its
 * sequential baseline in the same run. Every rule and threshold is here,
 * with its reason (the README's "Methodology and limitations" quotes them),
 * as the verdicts are in verdicts.ts. A cause is "likely": the accounting
 * shows where the time went, not why the code put it there.
 */
import type { ThreadAccount, TreeAccounting } from './types.ts';

export type ScalingCause =
  | 'not-cpu-bound'
  | 'baseline-multicore'
  | 'cpu-starvation'
  | 'driver-serialisation'
  | 'lock-contention'
  | 'costlier-work'
  | 'unequal-split'
  | 'unexplained';

/** What a cell carries when its model fell short (BatchCell.likelyCause). */
export interface LikelyCause {
  cause: ScalingCause;
  /** Short form for a table column. */
  label: string;
  /** The speedup this machine allows the model, given the cores and the baseline's own CPU (see scalingCeiling). */
  ceiling: number;
  /** "likely lock contention — sys time 35% vs 3% in sequential, 329 involuntary switches". */
  text: string;
}

export interface CauseThresholds {
  /**
   * A model falls short when its speedup is below this share of its workers
   * (efficiency < 85%). The lab aims at ±5% intervals (±10% at worst), so
   * 85% is short beyond the noise; 1.8× of 2 (90%) is not short.
   */
  shortfallShare: number;
  /**
   * The baseline uses more than one core when its CPU as a free machine
   * would show it (quietCpuPercent; its CPU where there is no accounting)
   * is above this (% of one core). One thread doing all the work measures 100–105% (a
   * little GC on helper threads); 110% means the runtime's helpers (GC,
   * JIT, I/O) did a tenth of a core's work beside it.
   */
  baselineMulticorePercent: number;
  /** Speedup within this share of the ceiling counts as reaching it (the same margin as shortfallShare). */
  ceilingShare: number;
  /**
   * not-cpu-bound: the baseline's working thread wanted a CPU (on one or
   * runnable: wantedShare) less than this share of the window (its CPU %
   * without accounting): the work mostly waits (timers, I/O), so cores and
   * CPU accounting say little about its scaling; how the waits overlap does
   * (items per worker, the longest items). Half: more waiting than computing.
   */
  cpuBoundShare: number;
  /**
   * cpu-starvation: the threads doing the work waited on a run queue at
   * least this share of the time they ran. A runnable thread on a machine
   * with a free core waits ~1–3% (measured: a client thread with its own
   * core, 3%); a quarter means each worker lost a fifth of its time.
   */
  starvedWaitShare: number;
  /**
   * driver-serialisation: the dispatching main thread was on a CPU this
   * share of the window while the workers were on one at most
   * `idleWorkerShare` of it: the workers waited for the driver.
   */
  busyMainShare: number;
  idleWorkerShare: number;
  /**
   * lock-contention: system time at least this share of the cell's CPU and
   * at least `contentionFactor` × the baseline's share (a native lock that
   * blocks goes through futex in the kernel); or the working threads'
   * voluntary switches (futex waits are voluntary) per second of their
   * CPU at least `minSwitchesPerCpuSecond` and `contentionFactor` × the
   * baseline's. A worker that waits only for its next task switches once
   * per task (tens per second).
   */
  systemShare: number;
  contentionFactor: number;
  minSwitchesPerCpuSecond: number;
  /**
   * costlier-work: the cell's tree spent at least this multiple of the
   * baseline's CPU over its measured window. Both windows hold the same
   * work (one size per group: the same items × rounds), so the ratio is the
   * CPU each unit of work cost. Workers that slow each other down without
   * sleeping (shared cache lines and atomic counters, one allocator, GC in
   * a shared process, SMT siblings) show here and nowhere else. Measured
   * between fresh processes of one cell the ratio moves ±10% (cpu.js
   * threads 1.01, processes 1.00 on 2026-12-06), so 1.15 is beyond it.
   */
  costlierWorkFactor: number;
  /** unequal-split: the busiest worker ran this much longer than the least busy, as a share of the busiest's time. */
  unequalSpread: number;
}

export const defaultCauseThresholds: CauseThresholds = {
  shortfallShare: 0.85,
  baselineMulticorePercent: 110,
  ceilingShare: 0.85,
  cpuBoundShare: 0.5,
  starvedWaitShare: 0.25,
  busyMainShare: 0.8,
  idleWorkerShare: 0.7,
  systemShare: 0.1,
  contentionFactor: 3,
  minSwitchesPerCpuSecond: 200,
  costlierWorkFactor: 1.15,
  unequalSpread: 0.25,
};

export interface ScalingInput {
  /** The model's speedup over the baseline (mean durations). */
  speedup: number;
  /** Workers that can run JavaScript at once (the model registry's cores()). */
  workers: number;
  /** Cores of the machine. */
  cores: number;
  /** Name of the baseline model, for the text. */
  baselineName: string;
  /** Tree CPU of the baseline and of the cell, % of one core (with accounting, the baseline's quietCpuPercent is used instead). */
  baselineCpuPercent: number;
  cellCpuPercent: number;
  /** Accounting of the last repetition of each (absent: older records, no /proc). */
  baseline?: TreeAccounting;
  cell?: TreeAccounting;
  /** The cell's CPU used outside the experiment, % of one core (its measured window), if known. */
  outsideCpuPercent?: number;
}

/**
 * The best speedup this machine allows: the workers, unless they need more
 * cores than there are. Each worker is expected to need what the baseline
 * used (its helpers come with it: every isolate has its own GC work), so
 * W workers need W × baseline cores: a baseline at 130% on 2 cores caps any
 * model at 2 / 1.3 = 1.54×, not at 2×; one at 2% (it waits) leaves room for 100.
 */
export function scalingCeiling(workers: number, cores: number, baselineCpuPercent: number): number {
  if (!(baselineCpuPercent > 0)) return workers;
  return Math.min(workers, cores / (baselineCpuPercent / 100));
}

/** The threads doing the items: the workers, or the main thread when there are none (sequential). */
function workingThreads(accounting: TreeAccounting): ThreadAccount[] {
  const workers = accounting.threads.filter((thread) => thread.role === 'worker');
  if (workers.length > 0) return workers;
  const root = accounting.processes.find((process) => process.role === 'root');
  return accounting.threads.filter((thread) => thread.role === 'main' && thread.pid === root?.pid);
}

/**
 * How much of the window the working threads wanted a CPU (on one, or
 * runnable on a run queue), on average; null without schedstat. A CPU-bound
 * thread wants it all the time however busy the machine is (measured at
 * load 17: 26% on a CPU + 70% waiting); one that sleeps on timers or I/O does not.
 */
export function wantedShare(accounting: TreeAccounting): number | null {
  const working = workingThreads(accounting);
  if (working.length === 0 || !(accounting.windowMs > 0)) return null;
  if (working.some((thread) => thread.runQueueWaitMs === null)) return null;
  const wantedMs = working.reduce((sum, thread) => sum + thread.cpuMs + (thread.runQueueWaitMs ?? 0), 0);
  return wantedMs / working.length / accounting.windowMs;
}

/**
 * The tree's CPU as a free machine would show it, in % of one core. On a
 * busy machine the working thread of a CPU-bound baseline sits on a run
 * queue part of the window; that time would not exist on a free machine, so
 * the window shrinks by it while the CPU every thread used stays:
 * Σ CPU ÷ (window − the working threads' mean run-queue wait). On a quiet
 * machine it is the tree's CPU. Measured at load 17: a sequential cell got
 * 40% of a core over its 1.27 s window; main 429 ms + helpers 80 ms of CPU
 * over the 452 ms it did not wait give 113%.
 */
export function quietCpuPercent(accounting: TreeAccounting): number | null {
  const working = workingThreads(accounting);
  if (working.length === 0 || working.some((thread) => thread.runQueueWaitMs === null)) return null;
  const meanWaitMs = working.reduce((sum, thread) => sum + (thread.runQueueWaitMs ?? 0), 0) / working.length;
  const quietWindowMs = accounting.windowMs - meanWaitMs;
  if (!(quietWindowMs > 0)) return null;
  const cpuMs = accounting.threads.reduce((sum, thread) => sum + thread.cpuMs, 0);
  return (cpuMs / quietWindowMs) * 100;
}

/** What one tree's accounting says, in the terms the rules use. */
export interface AccountingFigures {
  windowMs: number;
  cpuMs: number;
  systemShare: number;
  involuntarySwitches: number;
  /** Threads doing the items: the workers, or the main thread when there are none (sequential). */
  working: ThreadAccount[];
  workingCpuMs: number;
  /** Their run-queue wait ÷ their CPU; null without schedstat. */
  workingWaitShare: number | null;
  /** Their voluntary switches per second of their CPU. */
  workingSwitchesPerCpuSecond: number;
  /** The root's main thread: on a CPU this share of the window. */
  mainBusyShare: number | null;
  helperCpuMs: number;
}

export function accountingFigures(accounting: TreeAccounting): AccountingFigures {
  const user = accounting.processes.reduce((sum, process) => sum + process.userMs, 0);
  const system = accounting.processes.reduce((sum, process) => sum + process.systemMs, 0);
  const root = accounting.processes.find((process) => process.role === 'root');
  const main = accounting.threads.find((thread) => thread.role === 'main' && thread.pid === root?.pid);
  const working = workingThreads(accounting);
  const workingCpuMs = working.reduce((sum, thread) => sum + thread.cpuMs, 0);
  const waits = working.map((thread) => thread.runQueueWaitMs);
  const waitMs = waits.some((wait) => wait === null)
    ? null
    : waits.reduce((sum: number, wait) => sum + (wait ?? 0), 0);
  const switches = working.reduce((sum, thread) => sum + thread.voluntarySwitches, 0);
  return {
    windowMs: accounting.windowMs,
    cpuMs: user + system,
    systemShare: user + system > 0 ? system / (user + system) : 0,
    involuntarySwitches: accounting.threads.reduce((sum, thread) => sum + thread.involuntarySwitches, 0),
    working,
    workingCpuMs,
    workingWaitShare: waitMs === null || workingCpuMs <= 0 ? null : waitMs / workingCpuMs,
    workingSwitchesPerCpuSecond: workingCpuMs > 0 ? switches / (workingCpuMs / 1000) : 0,
    mainBusyShare: main && accounting.windowMs > 0 ? main.cpuMs / accounting.windowMs : null,
    helperCpuMs: accounting.threads
      .filter((thread) => thread.role === 'helper')
      .reduce((sum, thread) => sum + thread.cpuMs, 0),
  };
}

/**
 * What workers that slow each other down without sleeping can share: in one
 * process, its memory, allocator and GC too; in separate processes, only
 * the machine (caches, memory bandwidth, a physical core's two hyperthreads).
 */
function sharedWhat(working: readonly ThreadAccount[]): string {
  const processes = new Set(working.map((thread) => thread.pid)).size;
  return processes > 1
    ? 'separate processes share only the machine: caches, memory bandwidth, SMT siblings or a host neighbour on the same physical core'
    : 'shared memory and caches, one allocator, GC in a shared process, SMT siblings';
}

const pct = (share: number): string => `${Math.round(share * 100)}%`;
const times = (value: number): string => `${value >= 10 ? value.toFixed(0) : value.toFixed(1)}×`;
const cores = (percent: number): string => `${(percent / 100).toFixed(1)} cores`;

/**
 * The likely cause when the model fell short of its workers, or null when
 * it did not (or had one worker: nothing to scale). Rules in order, first
 * match wins:
 * 0. not-cpu-bound: the baseline wanted a CPU under half the time: the work
 *    waits, and how the waits overlap sets the speedup, not cores or locks;
 * 1. the ceiling was reached: the baseline already used more than one core
 *    (baseline-multicore), or there are more workers than cores
 *    (cpu-starvation);
 * 2. cpu-starvation: the working threads waited for a CPU ≥ 25% of the time
 *    they ran (other tenants, the model's own helpers, too many threads);
 * 3. driver-serialisation: the dispatching main thread busy ≥ 80% of the
 *    window, the workers ≤ 70%;
 * 4. lock-contention: system time share or futex-like (voluntary) switches
 *    up ≥ 3× against the baseline;
 * 4b. costlier-work: the same work took ≥ 1.15× the baseline's CPU (the
 *    workers slow each other down without sleeping);
 * 5. unequal-split: the busiest worker ran ≥ 25% longer than the least busy;
 * 6. unexplained: none stood out (the figures are given).
 * Without accounting (no /proc, an older record) only rule 1 can be applied.
 */
export function likelyCause(
  input: ScalingInput,
  thresholds: CauseThresholds = defaultCauseThresholds,
): LikelyCause | null {
  if (input.workers < 2 || !(input.speedup < thresholds.shortfallShare * input.workers)) return null;
  // What the baseline would use on a free machine, not what a busy one let it have; its CPU without accounting.
  const baselinePercent =
    (input.baseline ? quietCpuPercent(input.baseline) : null) ?? input.baselineCpuPercent;
  const baselineWanted = input.baseline ? wantedShare(input.baseline) : null;
  const ceiling = scalingCeiling(input.workers, input.cores, baselinePercent);
  const baselineMulticore = baselinePercent > thresholds.baselineMulticorePercent;
  const make = (cause: ScalingCause, label: string, text: string): LikelyCause => ({
    cause,
    label,
    ceiling: Math.round(ceiling * 100) / 100,
    text,
  });
  if ((baselineWanted ?? input.baselineCpuPercent / 100) < thresholds.cpuBoundShare) {
    const wanted = Math.round((baselineWanted ?? input.baselineCpuPercent / 100) * 100);
    return make(
      'not-cpu-bound',
      'waits',
      `the work mostly waits — ${input.baselineName} wanted a CPU ${wanted}% of the time, so the speedup is set by how the waits overlap (items per worker, the longest items), not by cores or locks`,
    );
  }
  const cell = input.cell ? accountingFigures(input.cell) : null;
  const base = input.baseline ? accountingFigures(input.baseline) : null;
  const helpers =
    cell && cell.cpuMs > 0
      ? `; the runtime's helper threads used ${pct(cell.helperCpuMs / cell.cpuMs)} of its CPU`
      : '';

  if (ceiling < input.workers && input.speedup >= thresholds.ceilingShare * ceiling) {
    if (baselineMulticore) {
      return make(
        'baseline-multicore',
        'baseline >1 core',
        `likely the baseline already using more than one core — ${input.baselineName} wanted ${cores(baselinePercent)} (GC and runtime helper threads), so ${input.cores} cores allow ${times(ceiling)}, not ${times(input.workers)}${helpers}`,
      );
    }
    return make(
      'cpu-starvation',
      'cores',
      `likely too few cores — ${input.workers} workers on ${input.cores} cores allow ${times(ceiling)}`,
    );
  }
  if (
    cell?.workingWaitShare !== null &&
    cell?.workingWaitShare !== undefined &&
    cell.workingWaitShare >= thresholds.starvedWaitShare
  ) {
    const baseWait = base?.workingWaitShare;
    const others = [
      input.outsideCpuPercent !== undefined && input.outsideCpuPercent >= 10
        ? `other processes used ${cores(input.outsideCpuPercent)}`
        : '',
      cell.cpuMs > 0 && cell.helperCpuMs / cell.cpuMs >= 0.1
        ? `the runtime's helper threads used ${pct(cell.helperCpuMs / cell.cpuMs)} of the cell's CPU`
        : '',
    ].filter((part) => part !== '');
    return make(
      'cpu-starvation',
      'starved',
      `likely CPU starvation — the workers waited for a CPU ${pct(cell.workingWaitShare)} of the time they ran${baseWait === null || baseWait === undefined ? '' : ` (${pct(baseWait)} in ${input.baselineName})`}${others.length > 0 ? `; ${others.join(', ')}` : ''}`,
    );
  }
  if (cell && cell.mainBusyShare !== null && cell.windowMs > 0) {
    const workerShares = cell.working
      .filter((thread) => thread.role === 'worker')
      .map((thread) => thread.cpuMs / cell.windowMs);
    const meanWorker =
      workerShares.length > 0 ? workerShares.reduce((a, b) => a + b, 0) / workerShares.length : null;
    if (
      cell.mainBusyShare >= thresholds.busyMainShare &&
      meanWorker !== null &&
      meanWorker <= thresholds.idleWorkerShare
    ) {
      return make(
        'driver-serialisation',
        'driver',
        `likely serialisation in the driver — its main thread was on a CPU ${pct(cell.mainBusyShare)} of the window, the workers ${pct(meanWorker)} on average`,
      );
    }
  }
  if (cell && base) {
    const systemUp =
      cell.systemShare >= thresholds.systemShare &&
      cell.systemShare >= thresholds.contentionFactor * base.systemShare;
    const switchesUp =
      cell.workingSwitchesPerCpuSecond >= thresholds.minSwitchesPerCpuSecond &&
      cell.workingSwitchesPerCpuSecond >= thresholds.contentionFactor * base.workingSwitchesPerCpuSecond;
    if (systemUp || switchesUp) {
      return make(
        'lock-contention',
        'contention',
        `likely lock contention — sys time ${pct(cell.systemShare)} vs ${pct(base.systemShare)} in ${input.baselineName}, ${Math.round(cell.workingSwitchesPerCpuSecond)} vs ${Math.round(base.workingSwitchesPerCpuSecond)} voluntary switches per CPU-second (waits on locks), ${cell.involuntarySwitches} involuntary switches vs ${base.involuntarySwitches}`,
      );
    }
  }
  if (cell && base && base.cpuMs > 0 && cell.cpuMs >= thresholds.costlierWorkFactor * base.cpuMs) {
    return make(
      'costlier-work',
      'costlier work',
      `likely costlier work — the same items took ${times(cell.cpuMs / base.cpuMs)} the CPU they took in ${input.baselineName} (${Math.round(cell.cpuMs)} vs ${Math.round(base.cpuMs)} ms), without more sleeping (${Math.round(cell.workingSwitchesPerCpuSecond)} vs ${Math.round(base.workingSwitchesPerCpuSecond)} voluntary switches per CPU-second, sys time ${pct(cell.systemShare)} vs ${pct(base.systemShare)}): the workers slow each other down while running (${sharedWhat(cell.working)})`,
    );
  }
  if (cell) {
    const busy = cell.working.filter((thread) => thread.role === 'worker').map((thread) => thread.cpuMs);
    const most = Math.max(0, ...busy);
    const least = Math.min(...busy);
    if (busy.length >= 2 && most > 0 && (most - least) / most >= thresholds.unequalSpread) {
      return make(
        'unequal-split',
        'unequal',
        `likely an unequal split — the busiest worker ran ${Math.round(most)} ms, the least busy ${Math.round(least)} ms`,
      );
    }
  }
  const known = cell
    ? `: sys time ${pct(cell.systemShare)}, workers waited ${cell.workingWaitShare === null ? '?' : pct(cell.workingWaitShare)} of their run time, ${cell.involuntarySwitches} involuntary switches`
    : ' (no per-thread accounting in this record)';
  return make(
    'unexplained',
    '?',
    `no cause stood out${known}${baselineMulticore ? `; ${input.baselineName} wanted ${cores(baselinePercent)}, which allows ${times(ceiling)}` : ''}`,
  );
}
