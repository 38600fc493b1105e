/**
 * Gates: `p99<50ms`, `errors<0.1%`, `rps>2000` → typed thresholds, and their
 * evaluation against what was measured. Pure: text in, numbers out. What a
 * cell record or a load result measured is turned into GateValues above this
 * layer (src/results/thresholds.ts); which command may use which metric is
 * the caller's to say (`allowed`).
 *
 * Every value is converted once, here, to one unit per quantity: latency in
 * µs, error rate as a fraction, CPU in % of one core, memory in bytes, time
 * in ms. A unit that does not fit the metric (`p99<5req`) is refused with the
 * units that do.
 */
import { ErrorCodes, LabError, closestName } from '../core/errors.ts';

type Quantity = 'latency' | 'count-or-rate' | 'throughput' | 'cpu' | 'memory' | 'time';

interface MetricSpec {
  quantity: Quantity;
  /** What it is, for the error message's list. */
  description: string;
}

/** The latency percentiles a summary holds (src/stats/hdr.ts LatencySummaryUs), and `mean`. */
export const latencyMetricNames = ['p50', 'p90', 'p95', 'p99', 'p999', 'max', 'mean'] as const;
export type LatencyMetric = (typeof latencyMetricNames)[number];

const latency = (description: string): MetricSpec => ({ quantity: 'latency', description });

export const thresholdMetrics = {
  p50: latency('median latency'),
  p90: latency('90th percentile latency'),
  p95: latency('95th percentile latency'),
  p99: latency('99th percentile latency'),
  p999: latency('99.9th percentile latency'),
  max: latency('largest latency'),
  mean: latency('mean latency'),
  errors: {
    quantity: 'count-or-rate',
    description: 'failed requests: a count, or with % a share of all requests',
  },
  rps: { quantity: 'throughput', description: 'verified requests per second' },
  cpu: { quantity: 'cpu', description: "the server's (or subject's) CPU, % of one core" },
  rss: { quantity: 'memory', description: "the server's (or subject's) peak resident memory" },
  time: { quantity: 'time', description: "a batch cell's mean time for its items" },
} as const satisfies Record<string, MetricSpec>;

export type ThresholdMetric = keyof typeof thresholdMetrics;
export const thresholdMetricNames = Object.keys(thresholdMetrics) as ThresholdMetric[];

/** Spellings people type for a metric. */
const aliases: Record<string, ThresholdMetric> = {
  'p99.9': 'p999',
  median: 'p50',
  error: 'errors',
  throughput: 'rps',
  'req/s': 'rps',
  memory: 'rss',
  duration: 'time',
};

/** The value a metric is compared on, in its one unit: errors splits into a count and a rate. */
export type GateKey = LatencyMetric | 'errors' | 'errorRate' | 'rps' | 'cpuPercent' | 'rssBytes' | 'timeMs';

/** What was measured, per key, in the key's unit (latency µs, errorRate a fraction); absent = not measured. */
export type GateValues = Partial<Record<GateKey, number>>;

export const comparisons = ['<', '<=', '>', '>='] as const;
export type Comparison = (typeof comparisons)[number];

export interface Threshold {
  /** As written, without spaces: `p99<50ms`. */
  text: string;
  metric: ThresholdMetric;
  key: GateKey;
  op: Comparison;
  /** The limit in the key's unit (µs, fraction, % of a core, bytes, ms, req/s, count). */
  limit: number;
  /** The unit it was written in, to show measured values the same way (`ms`, `%`, `MiB`). */
  unit: string;
}

const latencyUnitsUs: Record<string, number> = { us: 1, µs: 1, μs: 1, ms: 1000, s: 1_000_000 };
const timeUnitsMs: Record<string, number> = { us: 0.001, µs: 0.001, μs: 0.001, ms: 1, s: 1000, m: 60_000 };
const memoryUnitsBytes: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
};

