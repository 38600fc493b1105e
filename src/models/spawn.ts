/** `spawn`: a fresh process per item, at most `concurrency` at once — the cost a pool avoids. */
import { runBounded } from './bounded.ts';
import { heavy, plural } from './label.ts';
import { Pool } from './pool/pool.ts';
import { itemValuesOf, POOL_START_TIMEOUT_MS, workersAxis } from './pooled.ts';
import type { ModelDefinition } from './types.ts';

export const model: ModelDefinition = {
  name: 'spawn',
  description: 'a new process per item, at most `concurrency` at once (the cost a pool avoids)',
  measuredByDefault: false,
  axes: { concurrency: workersAxis(64) },
  cores: (shape) => shape.concurrency,
  label: (kind, c) => `Process-per-item ${heavy(kind)} (at most ${plural(c.concurrency, 'process')})`,
  create(config) {
    const ownItems = itemValuesOf(config);
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
        startTimeoutMs: POOL_START_TIMEOUT_MS,
        ...ownItems,
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
  },
};
