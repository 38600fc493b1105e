/** `hybrid`: `concurrency` processes, each running a pool of `threadsPerProcess` threads. */
import { heavy, perTask, plural } from './label.ts';
import { poolExecutor } from './pooled.ts';
import type { ModelDefinition } from './types.ts';

export const model: ModelDefinition = {
  name: 'hybrid',
  description: '`concurrency` processes, each with a pool of `threadsPerProcess` threads',
  measuredByDefault: false,
  axes: {
    concurrency: { default: 2, min: 1, max: 32 },
    threadsPerProcess: { default: 2, min: 1, max: 64 },
    itemsPerTask: { default: 1, min: 1, max: 1_000_000 },
  },
  cores: (shape) => shape.concurrency * shape.threadsPerProcess,
  label: (kind, c) =>
    `Hybrid ${heavy(kind)} (${plural(c.concurrency, 'process')} × ${plural(c.threadsPerProcess, 'thread')}, ${perTask(c.itemsPerTask)})`,
  create: (config) => poolExecutor(config, 'process', config.threadsPerProcess),
};
