/**
 * The model registry. Adding a model = one executor factory + one entry here.
 */
import { ErrorCodes, unknownName } from '../core/errors.ts';
import { asyncBlockingExecutor, asyncExecutor, sequentialExecutor } from './in-process.ts';
import { poolExecutor, spawnExecutor } from './pooled.ts';
import type { ModelDefinition } from './types.ts';

const heavy = (kind: 'cpu' | 'io'): string =>
  kind === 'cpu' ? 'CPU heavy processing' : 'IO heavy processing';
const plural = (n: number, word: string): string =>
  `${n} ${word}${n === 1 ? '' : word.endsWith('s') ? 'es' : 's'}`;
const perTask = (n: number): string => `${n} item${n === 1 ? '' : 's'} per task`;

export const models: Record<string, ModelDefinition> = {
  sequential: {
    name: 'sequential',
    description: 'one item after another on the main thread (the baseline)',
    maxConcurrency: 1,
    usesConcurrency: false,
    usesItemsPerTask: false,
    label: (kind) => `Sequential ${heavy(kind)}`,
    create: sequentialExecutor,
  },
  'async-blocking': {
    name: 'async-blocking',
    description: 'async functions whose body blocks (runSync): the "falsely async" pitfall',
    maxConcurrency: 10_000,
    usesConcurrency: true,
    usesItemsPerTask: false,
    label: (kind, c) => `Falsely-asynchronous ${heavy(kind)} (${c.concurrency} in flight)`,
    create: asyncBlockingExecutor,
  },
  async: {
    name: 'async',
    description: 'runAsync with at most `concurrency` items in flight on one event loop',
    maxConcurrency: 10_000,
    usesConcurrency: true,
    usesItemsPerTask: false,
    label: (kind, c) =>
      `${kind === 'io' ? 'Truly-asynchronous' : 'Asynchronous'} ${heavy(kind)} (${c.concurrency} in flight)`,
    create: asyncExecutor,
  },
  threads: {
    name: 'threads',
    description: 'worker_threads pool of `concurrency` threads',
    maxConcurrency: 256,
    usesConcurrency: true,
    usesItemsPerTask: true,
    label: (kind, c) =>
      `Threaded ${heavy(kind)} (${plural(c.concurrency, 'thread')}, ${perTask(c.itemsPerTask)})`,
    create: (config) => poolExecutor(config, 'thread', 0),
  },
  processes: {
    name: 'processes',
    description: 'child-process pool of `concurrency` processes, items-per-task chunking',
    maxConcurrency: 64,
    usesConcurrency: true,
    usesItemsPerTask: true,
    label: (kind, c) =>
      `Multiprocessed ${heavy(kind)} (${plural(c.concurrency, 'process')}, ${perTask(c.itemsPerTask)})`,
    create: (config) => poolExecutor(config, 'process', 0),
  },
  hybrid: {
    name: 'hybrid',
    description: '`concurrency` processes, each with a pool of `threadsPerProcess` threads',
    maxConcurrency: 32,
    usesConcurrency: true,
    usesItemsPerTask: true,
    label: (kind, c) =>
      `Hybrid ${heavy(kind)} (${plural(c.concurrency, 'process')} × ${plural(c.threadsPerProcess, 'thread')}, ${perTask(c.itemsPerTask)})`,
    create: (config) => poolExecutor(config, 'process', config.threadsPerProcess),
  },
  spawn: {
    name: 'spawn',
    description: 'a new process per item, at most `concurrency` at once (the cost a pool avoids)',
    maxConcurrency: 64,
    usesConcurrency: true,
    usesItemsPerTask: false,
    label: (kind, c) => `Process-per-item ${heavy(kind)} (at most ${plural(c.concurrency, 'process')})`,
    create: spawnExecutor,
  },
};

export const modelNames = Object.keys(models);

export function getModel(name: string): ModelDefinition {
  const model = models[name];
  if (!model) throw unknownName(ErrorCodes.UNKNOWN_MODEL, 'model', name, modelNames);
  return model;
}

export type { Executor, ModelConfig, ModelDefinition } from './types.ts';
