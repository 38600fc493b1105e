/** `threads`: a worker_threads pool of `concurrency` threads. */
import { heavy, perTask, plural } from './label.ts';
import { poolExecutor } from './pooled.ts';
import type { ModelDefinition } from './types.ts';

export const model: ModelDefinition = {
  name: 'threads',
  description: 'worker_threads pool of `concurrency` threads',
  measuredByDefault: true,
  axes: {
    concurrency: { default: 2, min: 1, max: 256 },
    itemsPerTask: { default: 1, min: 1, max: 1_000_000 },
  },
  cores: (shape) => shape.concurrency,
  label: (kind, c) =>
    `Threaded ${heavy(kind)} (${plural(c.concurrency, 'thread')}, ${perTask(c.itemsPerTask)})`,
  create: (config) => poolExecutor(config, 'thread', 0),
};
