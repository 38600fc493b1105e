/**
 * Where a server cell's measured load window sits in the monitor's window
 * (CellBase.measuredOffsetMs), and what the server used inside it.
 *
 * runLoad runs warm-up and measurement back to back on the same connections
 * and starts its threads at an instant it does not report; the measured
 * window (t=0 of LoadResult.timeline) begins warmupS after it. The driver
 * brackets that start from what it sees on its own clock:
 * - not before runLoad was called + the warm-up (thread start-up only adds);
 * - not after each whole timeline second arrived minus its end ((k+1) s):
 *   a second is reported only once it is over, a few ms late at most;
 * - not after runLoad resolved minus the measured length it reports.
 * The tightest upper bound is the estimate (late by the report's delivery
 * time, a few ms), never earlier than the lower bound.
 */
import type { MonitorReport } from '../../monitor/types.ts';
import { measureWindow } from '../../monitor/window.ts';

export interface LoadWindowTimes {
  /** Driver clock (performance.now()) just before the monitor started: its t=0. */
  monitorStartMs: number;
  /** Driver clock just before runLoad was called. */
  loadCalledMs: number;
  warmupS: number;
  /** The planned measured seconds: a timeline point past a whole second is the partial last one. */
  durationS: number;
  /** Driver clock when runLoad resolved, and the measured length it reported (LoadResult.durationS). */
  loadEndedMs: number;
  measuredS: number;
  /** Driver clock when each timeline second arrived (runLoad's onProgress hook). */
  secondArrivals: readonly { second: number; atMs: number }[];
}

/** Milliseconds from the monitor's t=0 to the start of the measured load window. */
export function loadWindowOffsetMs(times: LoadWindowTimes): number {
  const lower = times.loadCalledMs + times.warmupS * 1000;
  let upper = times.loadEndedMs - times.measuredS * 1000;
  for (const { second, atMs } of times.secondArrivals) {
    if (second + 1 <= times.durationS) upper = Math.min(upper, atMs - (second + 1) * 1000);
  }
  return Math.round((Math.max(lower, upper) - times.monitorStartMs) * 1000) / 1000;
}

/**
 * The server tree's CPU over the measured window, each monitor sample
 * weighted by the share of its span inside the window (the warm-up's last
 * sample and the one after the load straddle its edges: src/monitor/window.ts),
 * and the peak RSS of the samples that overlap it. Whole-window summary when
 * no sample overlaps (monitor unavailable or a very short run).
 */
export function measuredServerUsage(
  report: MonitorReport,
  window: { offsetMs: number; durationMs: number },
): { serverCpuPercent: number; serverPeakRssBytes: number } {
  const measured = report.window ?? measureWindow(report, window);
  const endMs = window.offsetMs + window.durationMs;
  let fromMs = 0;
  const overlapping = report.tree.filter((sample) => {
    const inside = sample.tMs > window.offsetMs && fromMs < endMs;
    fromMs = sample.tMs;
    return inside;
  });
  if (!measured || measured.coveredMs === 0 || overlapping.length === 0) {
    return {
      serverCpuPercent: report.summary.treeCpuPercent,
      serverPeakRssBytes: report.summary.treePeakRssBytes,
    };
  }
  return {
    serverCpuPercent: measured.treeCpuPercent,
    serverPeakRssBytes: Math.max(...overlapping.map((sample) => sample.rssBytes)),
  };
}
