/**
 * Validity verdicts: pure functions that say when a number should not be
 * taken at face value. A verdict never hides a number; it qualifies it.
 * Every rule and threshold is here, with its reason (the README's
 * "Methodology and limitations" section quotes them).
 */
import { chiSquareQuantile } from '../stats/chi-square.ts';
import type { MonitorReport } from './types.ts';
import { judgedWindow, MIN_WINDOW_SAMPLES } from './window.ts';

/** Qualifies a number without hiding it (see docs/METHODOLOGY in the README). */
export type Verdict =
  | 'client-saturated'
  | 'schedule-drift'
  | 'machine-busy'
  | 'too-short'
  | 'noisy'
  | 'underpowered'
  | 'monitor-unavailable'
  /** From the load generator: more than 1% of the requests were still waiting when the window closed. */
  | 'stalled'
  /** A measured window was shorter than the minimum its cell was sized for. */
  | 'window-short'
  /** Server cells: a unit or pool thread of the server died during the cell and was replaced (the server lab counts it). */
  | 'unit-restarted';

export interface VerdictThresholds {
  /**
   * client-saturated: the load generator used at least this % of the CPU it
   * could use (its threads, at most the cores), or one of its event loops was
   * at least this busy (utilization × 100). A client that busy cannot send
   * faster, so the server's throughput is capped by the client, not measured.
   */
  clientSaturatedPercent: number;
  /**
   * machine-busy: processes outside the experiment (other tenants, a build,
   * the desktop) used at least this much CPU, in % of one core, on average
   * over the cell, while the machine had no core to spare
   * (MeasuredWindow.competingCpuPercent): only then can they have taken CPU
   * from it. 10% of a core is more than an idle Linux box uses and
   * enough to move a CPU-bound result on 2 cores by several %.
   */
  machineBusyPercent: number;
  /**
   * too-short: the measured window held fewer samples than this (summed
   * overlap shares), so neither machine-busy nor its absence is claimed.
   * Why 10 (and how the interval is chosen to reach it): window.ts.
   */
  minWindowSamples: number;
  /**
   * noisy: the spread across repetitions is above this coefficient of
   * variation (stdev ÷ mean; 0.10 = 10%) with `noisyConfidence`: the
   * one-sided lower confidence bound of the CV is above it, not just the
   * estimate. A stdev from 2 or 3 values is itself very uncertain (from 2,
   * its 95% interval spans 0.45–32× the estimate), so a CV of 14% from two
   * repetitions proves little; the ±95% interval of the mean shows that
   * width anyway. Lower bound of σ: s·√((n−1) / χ²(confidence, n−1)),
   * i.e. the CV must exceed 10% × 1.64 with 2 repetitions, × 1.52 with 3,
   * × 1.28 with 10.
   */
  noisyCv: number;
  noisyConfidence: number;
  /**
   * underpowered: a percentile p needs enough samples that at least this
   * many fall above it: n × (1 − p/100) ≥ tailSamples. With 10: p50 needs 20
   * samples, p90 100, p99 1 000, p99.9 10 000. Fewer, and the "p99" is set by
   * a handful of requests, or is simply the maximum.
   */
  tailSamples: number;
}

export const defaultThresholds: VerdictThresholds = {
  clientSaturatedPercent: 90,
  machineBusyPercent: 10,
  minWindowSamples: MIN_WINDOW_SAMPLES,
  noisyCv: 0.1,
  noisyConfidence: 0.9,
  tailSamples: 10,
};

/**
 * The load generator is the bottleneck. `clientCpuPercent` is its CPU (all
 * its threads and processes) in % of one core; `clientThreads` how many
 * threads generate load (a single event loop cannot use more than one
 * core); `cores` the machine's. `clientEventLoopUtilization` (0..1 per
 * generator thread) catches a loop busy with work the CPU clock misses.
 * `clientThreadCpu` (per thread: % of the window running and % runnable
 * but waiting for a CPU, from Linux schedstat) catches a client starved of
 * CPU by the subject or other tenants: it then uses little CPU and its loop
 * looks idle (the wait happens while epoll returns); see isThreadCpuLimited.
 */
export function isClientSaturated(
  input: {
    clientCpuPercent: number;
    clientThreads: number;
    cores: number;
    clientEventLoopUtilization?: number[];
    clientThreadCpu?: ThreadCpuShare[];
  },
  thresholds: VerdictThresholds = defaultThresholds,
): boolean {
  const capacityPercent = Math.max(1, Math.min(input.clientThreads, input.cores)) * 100;
  if (input.clientCpuPercent >= (thresholds.clientSaturatedPercent / 100) * capacityPercent) return true;
  const busiest = Math.max(0, ...(input.clientEventLoopUtilization ?? []));
  if (busiest * 100 >= thresholds.clientSaturatedPercent) return true;
  return (input.clientThreadCpu ?? []).some((share) => isThreadCpuLimited(share, thresholds));
}

/** One generator thread over the window: % running, % runnable but waiting for a CPU. */
export interface ThreadCpuShare {
  cpuPercent: number;
  runQueueWaitPercent: number;
}

/**
 * A thread was limited by CPU when it wanted a core nearly all the window
 * (running + waiting ≥ the saturation threshold) or when it waited for a
 * CPU at least as long as it ran (and ≥ 10% of the window): then every
 * request it sent or read was delayed by at least its own cost. Measured
 * here: a client with a core of its own waits ~3%; one sharing 2 cores with
 * a 2-process server waits ~27% against 52% running (not limited); one
 * pinned beside two CPU hogs waits 55% against 26% running (limited, and
 * its throughput fell by 60%).
 */
