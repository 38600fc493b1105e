/** `hybrid`: `concurrency` processes, each running a pool of `threadsPerProcess` threads. */
import { heavy, perTask, plural } from './label.ts';
import { itemsPerTaskAxis, poolExecutor, workersAxis } from './pooled.ts';
import type { ModelDefinition } from './types.ts';

export const model: ModelDefinition = {
  name: 'hybrid',
  description: '`concurrency` processes, each with a pool of `threadsPerProcess` threads',
  measuredByDefault: false,
  axes: {
    concurrency: workersAxis(32),
    threadsPerProcess: { default: 2, min: 1, max: 64 },
    itemsPerTask: itemsPerTaskAxis,
  },
  cores: (shape) => shape.concurrency * shape.threadsPerProcess,
  label: (kind, c) =>
    `Hybrid ${heavy(kind)} (${plural(c.concurrency, 'process')} × ${plural(c.threadsPerProcess, 'thread')}, ${perTask(c.itemsPerTask)})`,
  create: (config) => poolExecutor(config, 'process', config.threadsPerProcess),
};
