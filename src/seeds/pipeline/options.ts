/**
 * Seed 001's pipeline parameters, in the two steps STYLE.md asks for: what
 * the user typed is validated by the CLI into `PipelineOptions`, every
 * default filled in, and that resolved form is what runs and what is stored.
 * This file is shared by the driver and the subject, so it imports nothing
 * outside node: and itself.
 */

export const pipelineMethods = ['sequential', 'async', 'threads', 'processes'] as const;
export type PipelineMethod = (typeof pipelineMethods)[number];

/** The seed's constants: a 256 KiB buffer, a 0.1 s receive delay, compute touches every 8th byte. */
export const SEED_BUFFER_KIB = 256;
export const SEED_RECV_DELAY_S = 0.1;
export const TOUCH_STRIDE = 8;

export interface PipelineOptions {
  method: PipelineMethod;
  /** Number of pipelines running at once. */
  concurrency: number;
  /** Each pipeline starts a new iteration while less than this many seconds have passed since the barrier. */
  durationS: number;
  bufferKiB: number;
  recvDelayS: number;
}

/**
 * The seed's "GIL enabled" column, for JavaScript: True when the method runs
 * every pipeline's JavaScript on one thread (it cannot compute in parallel),
 * False when pipelines have their own threads or processes.
 */
export function methodIsSingleThreaded(method: PipelineMethod): boolean {
  return method === 'sequential' || method === 'async';
}

/** The rate a pipeline cannot exceed: one buffer per receive delay (2.5 MiB/s with the seed's constants). */
export function idealPipelineMiBps(options: Pick<PipelineOptions, 'bufferKiB' | 'recvDelayS'>): number {
  return options.bufferKiB / 1024 / options.recvDelayS;
}

/** What one pipeline did, reported by whichever thread or process ran it. */
export interface PipelineTally {
  index: number;
  iterations: number;
  bytesWritten: number;
  /** Seconds this pipeline spent between the barrier and its last fsync. */
  elapsedS: number;
  /** Wall clock (ms since the epoch, sub-ms precision) when this pipeline started and ended, comparable across threads and processes. */
  startedAtMs: number;
  endedAtMs: number;
}

/** What the subject measured for one run (one method at one concurrency). */
export interface PipelineMeasurement {
  runtime: string;
  /** Seconds from releasing the barrier to the last pipeline finishing. */
  elapsedS: number;
  bytesWritten: number;
  /** Compute stage alone on one thread, MiB/s: the seed's "sequential compute throughput". */
  seqComputeMiBps: number;
  pipelines: PipelineTally[];
  /** Real PIDs that ran pipelines (the subject, plus each child for `processes`). */
  pids: number[];
  /** worker_threads ids that ran pipelines (`threads` only). */
  threadIds: number[];
}

/** Milliseconds since the epoch with sub-millisecond precision, comparable between threads and processes. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Name of the file pipeline `index` writes, inside the run's temporary directory. */
export function pipelineFileName(index: number): string {
  return `pipeline-${String(index).padStart(4, '0')}.dat`;
}