export function isThreadCpuLimited(
  share: ThreadCpuShare,
  thresholds: VerdictThresholds = defaultThresholds,
): boolean {
  if (share.cpuPercent + share.runQueueWaitPercent >= thresholds.clientSaturatedPercent) return true;
  return share.runQueueWaitPercent >= Math.max(10, share.cpuPercent);
}

/** CPU used outside the experiment, averaged over the cell, in % of one core. */
export function isMachineBusy(
  outsideCpuPercent: number,
  thresholds: VerdictThresholds = defaultThresholds,
): boolean {
  return outsideCpuPercent >= thresholds.machineBusyPercent;
}

/** Sample coefficient of variation (n − 1 in the stdev); null with fewer than 2 values or a zero mean. */
export function coefficientOfVariation(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  if (mean === 0) return null;
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1);
  return Math.sqrt(variance) / Math.abs(mean);
}

/**
 * The lower one-sided confidence bound of the coefficient of variation:
 * how small the spread can be, given these values (null with fewer than 2).
 */
export function cvLowerBound(values: readonly number[], confidence: number): number | null {
  const cv = coefficientOfVariation(values);
  if (cv === null) return null;
  const df = values.length - 1;
  return cv * Math.sqrt(df / chiSquareQuantile(confidence, df));
}

/**
 * Repetitions disagree more than the threshold, with enough evidence (see
 * VerdictThresholds.noisyCv). One repetition cannot be called noisy (nor
 * steady): that is not flagged here.
 */
export function isNoisy(
  repetitionValues: readonly number[],
  thresholds: VerdictThresholds = defaultThresholds,
): boolean {
  const low = cvLowerBound(repetitionValues, thresholds.noisyConfidence);
  return low !== null && low > thresholds.noisyCv;
}

/** Fewest samples for percentile p (0 < p < 100) to rest on at least `tailSamples` samples above it. */
export function minSamplesFor(percentile: number, thresholds: VerdictThresholds = defaultThresholds): number {
  if (!(percentile > 0 && percentile < 100))
    throw new RangeError(`percentile ${percentile} is not in (0, 100)`);
  // Rounded to 9 digits first so that e.g. 10 / 0.01 is 1000, not 1000.0000000000001 → 1001.
  return Math.ceil(Number((thresholds.tailSamples / (1 - percentile / 100)).toPrecision(9)));
}

export function isUnderpowered(
  samples: number,
  percentileShown: number,
  thresholds: VerdictThresholds = defaultThresholds,
): boolean {
  return samples < minSamplesFor(percentileShown, thresholds);
}

export function isMonitorUnavailable(monitor: MonitorReport | undefined): boolean {
  return !monitor?.available;
}

export interface VerdictInput {
  monitor?: MonitorReport;
  /** Server cells: the load generator's threads; its CPU is monitor.summary.driverCpuPercent unless clientCpuPercent is given. */
  clientThreads?: number;
  clientCpuPercent?: number;
  clientEventLoopUtilization?: number[];
  /** Per generator thread: % running and % waiting for a CPU (see isThreadCpuLimited). */
  clientThreadCpu?: ThreadCpuShare[];
  /** The headline figure of each repetition (durationMs for batch cells, rps for server cells). */
  repetitionValues?: readonly number[];
  /** Server cells: requests behind the latency percentiles shown, and the highest percentile shown (default 99). */
  requests?: number;
  percentileShown?: number;
}

/** All verdicts for one cell, in a fixed order. */
export function cellVerdicts(
  input: VerdictInput,
  thresholds: VerdictThresholds = defaultThresholds,
): Verdict[] {
  const verdicts: Verdict[] = [];
  const monitor = input.monitor;
  const available = !isMonitorUnavailable(monitor);
  if (input.clientThreads !== undefined) {
    // Without /proc the driver's own CPU is still measured (process.cpuUsage), so this verdict still works.
    const clientCpuPercent = input.clientCpuPercent ?? monitor?.summary.driverCpuPercent;
    const cores = monitor?.cores ?? 1;
    if (
      clientCpuPercent !== undefined &&
      isClientSaturated(
        {
          clientCpuPercent,
          clientThreads: input.clientThreads,
          cores,
          ...(input.clientEventLoopUtilization
            ? { clientEventLoopUtilization: input.clientEventLoopUtilization }
            : {}),
          ...(input.clientThreadCpu ? { clientThreadCpu: input.clientThreadCpu } : {}),
        },
        thresholds,
      )
    ) {
      verdicts.push('client-saturated');
    }
  }
  // Busy or quiet is judged only on a window with enough samples; a shorter one says so instead.
  const judged = available && monitor ? judgedWindow(monitor) : null;
  if (judged && judged.samples < thresholds.minWindowSamples) verdicts.push('too-short');
  else if (judged && isMachineBusy(judged.competingCpuPercent ?? judged.outsideCpuPercent, thresholds))
    verdicts.push('machine-busy');
  if (input.repetitionValues && isNoisy(input.repetitionValues, thresholds)) verdicts.push('noisy');
  if (
    input.requests !== undefined &&
    isUnderpowered(input.requests, input.percentileShown ?? 99, thresholds)
  ) {
    verdicts.push('underpowered');
  }
  if (!available) verdicts.push('monitor-unavailable');
  return verdicts;
}

/**
 * window-short: a measured window shorter than the minimum the cell was
 * sized for. Calibration gives every window at least the minimum; a window
 * falls short when the cell's time share capped its rounds, or when the
 * machine ran the repetition faster than its calibration pass. Its time is
 * still measured, only over less than the minimum: more start-up and
 * scheduling noise per item.
 */
export function isWindowShort(windowsMs: readonly number[], minWindowMs: number | undefined): boolean {
  return minWindowMs !== undefined && windowsMs.some((windowMs) => windowMs < minWindowMs);
}
