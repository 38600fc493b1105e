/** `sequential`: one item after another on the main thread — the speedup baseline. */
import { getWorkload } from '../workloads/index.ts';
import type { ItemAnswer } from '../workloads/types.ts';
import { inProcessExecutor } from './bounded.ts';
import { heavy } from './label.ts';
import type { ModelDefinition } from './types.ts';

export const model: ModelDefinition = {
  name: 'sequential',
  description: 'one item after another on the main thread (the baseline)',
  measuredByDefault: true,
  // No axes: concurrency changes nothing, so it runs once at 1.
  axes: {},
  cores: () => 1,
  label: (kind) => `Sequential ${heavy(kind)}`,
  create(config) {
    const workload = getWorkload(config.workload);
    const { runItem } = workload;
    if (runItem) {
      // A user module's task may be async: each item is awaited before the next starts (one at a time,
      // as sequential means); a synchronous task never meets an await.
      return inProcessExecutor(async (items, onDone) => {
        const answers: ItemAnswer[] = [];
        for (let i = 0; i < items; i++) {
          const answer = runItem(config.params, i);
          answers.push(typeof answer === 'object' ? await answer : answer);
          onDone?.(1);
        }
        return answers;
      });
    }
    return inProcessExecutor((items, onDone) => {
      const answers: ItemAnswer[] = [];
      for (let i = 0; i < items; i++) {
        answers.push(workload.runSync(config.params, i));
        onDone?.(1);
      }
      return Promise.resolve(answers);
    });
  },
};
