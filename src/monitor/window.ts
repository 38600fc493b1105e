/**
 * The measured window inside the monitor's window. The monitor samples on
 * its own clock (every intervalMs from its start); the cell measures a
 * window that starts and ends between two samples. A sample covers the time
 * from the previous sample to its own stamp, so the first and last samples
 * of a window usually straddle its edges: here each sample counts by the
 * share of its span that lies inside the window, never whole, and the
 * window's figures are time-weighted means over the part the samples cover.
 *
 * Evidence: a window judged on a handful of samples is judged on rounding.
 * Kernel CPU counters move in clock ticks (10 ms at USER_HZ 100), so each
 * per-interval figure of a core or a process is ±1 tick; over a window
 * the rounding of the counters read at its edges is what is left, and it
 * shrinks with the window's length. With at least MIN_WINDOW_SAMPLES
 * samples of at least MIN_INTERVAL_MS, a window is ≥ 500 ms long and the
 * rounding of (2 cores + the driver + a few processes) is ~1–2% of one core,
 * well under the 10% machine-busy threshold. A shorter window is
 * `too-short`: no machine-busy verdict either way.
 */
import type { MachineSample, MeasuredWindow, MonitorReport } from './types.ts';

export type { MeasuredWindow } from './types.ts';

/** Fewest samples (summed overlap shares) a window needs before it can be called busy (or not). */
export const MIN_WINDOW_SAMPLES = 10;
/**
 * The shortest interval the monitor chooses. A tick costs ~0.3 ms of driver
 * CPU (docs/performance/monitor.md), so 50 ms keeps the monitor under 1% of
 * one core; shorter intervals also hold fewer clock ticks than cores and
 * processes, so each sample would be mostly rounding.
 */
export const MIN_INTERVAL_MS = 50;
/** The longest: 100 ms keeps the per-core heat map readable over a 1–10 s cell. */
export const MAX_INTERVAL_MS = 100;
/** Aim for a quarter more samples than the minimum, so a window a little shorter than expected still has enough. */
const SAMPLE_MARGIN = 1.25;

/**
 * The sampling interval for a window expected to last `expectedWindowMs`:
 * long enough to be cheap, short enough that the window holds at least
 * MIN_WINDOW_SAMPLES (with a margin), in whole clock ticks (10 ms). Unknown
 * length: the shortest interval, so a short window still gets its samples.
 */
export function chooseIntervalMs(expectedWindowMs?: number): number {
  if (expectedWindowMs === undefined || !(expectedWindowMs > 0)) return MIN_INTERVAL_MS;
  const fitting = Math.floor(expectedWindowMs / (MIN_WINDOW_SAMPLES * SAMPLE_MARGIN) / 10) * 10;
  return Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, fitting));
}

/** Where the measured window lies in the monitor's window (ms after the monitor's first reading). */
export interface WindowBounds {
  offsetMs: number;
  durationMs: number;
}

/** The time one sample covers, in ms after the monitor's first reading. */
export interface SampleSpan {
  fromMs: number;
  toMs: number;
}

/**
 * The span of each sample. The monitor records a sample only when it moves
 * its previous reading forward (a skipped or failed tick leaves the next
 * sample covering both), so sample i covers (t[i−1], t[i]], the first from
 * the monitor's first reading at 0.
 */
export function sampleSpans(samples: readonly { tMs: number }[]): SampleSpan[] {
  let fromMs = 0;
  return samples.map((sample) => {
    const span = { fromMs, toMs: sample.tMs };
    fromMs = sample.tMs;
    return span;
  });
}

/** The share (0..1) of a span that lies inside the window. */
export function overlapShare(span: SampleSpan, window: WindowBounds): number {
  const length = span.toMs - span.fromMs;
  if (!(length > 0)) return 0;
  const start = Math.max(span.fromMs, window.offsetMs);
  const end = Math.min(span.toMs, window.offsetMs + window.durationMs);
  return Math.max(0, end - start) / length;
}

export interface WeightedMean {
  /** Time-weighted mean of the values over the covered part of the window; null when no sample overlaps it. */
  mean: number | null;
  /** Sum of the overlap shares: how many samples' worth of evidence the window holds. */
  samples: number;
  /** Milliseconds of the window that samples cover. */
  coveredMs: number;
}

