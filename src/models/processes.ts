/** `processes`: a child-process pool of `concurrency` processes, items sent in tasks. */
import { heavy, perTask, plural } from './label.ts';
import { itemsPerTaskAxis, poolExecutor, workersAxis } from './pooled.ts';
import type { ModelDefinition } from './types.ts';

export const model: ModelDefinition = {
  name: 'processes',
  description: 'child-process pool of `concurrency` processes, items-per-task chunking',
  measuredByDefault: true,
  axes: { concurrency: workersAxis(64), itemsPerTask: itemsPerTaskAxis },
  cores: (shape) => shape.concurrency,
  label: (kind, c) =>
    `Multiprocessed ${heavy(kind)} (${plural(c.concurrency, 'process')}, ${perTask(c.itemsPerTask)})`,
  create: (config) => poolExecutor(config, 'process', 0),
};
