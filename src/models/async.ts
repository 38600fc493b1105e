/** `async`: the workload's runAsync with at most `concurrency` items in flight on one event loop. */
import { getWorkload } from '../workloads/index.ts';
import { inFlightAxis, inProcessExecutor, runBounded } from './bounded.ts';
import { heavy } from './label.ts';
import type { ModelDefinition } from './types.ts';

export const model: ModelDefinition = {
  name: 'async',
  description: 'runAsync with at most `concurrency` items in flight on one event loop',
  measuredByDefault: true,
  axes: { concurrency: inFlightAxis },
  // One event loop runs one item's JavaScript at a time, however many wait on I/O.
  cores: () => 1,
  label: (kind, c) =>
    `${kind === 'io' ? 'Truly-asynchronous' : 'Asynchronous'} ${heavy(kind)} (${c.concurrency} in flight)`,
  create(config) {
    const workload = getWorkload(config.workload);
    return inProcessExecutor((items, onDone) =>
      runBounded(items, config.concurrency, (i) => workload.runAsync(config.params, i), onDone),
    );
  },
};
