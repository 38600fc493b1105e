/**
 * The messages between runLoad (main thread) and its generator threads, in
 * the one envelope of src/core/subject/protocol.ts (ready / done / error,
 * plus start, stop and the per-second report). Histograms cross threads
 * encoded (src/stats/hdr.ts), never as sample arrays.
 */
import type { Done, Failure, Message, Ready } from '../core/subject/protocol.ts';
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

export type ToThread = (Message<'start'> & { startAtEpochMs: number }) | Message<'stop'>;

export interface SecondReport extends Message<'second'> {
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
  /** When this thread began measuring (epoch ms); absent when it never did. */
  measureBeganEpochMs?: number;
}

export type FromThread =
  | Ready<{ threadIndex: number }>
  | SecondReport
  | Done<{ summary: ThreadSummary }>
  | Failure<{ threadIndex: number }>;
