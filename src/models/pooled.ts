/**
 * The executor of every pool-based model: threads (worker_threads),
 * processes (child processes) and hybrid (processes each running a thread
 * pool) differ only in the pool they ask for.
 */
import { getWorkload } from '../workloads/index.ts';
import { Pool } from './pool/pool.ts';
import type { Executor, ModelAxis, ModelConfig } from './types.ts';

/** Items per message to a worker: every pool model sends items in tasks. */
export const itemsPerTaskAxis: ModelAxis = { default: 1, min: 1, max: 1_000_000 };

/** Workers of a pool, up to what still makes sense on one machine (each is a whole isolate or process). */
export const workersAxis = (max: number): ModelAxis => ({ default: 2, min: 1, max });

/** Time for a pool (or one spawned worker) to start and warm. */
export const POOL_START_TIMEOUT_MS = 60_000;

/** A workload's own item values (a module's items()), which its pools send with each task. */
export function itemValuesOf(config: ModelConfig): { itemValues?: readonly unknown[] } {
  const { itemValues } = getWorkload(config.workload);
  return itemValues ? { itemValues } : {};
}

export function poolExecutor(
  config: ModelConfig,
  kind: 'thread' | 'process',
  threadsPerProcess: number,
): Executor {
  const pool = new Pool({
    kind,
    size: config.concurrency,
    workload: config.workload,
    params: config.params,
    threadsPerProcess,
    inFlightPerWorker: config.inFlightPerWorker,
    startTimeoutMs: POOL_START_TIMEOUT_MS,
    ...itemValuesOf(config),
  });
  return {
    start: () => pool.start(),
    run: (items, onDone) => pool.run(items, config.itemsPerTask, onDone),
    stop: () => pool.stop(),
    pids: () => pool.pids(),
  };
}