interface UnitRule {
  /** unit as typed (lower case) → factor to the key's unit; '' = no unit. */
  units: Record<string, number>;
  /** What the error message lists. */
  allowed: string;
}

function unitRule(quantity: Quantity): UnitRule {
  switch (quantity) {
    case 'latency':
      return { units: latencyUnitsUs, allowed: 'us (or µs), ms, s' };
    case 'time':
      return { units: timeUnitsMs, allowed: 'us, ms, s, m' };
    case 'memory':
      return { units: memoryUnitsBytes, allowed: 'B, KiB, MiB, GiB, kB, MB, GB' };
    case 'cpu':
      return { units: { '': 1, '%': 1 }, allowed: '% of one core' };
    case 'throughput':
      return { units: { '': 1, rps: 1, '/s': 1, 'req/s': 1 }, allowed: 'req/s' };
    case 'count-or-rate':
      return { units: { '': 1, '%': 0.01 }, allowed: 'a count, or % of the requests' };
  }
}

/** The metric list for error messages: "p50 … mean (latency: us, ms, s), errors (…), …". */
export function thresholdHelp(allowed: readonly ThresholdMetric[] = thresholdMetricNames): string {
  const latencies = allowed.filter((name) => thresholdMetrics[name].quantity === 'latency');
  const others = allowed.filter((name) => thresholdMetrics[name].quantity !== 'latency');
  const parts = latencies.length > 0 ? [`${latencies.join(', ')} (latency in us, ms or s)`] : [];
  for (const name of others) parts.push(`${name} (${unitRule(thresholdMetrics[name].quantity).allowed})`);
  return parts.join('; ');
}

function badThreshold(text: string, what: string, hint: string): LabError {
  return new LabError(ErrorCodes.BAD_THRESHOLD, `threshold '${text}' ${what}`, { hint });
}

const THRESHOLD_PATTERN = /^([a-z][a-z0-9./-]*)(<=|>=|<|>)(-?[0-9]*\.?[0-9]+(?:e[+-]?\d+)?)(.*)$/i;

/**
 * `p99<50ms` → a Threshold. `allowed` limits the metrics to those the
 * command measures (load has no server CPU); throws LAB_E_BAD_THRESHOLD
 * (exit 2) with what is allowed for anything else.
 */
export function parseThreshold(
  input: string,
  allowed: readonly ThresholdMetric[] = thresholdMetricNames,
): Threshold {
  const text = input.replace(/\s+/g, '');
  const example = "e.g. --threshold 'p99<50ms', 'errors<0.1%', 'rps>2000'";
  const match = THRESHOLD_PATTERN.exec(text);
  if (!match) {
    throw badThreshold(input, 'does not parse: the form is METRIC<VALUE (or <=, >, >=) with a unit', example);
  }
  const [, rawName = '', rawOp = '<', rawNumber = '', rawUnit = ''] = match;
  const op = rawOp as Comparison;
  const name = rawName.toLowerCase();
  const metric = (thresholdMetricNames as readonly string[]).includes(name)
    ? (name as ThresholdMetric)
    : aliases[name];
  if (metric === undefined || !allowed.includes(metric)) {
    const suggestion = closestName(name, allowed);
    const known = metric !== undefined ? ` (${metric} is not measured here)` : '';
    throw badThreshold(
      input,
      `names an unknown metric '${rawName}'${known} → allowed: ${thresholdHelp(allowed)}`,
      suggestion ? `did you mean '${suggestion}'?` : example,
    );
  }
  const quantity = thresholdMetrics[metric].quantity;
  const rule = unitRule(quantity);
  const unit = rawUnit.toLowerCase();
  const factor = rule.units[unit];
  if (factor === undefined) {
    throw badThreshold(
      input,
      `${rawUnit === '' ? 'has no unit, which' : `has unit '${rawUnit}', which does not fit`} ${metric} (${thresholdMetrics[metric].description})${rawUnit === '' ? ' needs' : ''} → allowed: ${rule.allowed}`,
      quantity === 'latency' ? `e.g. '${metric}<50ms'` : example,
    );
  }
  const number = Number(rawNumber);
  if (!Number.isFinite(number) || number < 0) {
    throw badThreshold(input, `has a limit below 0 → a limit is 0 or more`, example);
  }
  if (quantity === 'count-or-rate' && unit === '%' && number > 100) {
    throw badThreshold(input, 'has an error rate above 100% → a share is 0% to 100%', example);
  }
  const key: GateKey =
    quantity === 'latency'
      ? (metric as LatencyMetric)
      : quantity === 'count-or-rate'
        ? unit === '%'
          ? 'errorRate'
          : 'errors'
        : quantity === 'throughput'
          ? 'rps'
          : quantity === 'cpu'
            ? 'cpuPercent'
            : quantity === 'memory'
              ? 'rssBytes'
              : 'timeMs';
  return {
    text: `${metric}${op}${rawNumber}${rawUnit}`,
    metric,
    key,
    op,
    limit: number * factor,
    unit: rawUnit,
  };
}

