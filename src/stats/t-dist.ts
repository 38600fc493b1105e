/**
 * Student's t distribution: the CDF and the quantile, for the small
 * repetition counts (3–10) a lab can afford, where the normal approximation
 * would make intervals too narrow. Degrees of freedom may be fractional
 * (Welch–Satterthwaite).
 */
import { regularizedBeta } from './special.ts';

/** P(T ≤ t) for T ~ t(df). */
export function tCdf(t: number, df: number): number {
  if (!(df > 0) || Number.isNaN(t)) return Number.NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const x = df / (df + t * t);
  const tail = 0.5 * regularizedBeta(x, df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** Two-sided p-value of an observed t statistic. */
export function tTwoSidedP(t: number, df: number): number {
  if (!(df > 0) || Number.isNaN(t)) return Number.NaN;
  if (!Number.isFinite(t)) return 0;
  return regularizedBeta(df / (df + t * t), df / 2, 0.5);
}

/**
 * The t such that P(T ≤ t) = p. Bisection on the CDF: 200 halvings of a
 * bracket that always contains the answer are exact to double precision and
 * cost microseconds, so no clever series is worth the risk.
 */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) return Number.NaN;
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  let low = 0;
  let high = 1;
  while (tCdf(high, df) < p) {
    high *= 2;
    if (high > 1e12) return Infinity;
  }
  for (let i = 0; i < 200 && high - low > 1e-13 * high; i++) {
    const mid = (low + high) / 2;
    if (tCdf(mid, df) < p) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}
