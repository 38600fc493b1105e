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