/**
 * The time-weighted mean of a per-sample rate (a CPU %) over the window:
 * Σ overlapMs × value ÷ Σ overlapMs. A rate is assumed even within its
 * sample's span, which is all a sample says about it.
 */
export function weightedWindowMean(
  spans: readonly SampleSpan[],
  values: readonly number[],
  window: WindowBounds,
): WeightedMean {
  let weighted = 0;
  let coveredMs = 0;
  let samples = 0;
  spans.forEach((span, i) => {
    const share = overlapShare(span, window);
    if (share === 0) return;
    const overlapMs = share * (span.toMs - span.fromMs);
    weighted += overlapMs * (values[i] ?? 0);
    coveredMs += overlapMs;
    samples += share;
  });
  return { mean: coveredMs > 0 ? weighted / coveredMs : null, samples, coveredMs };
}

/**
 * A sample's machine counts as having no core to spare when its cores were
 * busy at least this share of their time together (1.8 of 2 cores). Other
 * processes' CPU in such a sample may have been taken from the experiment;
 * with a core to spare it was not (an I/O-bound cell next to a brief burst
 * of someone else's work measures the same). 90% rather than 100%: a sample
 * of 100 ms averages over runs of full contention and short idle gaps.
 */
export const COMPETING_BUSY_SHARE = 0.9;

/** The outside CPU of one sample that competed with the experiment: all of it on a saturated machine, else none. */
export function competingPercent(sample: MachineSample, cores: number): number {
  // An older record has no busy figure: its outside CPU counts whole, as it did when it was judged.
  if (sample.busyPercent === undefined) return sample.outsideCpuPercent;
  return sample.busyPercent >= COMPETING_BUSY_SHARE * cores * 100 ? sample.outsideCpuPercent : 0;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * The monitor's figures over the measured window, from the overlap-weighted
 * samples; null when the monitor did not run (no samples to weigh).
 */
export function measureWindow(
  report: MonitorReport,
  bounds: WindowBounds,
  minSamples = MIN_WINDOW_SAMPLES,
): MeasuredWindow | null {
  if (!report.available) return null;
  const spans = sampleSpans(report.tree);
  const tree = weightedWindowMean(
    spans,
    report.tree.map((sample) => sample.cpuPercent),
    bounds,
  );
  const machine = report.machine ?? [];
  const machineSpans = sampleSpans(machine);
  const outside = weightedWindowMean(
    machineSpans,
    machine.map((sample) => sample.outsideCpuPercent),
    bounds,
  );
  const competing = weightedWindowMean(
    machineSpans,
    machine.map((sample) => competingPercent(sample, report.cores)),
    bounds,
  );
  const driver = weightedWindowMean(
    machineSpans,
    machine.map((sample) => sample.driverCpuPercent),
    bounds,
  );
  return {
    offsetMs: bounds.offsetMs,
    durationMs: bounds.durationMs,
    intervalMs: report.intervalMs,
    samples: round2(tree.samples),
    coveredMs: round2(tree.coveredMs),
    treeCpuPercent: round2(tree.mean ?? 0),
    outsideCpuPercent: round2(outside.mean ?? 0),
    // No machine samples (no /proc, an older record): nothing to judge competition on; the outside CPU counts whole.
    ...(competing.mean === null ? {} : { competingCpuPercent: round2(competing.mean) }),
    driverCpuPercent: round2(driver.mean ?? 0),
    tooShort: tree.samples < minSamples,
  };
}

/**
 * The window a verdict should judge: the measured one when the driver
 * placed it, else the monitor's whole window (a seed pipeline, an older
 * record).
 */
export function judgedWindow(report: MonitorReport): MeasuredWindow | null {
  if (report.window) return report.window;
  const whole = measureWindow(report, { offsetMs: 0, durationMs: report.durationMs });
  // Over the whole window the counters read at its two ends are exact; the samples only count the evidence.
  return (
    whole && {
      ...whole,
      treeCpuPercent: report.summary.treeCpuPercent,
      outsideCpuPercent: report.summary.outsideCpuPercent,
      driverCpuPercent: report.summary.driverCpuPercent,
    }
  );
}
