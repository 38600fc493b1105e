/** `threads`: a worker_threads pool of `concurrency` threads. */
import { heavy, perTask, plural } from './label.ts';
import { itemsPerTaskAxis, poolExecutor, workersAxis } from './pooled.ts';
import type { ModelDefinition } from './types.ts';

export const model: ModelDefinition = {
  name: 'threads',
  description: 'worker_threads pool of `concurrency` threads',
  measuredByDefault: true,
  axes: { concurrency: workersAxis(256), itemsPerTask: itemsPerTaskAxis },
  cores: (shape) => shape.concurrency,
  label: (kind, c) =>
    `Threaded ${heavy(kind)} (${plural(c.concurrency, 'thread')}, ${perTask(c.itemsPerTask)})`,
  create: (config) => poolExecutor(config, 'thread', 0),
};
