/**
 * The one typed message protocol between runLoad (main thread) and its
 * generator threads. Histograms cross threads encoded (src/load/hdr.ts),
 * never as sample arrays.
 */
import type { ErrorKind } from './types.ts';
import type { ResolvedLoadOptions } from './options.ts';
import type { ResolvedTarget } from './target.ts';

/** What one generator thread is asked to do (its workerData). */
export interface ThreadPlan {
  threadIndex: number;
  options: ResolvedLoadOptions;
  target: ResolvedTarget;
  connections: number;
  /** This thread's share of -n, or undefined for a timed run. */
  requests: number | undefined;
  /** This thread's share of -R, or undefined for the closed loop. */
  rateRps: number | undefined;
  /** Offset of this thread's first scheduled send, so threads interleave instead of sending in bursts. */
  phaseMs: number;
}

export type ToThread = { type: 'start'; startAtEpochMs: number } | { type: 'stop' };

export interface SecondReport {
  type: 'second';
  threadIndex: number;
  second: number;
  requests: number;
  errors: number;
  histogram: string;
}

export interface ThreadSummary {
  threadIndex: number;
  connections: number;
  requests: number;
  errors: Partial<Record<ErrorKind, number>>;
  bytesRead: number;
  /** Measured window length as this thread saw it. */
  measuredMs: number;
  histogram: string;
  histogramUncorrected: string | undefined;
  /** Open loop: lateness of sends that found a free connection (the generator's own drift). */
  sendLagHistogram: string | undefined;
  scheduled: number;
  /** Requests that waited for a free connection past their scheduled time (open loop). */
  backlogged: number;
  /**
   * Measured requests still in flight or waiting for a connection when the
   * window closed (or answered after it): censored, their latency known only
   * to be at least their age then.
   */
  unfinished: number;
  /** Those ages (µs, from the scheduled time; closed loop: from the send), encoded; lower bounds. */
  censoredHistogram: string;
  /** The subset with no reply at all when the thread finished (not merely read late): stall candidates. */
  waitingHistogram: string;
  cpuUs: number | null;
  cpuSource: 'thread' | 'none';
  eventLoopUtilization: number;
  /** Time runnable but waiting for a CPU over the window (µs), null where unreadable. */
  runQueueWaitUs: number | null;
  errorSamples: string[];
}

export type FromThread =
  | { type: 'ready'; threadIndex: number }
  | SecondReport
  | { type: 'done'; summary: ThreadSummary }
  | { type: 'fatal'; threadIndex: number; message: string };
