/**
 * The executor interface every model implements, and the definition a model
 * registers (src/models/registry.ts). Lifecycle: start() starts and warms
 * everything the model needs (pools), run() is the only timed part, stop()
 * leaves no thread or process behind.
 */
import type { ItemAnswer, ParamValues } from '../workloads/types.ts';

/**
 * The cell fields a model may vary, in display order. Every batch cell (and
 * every result record) carries all of them; a model that does not declare an
 * axis runs with it fixed at 1. A model that needs a kind of axis not listed
 * here needs a new cell field (and record column) first.
 */
export const modelAxisNames = ['concurrency', 'threadsPerProcess', 'itemsPerTask'] as const;
export type ModelAxisName = (typeof modelAxisNames)[number];

/** A model's resolved shape: one value per axis. */
export type ModelShape = Record<ModelAxisName, number>;

/** One axis a model varies: the value used when none is given, and the range it accepts. */
export interface ModelAxis {
  default: number;
  min: number;
  max: number;
}

export interface ModelConfig extends ModelShape {
  workload: string;
  /** Resolved params (defaults filled in). */
  params: ParamValues;
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
  /** Measured by `conlab batch` when no --models is given. */
  measuredByDefault: boolean;
  /**
   * Set by a model that runs the workload's synchronous path only: why it
   * cannot run a task declared `async` (a user module). Such a cell is
   * refused before anything starts.
   */
  syncOnly?: string;
  /**
   * The axes this model varies, each with its default and range:
   * concurrency (workers, or items in flight on one event loop),
   * threadsPerProcess, itemsPerTask (items per message to a worker). An axis
   * left out is fixed at 1: other values would only run the same cell again.
   */
  axes: Partial<Record<ModelAxisName, ModelAxis>>;
  /**
   * How many cores the model can keep busy running JavaScript at this shape:
   * the divisor of parallel efficiency (1 for anything on one event loop,
   * however many items are in flight).
   */
  cores(shape: ModelShape): number;
  /** Benchmark-name wording, as in seed 003's table. */
  label(kind: 'cpu' | 'io', shape: ModelShape): string;
  create(config: ModelConfig): Executor;
}
