/** Bounded concurrency on one event loop: the lanes shared by async, async-blocking and spawn. */
import type { ItemAnswer } from '../workloads/types.ts';
import type { Executor, ModelAxis } from './types.ts';

/** Items in flight on one event loop. */
export const inFlightAxis: ModelAxis = { default: 8, min: 1, max: 10_000 };

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

/** An executor with nothing to start or stop, for models that run on the subject's own event loop. */
export function inProcessExecutor(
  run: (items: number, onDone?: (count: number) => void) => Promise<ItemAnswer[]>,
): Executor {
  return { start: () => Promise.resolve(), run, stop: () => Promise.resolve(), pids: () => [] };
}
