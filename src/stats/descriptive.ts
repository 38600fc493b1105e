/**
 * Descriptive statistics as pure functions with exact fixtures
 * (test/stats/descriptive.test.ts), plus the speedup/efficiency fill for
 * batch cells. Empty input is a caller bug and throws rather than returning
 * NaN that would print as a number.
 */
import type { BatchCell } from '../results/record.ts';

function nonEmpty(values: readonly number[], what: string): void {
  if (values.length === 0) throw new RangeError(`${what} of no values`);
}

export function mean(values: readonly number[]): number {
  nonEmpty(values, 'mean');
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** Sample standard deviation (divides by n − 1); 0 for a single value, which has no spread to estimate. */
export function stdev(values: readonly number[]): number {
  nonEmpty(values, 'stdev');
  if (values.length < 2) return 0;
  const m = mean(values);
  let squares = 0;
  for (const value of values) squares += (value - m) * (value - m);
  return Math.sqrt(squares / (values.length - 1));
}

/**
 * Percentile p (0..100) of an ascending-sorted array by linear
 * interpolation between closest ranks: rank = p/100 × (n − 1), the
 * definition of numpy's default, R type 7 and Excel PERCENTILE.INC.
 */
export function percentile(sorted: readonly number[], p: number): number {
  nonEmpty(sorted, 'percentile');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside 0..100`);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lowValue = sorted[low] as number;
  const highValue = sorted[high] as number;
  return lowValue + (highValue - lowValue) * (rank - low);
}

/** stdev ÷ mean: the spread of repetitions relative to their size (0.05 = 5 %). */
export function coefficientOfVariation(values: readonly number[]): number {
  const m = mean(values);
  if (m === 0) return 0;
  return stdev(values) / m;
}

/** How many times faster than the baseline: baseline duration ÷ this duration. */
export function speedup(baselineMs: number, durationMs: number): number {
  if (!(durationMs > 0) || !(baselineMs > 0)) throw new RangeError('speedup needs two positive durations');
  return baselineMs / durationMs;
}

/** Speedup per worker: 1 means every added worker gave its full share. */
export function efficiency(speedupValue: number, workers: number): number {
  if (!(workers >= 1)) throw new RangeError(`efficiency needs at least one worker (got ${workers})`);
  return speedupValue / workers;
}

/** Models that run one item of JavaScript at a time however many items are in flight. */
const singleThreadModels = new Set(['sequential', 'async', 'async-blocking']);

/** Workers that can run JavaScript at once in a batch cell (the divisor of efficiency). */
export function workersUsed(cell: Pick<BatchCell, 'model' | 'concurrency' | 'threadsPerProcess'>): number {
  if (singleThreadModels.has(cell.model)) return 1;
  return cell.concurrency * Math.max(1, cell.threadsPerProcess);
}

/** The baseline group: same runtime, workload, params and item count. itemsPerTask is deliberately not part of it: chunking is a property of the model being compared, not of the work. */
export function speedupGroupKey(cell: Pick<BatchCell, 'runtime' | 'workload' | 'params' | 'items'>): string {
  return `${cell.runtime}|${cell.workload}|${JSON.stringify(cell.params)}|${cell.items}`;
}

/**
 * Fills speedup and efficiency of every batch cell against the ok
 * sequential cell of the same group (see speedupGroupKey) in the same list;
 * null when there is none or the cell is not ok.
 */
export function fillBatchSpeedups(cells: BatchCell[]): void {
  const baselines = new Map<string, number>();
  for (const cell of cells) {
    if (cell.model === 'sequential' && cell.status === 'ok' && cell.durationMs > 0) {
      baselines.set(speedupGroupKey(cell), cell.durationMs);
    }
  }
  for (const cell of cells) {
    const baseline = baselines.get(speedupGroupKey(cell));
    if (baseline === undefined || cell.status !== 'ok' || !(cell.durationMs > 0)) {
      cell.speedup = null;
      cell.efficiency = null;
      continue;
    }
    cell.speedup = speedup(baseline, cell.durationMs);
    cell.efficiency = efficiency(cell.speedup, workersUsed(cell));
  }
}
