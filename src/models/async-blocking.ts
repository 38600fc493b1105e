/** `async-blocking`: async functions whose body blocks (runSync) — the "falsely async" pitfall. */
import { getWorkload } from '../workloads/index.ts';
import type { ItemAnswer } from '../workloads/types.ts';
import { inFlightAxis, inProcessExecutor, runBounded } from './bounded.ts';
import { heavy } from './label.ts';
import type { ModelDefinition } from './types.ts';

export const model: ModelDefinition = {
  name: 'async-blocking',
  description: 'async functions whose body blocks (runSync): the "falsely async" pitfall',
  measuredByDefault: false,
  syncOnly:
    'it calls the task synchronously inside async functions (the "falsely async" pitfall); an async task has no synchronous work to block with, so the cell would measure the async model under another name',
  axes: { concurrency: inFlightAxis },
  cores: () => 1,
  label: (kind, c) => `Falsely-asynchronous ${heavy(kind)} (${c.concurrency} in flight)`,
  create(config) {
    const workload = getWorkload(config.workload);
    // The pitfall as it is usually written: an async function that awaits something, then blocks.
    // It looks concurrent, but each call holds the thread until its blocking part is over.
    const blockingItem = async (i: number): Promise<ItemAnswer> => {
      await Promise.resolve();
      return workload.runSync(config.params, i);
    };
    return inProcessExecutor((items, onDone) => runBounded(items, config.concurrency, blockingItem, onDone));
  },
};
