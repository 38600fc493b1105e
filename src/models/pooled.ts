/**
 * The executor of every pool-based model: threads (worker_threads),
 * processes (child processes) and hybrid (processes each running a thread
 * pool) differ only in the pool they ask for.
 */
import { Pool } from './pool/pool.ts';
import type { Executor, ModelConfig } from './types.ts';

/** Time for a pool (or one spawned worker) to start and warm. */
export const POOL_START_TIMEOUT_MS = 60_000;

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
  });
  return {
    start: () => pool.start(),
    run: (items, onDone) => pool.run(items, config.itemsPerTask, onDone),
    stop: () => pool.stop(),
    pids: () => pool.pids(),
  };
}
