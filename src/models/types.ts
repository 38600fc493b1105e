/**
 * The executor interface every model implements. Lifecycle: start() starts
 * and warms everything the model needs (pools), run() is the only timed
 * part, stop() leaves no thread or process behind.
 */
import type { ItemAnswer, ParamValues } from '../workloads/types.ts';

export interface ModelConfig {
  workload: string;
  /** Resolved params (defaults filled in). */
  params: ParamValues;
  /** Workers (threads, processes), or items in flight on one event loop (async). Hybrid: processes. */
  concurrency: number;
  /** Threads per process (hybrid only). */
  threadsPerProcess: number;
  /** Items sent to a worker in one message (pools and spawn). */
  itemsPerTask: number;
  /** Tasks a pool keeps in flight per worker: more hides dispatch latency, fewer balances load better. */
  inFlightPerWorker: number;
}

export interface Executor {
  start(): Promise<void>;
  /**
   * Runs items 0..items-1; answers in item order. Rejects with the reason
   * when any item fails. onDone (optional) hears how many items just finished,
   * for a progress timeline; it must be cheap.
   */
  run(items: number, onDone?: (count: number) => void): Promise<ItemAnswer[]>;
  stop(): Promise<void>;
  /** PIDs of the processes this executor started (not the subject itself). */
  pids(): number[];
}

export interface ModelDefinition {
  name: string;
  description: string;
  /** Upper bound of `concurrency` that still makes sense on one machine. */
  maxConcurrency: number;
  /** Whether concurrency changes anything (sequential: no, run once). */
  usesConcurrency: boolean;
  /** Whether items are sent to workers in tasks (pools): itemsPerTask only varies for these. */
  usesItemsPerTask: boolean;
  /** Benchmark-name wording, as in seed 003's table. */
  label(
    kind: 'cpu' | 'io',
    config: Pick<ModelConfig, 'concurrency' | 'threadsPerProcess' | 'itemsPerTask'>,
  ): string;
  create(config: ModelConfig): Executor;
}
