/**
 * Models that run items on the subject's own event loop: sequential, async
 * (bounded concurrency, the workload's runAsync) and async-blocking (the same
 * async structure around runSync: the "falsely async" pitfall).
 */
import { getWorkload } from '../workloads/index.ts';
import type { ItemAnswer } from '../workloads/types.ts';
import type { Executor, ModelConfig } from './types.ts';

/** Runs items with at most `limit` of them in flight; the first failure rejects (in-flight items still finish). */
export async function runBounded(
  items: number,
  limit: number,
  runItem: (index: number) => Promise<ItemAnswer>,
  onDone?: (count: number) => void,
): Promise<ItemAnswer[]> {
  const answers = new Array<ItemAnswer>(items);
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < items) {
      const index = next++;
      try {
        answers[index] = await runItem(index);
        onDone?.(1);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items) }, lane));
  return answers;
}

export function sequentialExecutor(config: ModelConfig): Executor {
  const workload = getWorkload(config.workload);
  return {
    start: () => Promise.resolve(),
    run(items, onDone) {
      const answers: ItemAnswer[] = [];
      for (let i = 0; i < items; i++) {
        answers.push(workload.runSync(config.params, i));
        onDone?.(1);
      }
      return Promise.resolve(answers);
    },
    stop: () => Promise.resolve(),
    pids: () => [],
  };
}

export function asyncExecutor(config: ModelConfig): Executor {
  const workload = getWorkload(config.workload);
  return {
    start: () => Promise.resolve(),
    run: (items, onDone) =>
      runBounded(items, config.concurrency, (i) => workload.runAsync(config.params, i), onDone),
    stop: () => Promise.resolve(),
    pids: () => [],
  };
}

export function asyncBlockingExecutor(config: ModelConfig): Executor {
  const workload = getWorkload(config.workload);
  // The pitfall as it is usually written: an async function that awaits something, then blocks.
  // It looks concurrent, but each call holds the thread until its blocking part is over.
  const blockingItem = async (i: number): Promise<ItemAnswer> => {
    await Promise.resolve();
    return workload.runSync(config.params, i);
  };
  return {
    start: () => Promise.resolve(),
    run: (items, onDone) => runBounded(items, config.concurrency, blockingItem, onDone),
    stop: () => Promise.resolve(),
    pids: () => [],
  };
}
