/**
 * Models built on the pool: threads (worker_threads), processes (child
 * processes), hybrid (processes each running a thread pool) and spawn (a
 * fresh process per item, at most `concurrency` at once: the cost a pool
 * avoids).
 */
import { Pool } from './pool/pool.ts';
import { runBounded } from './in-process.ts';
import type { Executor, ModelConfig } from './types.ts';

const START_TIMEOUT_MS = 60_000;

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
    startTimeoutMs: START_TIMEOUT_MS,
  });
  return {
    start: () => pool.start(),
    run: (items, onDone) => pool.run(items, config.itemsPerTask, onDone),
    stop: () => pool.stop(),
    pids: () => pool.pids(),
  };
}

export function spawnExecutor(config: ModelConfig): Executor {
  const pids = new Set<number>();
  const live = new Set<Pool>();
  const runTask = async (start: number): Promise<(string | number)[]> => {
    const pool = new Pool({
      kind: 'process',
      size: 1,
      workload: config.workload,
      params: config.params,
      threadsPerProcess: 0,
      inFlightPerWorker: 1,
      startTimeoutMs: START_TIMEOUT_MS,
    });
    live.add(pool);
    try {
      await pool.start();
      for (const pid of pool.pids()) pids.add(pid);
      return await pool.submit(start, 1);
    } finally {
      await pool.stop();
      live.delete(pool);
    }
  };
  return {
    // Nothing to warm: starting the process is the cost this model measures.
    start: () => Promise.resolve(),
    run: (items, onDone) =>
      runBounded(items, config.concurrency, async (i) => (await runTask(i))[0] as string | number, onDone),
    async stop() {
      await Promise.all([...live].map((pool) => pool.stop()));
    },
    pids: () => [...pids],
  };
}
