/**
 * The flags that override suite fields, shared by `conlab run` and
 * `conlab suite show` so both expand a suite the same way.
 */
import {
  parseIntFlag,
  parseIntListFlag,
  parseNameListFlag,
  parsePercentPointsFlag,
  parseRepsFlag,
} from './args.ts';
import { MIN_WINDOW_LIMITS_S } from '../batch/sizing.ts';
import { ADAPTIVE_LIMITS } from '../stats/precision.ts';
import { parseDuration } from './grammar.ts';
import type { SuiteOverrides } from '../suite/resolve.ts';

export const overrideFlags = {
  runtimes: { type: 'string' },
  reps: { type: 'string' },
  precision: { type: 'string' },
  'max-reps': { type: 'string' },
  'min-window': { type: 'string' },
  warmup: { type: 'string' },
  order: { type: 'string' },
  seed: { type: 'string' },
  'time-budget': { type: 'string' },
  duration: { type: 'string' },
  items: { type: 'string' },
  concurrency: { type: 'string' },
  connections: { type: 'string' },
} as const;

/** `--precision 5%`: the same flag and range in `conlab run` and `conlab batch`. */
export const parsePrecisionFlag = (value: string): number =>
  parsePercentPointsFlag(
    'precision',
    value,
    ADAPTIVE_LIMITS.targetPercent.min,
    ADAPTIVE_LIMITS.targetPercent.max,
  );

/** `--max-reps 10`. */
export const parseMaxRepsFlag = (value: string): number =>
  parseIntFlag('max-reps', value, ADAPTIVE_LIMITS.maxRepetitions.min, ADAPTIVE_LIMITS.maxRepetitions.max);

/** `--min-window 1s`, in seconds. */
export const parseMinWindowFlag = (value: string): number =>
  parseDuration('min-window', value, MIN_WINDOW_LIMITS_S.min, MIN_WINDOW_LIMITS_S.max);

type OverrideValues = Partial<Record<keyof typeof overrideFlags, string | boolean | undefined>>;

const text = (value: string | boolean | undefined): string | undefined =>
  typeof value === 'string' ? value : undefined;

export function readOverrides(values: OverrideValues): SuiteOverrides {
  const overrides: SuiteOverrides = {};
  const runtimes = text(values.runtimes);
  if (runtimes !== undefined) overrides.runtimes = parseNameListFlag(runtimes);
  const reps = text(values.reps);
  if (reps !== undefined) overrides.repetitions = parseRepsFlag(reps, 100);
  const precision = text(values.precision);
  if (precision !== undefined) overrides.precision = parsePrecisionFlag(precision);
  const maxReps = text(values['max-reps']);
  if (maxReps !== undefined) overrides.maxRepetitions = parseMaxRepsFlag(maxReps);
  const minWindow = text(values['min-window']);
  if (minWindow !== undefined) overrides.minWindowS = parseMinWindowFlag(minWindow);
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
