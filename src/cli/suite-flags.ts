/**
 * The flags that override suite fields, shared by `conlab run` and
 * `conlab suite show` so both expand a suite the same way.
 */
import { parseIntFlag, parseIntListFlag, parseNameListFlag } from './args.ts';
import { parseDuration } from './grammar.ts';
import type { SuiteOverrides } from '../suite/resolve.ts';

export const overrideFlags = {
  runtimes: { type: 'string' },
  reps: { type: 'string' },
  warmup: { type: 'string' },
  order: { type: 'string' },
  seed: { type: 'string' },
  'time-budget': { type: 'string' },
  duration: { type: 'string' },
  items: { type: 'string' },
  concurrency: { type: 'string' },
  connections: { type: 'string' },
} as const;

type OverrideValues = Partial<Record<keyof typeof overrideFlags, string | boolean | undefined>>;

const text = (value: string | boolean | undefined): string | undefined =>
  typeof value === 'string' ? value : undefined;

export function readOverrides(values: OverrideValues): SuiteOverrides {
  const overrides: SuiteOverrides = {};
  const runtimes = text(values.runtimes);
  if (runtimes !== undefined) overrides.runtimes = parseNameListFlag(runtimes);
  const reps = text(values.reps);
  if (reps !== undefined) overrides.repetitions = parseIntFlag('reps', reps, 1, 100);
  const warmup = text(values.warmup);
  if (warmup !== undefined) overrides.warmupS = parseDuration('warmup', warmup, 0, 600);
  const order = text(values.order);
  // The schema checks the value and suggests the closest order name.
  if (order !== undefined) overrides.order = order;
  const seed = text(values.seed);
  if (seed !== undefined) overrides.seed = parseIntFlag('seed', seed, 0, 0xffffffff);
  const budget = text(values['time-budget']);
  if (budget !== undefined) overrides.timeBudgetS = parseDuration('time-budget', budget, 1, 7 * 24 * 3600);
  const duration = text(values.duration);
  if (duration !== undefined) overrides.durationS = parseDuration('duration', duration, 0.1, 3600);
  const items = text(values.items);
  if (items !== undefined) overrides.items = parseIntFlag('items', items, 1, 10_000_000);
  const concurrency = text(values.concurrency);
  if (concurrency !== undefined)
    overrides.concurrency = parseIntListFlag('concurrency', concurrency, 1, 1024);
  const connections = text(values.connections);
  if (connections !== undefined)
    overrides.connections = parseIntListFlag('connections', connections, 1, 10_000);
  return overrides;
}
