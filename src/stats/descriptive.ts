/**
 * Descriptive statistics as pure functions with exact fixtures
 * (test/stats/descriptive.test.ts). Empty input is a caller bug and throws rather than returning
 * NaN that would print as a number.
 */
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
