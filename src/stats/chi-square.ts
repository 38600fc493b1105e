/**
 * The chi-square distribution: CDF and quantile. conlab uses it for one
 * thing: how small a spread n repetitions can prove (a one-sided lower
 * confidence bound of the standard deviation, see monitor/verdicts.ts's
 * noisy rule), where a sample stdev of 2 or 3 values says very little.
 */
import { regularizedGammaP } from './special.ts';

/** P(X ≤ x) for X ~ χ²(df). */
export function chiSquareCdf(x: number, df: number): number {
  if (!(df > 0) || Number.isNaN(x)) return Number.NaN;
  return regularizedGammaP(df / 2, Math.max(0, x) / 2);
}

/** The x with P(X ≤ x) = p, by bisection on the CDF (as tQuantile: exact to double precision, microseconds). */
export function chiSquareQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) return Number.NaN;
  let low = 0;
  let high = Math.max(1, df);
  while (chiSquareCdf(high, df) < p) {
    low = high;
    high *= 2;
  }
  for (let i = 0; i < 200; i++) {
    const mid = (low + high) / 2;
    if (chiSquareCdf(mid, df) < p) low = mid;
    else high = mid;
    if (high - low <= Number.EPSILON * high) break;
  }
  return (low + high) / 2;
}