/** Every threshold of a list, each parsed (the first bad one throws). */
export function parseThresholds(
  inputs: readonly string[],
  allowed: readonly ThresholdMetric[] = thresholdMetricNames,
): Threshold[] {
  return inputs.map((input) => parseThreshold(input, allowed));
}

export interface ThresholdCheck {
  threshold: string;
  /** The measured value in the threshold's unit, or null when it was not measured. */
  value: number | null;
  unit: string;
  /** true kept, false crossed, null not measured (the caller decides what that means). */
  passed: boolean | null;
  /** `p99<50ms: p99 = 72.3ms` */
  text: string;
}

function holds(value: number, op: Comparison, limit: number): boolean {
  switch (op) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
  }
}

/** A value in the unit the threshold was written in, the way people write it (3 significant digits). */
function shown(threshold: Threshold, value: number): number {
  const rule = unitRule(thresholdMetrics[threshold.metric].quantity);
  const factor = rule.units[threshold.unit.toLowerCase()] ?? 1;
  return Number((value / factor).toPrecision(3));
}

export function checkThreshold(threshold: Threshold, values: GateValues): ThresholdCheck {
  const measured = values[threshold.key];
  if (measured === undefined || !Number.isFinite(measured)) {
    return {
      threshold: threshold.text,
      value: null,
      unit: threshold.unit,
      passed: null,
      text: `${threshold.text}: ${threshold.metric} was not measured`,
    };
  }
  const value = shown(threshold, measured);
  return {
    threshold: threshold.text,
    value,
    unit: threshold.unit,
    passed: holds(measured, threshold.op, threshold.limit),
    text: `${threshold.text}: ${threshold.metric} = ${value}${threshold.unit}`,
  };
}

export function checkThresholds(thresholds: readonly Threshold[], values: GateValues): ThresholdCheck[] {
  return thresholds.map((threshold) => checkThreshold(threshold, values));
}

/**
 * A latency as written for a target or a threshold (`50ms`, `500us`, `1.5s`)
 * → µs, or undefined when it is not one. Shared with `conlab capacity --p99`.
 */
export function parseLatencyUs(text: string): number | undefined {
  const match = /^\s*([0-9]*\.?[0-9]+)\s*(us|µs|μs|ms|s)\s*$/i.exec(text);
  if (!match) return undefined;
  const factor = latencyUnitsUs[(match[2] ?? '').toLowerCase()];
  return factor === undefined ? undefined : Number(match[1]) * factor;
}

/** `0.1%` → 0.001, or undefined when it is not a percentage in 0..100. */
export function parsePercent(text: string): number | undefined {
  const match = /^\s*([0-9]*\.?[0-9]+)\s*%\s*$/.exec(text);
  if (!match) return undefined;
  const percent = Number(match[1]);
  return percent <= 100 ? percent / 100 : undefined;
}
