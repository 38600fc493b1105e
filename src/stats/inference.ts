/**
 * Inference across repetitions: a confidence interval for a mean, Welch's
 * t-test for the difference of two means, and the ratio of two means with
 * an interval.
 *
 * Why Welch and not Mann–Whitney: a lab runs 3–5 repetitions per cell. With
 * 3 against 3, the smallest two-sided p-value Mann–Whitney can ever give is
 * 0.1 (it only sees ranks, and there are 20 orderings), so it could never
 * call a 2× difference significant. Welch's t uses the values themselves,
 * does not assume equal variances (a parallel model is often noisier than
 * sequential), and stays reasonable for wall times, whose spread is small
 * relative to their mean.
 */
import { mean, stdev } from './descriptive.ts';
import { tQuantile, tTwoSidedP } from './t-dist.ts';

export interface MeanInterval {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); 0 for one value. */
  stdev: number;
  level: number;
  /** Bounds of the interval for the mean; null when n < 2 (no spread to estimate). */
  low: number | null;
  high: number | null;
}

/** Mean with its t-based confidence interval (default 95%). */
export function meanInterval(values: readonly number[], level = 0.95): MeanInterval {
  const n = values.length;
  const m = n === 0 ? Number.NaN : mean(values);
  const s = n < 2 ? 0 : stdev(values);
  if (n < 2) return { n, mean: m, stdev: s, level, low: null, high: null };
  const half = tQuantile(1 - (1 - level) / 2, n - 1) * (s / Math.sqrt(n));
  return { n, mean: m, stdev: s, level, low: m - half, high: m + half };
}

export interface WelchResult {
  /** (mean b − mean a) / standard error. */
  t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  /** Two-sided p-value; null when either side has fewer than 2 values. */
  p: number | null;
}

function varianceOfMean(values: readonly number[]): number {
  const s = stdev(values);
  return (s * s) / values.length;
}

/** Welch's unequal-variance t-test of mean(b) − mean(a). */
export function welchTest(a: readonly number[], b: readonly number[]): WelchResult {
  if (a.length < 2 || b.length < 2) return { t: Number.NaN, df: Number.NaN, p: null };
  const diff = mean(b) - mean(a);
  const va = varianceOfMean(a);
  const vb = varianceOfMean(b);
  const se2 = va + vb;
  if (se2 === 0) {
    // Both sides constant: any difference is certain, none is no evidence at all.
    return diff === 0
      ? { t: 0, df: a.length + b.length - 2, p: 1 }
      : { t: diff > 0 ? Infinity : -Infinity, df: a.length + b.length - 2, p: 0 };
  }
  const df = (se2 * se2) / ((va * va) / (a.length - 1) + (vb * vb) / (b.length - 1));
  const t = diff / Math.sqrt(se2);
  return { t, df, p: tTwoSidedP(t, df) };
}

export interface RatioInterval {
  /** mean(b) / mean(a). */
  ratio: number;
  level: number;
  /** Interval of the ratio; null when either side has fewer than 2 values, a mean is not positive, or the interval is unbounded. */
  low: number | null;
  high: number | null;
}

/**
 * Ratio of means b/a with Fieller's interval: the set of ρ for which
 * Welch's test of mean(b) − ρ·mean(a) = 0 does not reject. At ρ = 1 that
 * test is exactly welchTest(a, b), so "the interval excludes 1" and "p <
 * 1 − level" always agree: a comparison can never print a significant mark
 * next to an interval that contains 1. The Welch–Satterthwaite df is taken
 * at each ρ, so the bounds are found by bisection rather than the
 * quadratic formula.
 */
export function ratioOfMeans(a: readonly number[], b: readonly number[], level = 0.95): RatioInterval {
  const ma = a.length === 0 ? Number.NaN : mean(a);
  const mb = b.length === 0 ? Number.NaN : mean(b);
  const ratio = mb / ma;
  const none = { ratio, level, low: null, high: null };
  if (a.length < 2 || b.length < 2 || !(ma > 0) || !(mb > 0)) return none;
  const va = varianceOfMean(a);
  const vb = varianceOfMean(b);
  const q = 1 - (1 - level) / 2;
  // f(ρ) ≤ 0 ⇔ ρ is inside the interval; f(ratio) ≤ 0 always.
  const f = (rho: number): number => {
    const v = rho * rho * va + vb;
    if (v === 0) return (mb - rho * ma) ** 2;
    const df = (v * v) / ((rho * rho * va) ** 2 / (a.length - 1) + (vb * vb) / (b.length - 1));
    const t = tQuantile(q, df);
    return (mb - rho * ma) ** 2 - t * t * v;
  };
  const bisect = (inside: number, outside: number): number => {
    let lo = inside;
    let hi = outside;
    for (let i = 0; i < 200 && Math.abs(hi - lo) > 1e-12 * Math.abs(ratio); i++) {
      const mid = (lo + hi) / 2;
      if (f(mid) <= 0) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  };
  // Lower bound: in (0, ratio]; 0 when even ρ = 0 is not rejected (b is not clearly above 0).
  const low = f(0) <= 0 ? 0 : bisect(ratio, 0);
  // Upper bound: grow until rejected; unbounded when a is not clearly above 0.
  let outside = ratio * 2 || 1;
  while (f(outside) <= 0) {
    outside *= 2;
    if (outside > ratio * 1e12) return none;
  }
  return { ratio, level, low, high: bisect(ratio, outside) };
}
