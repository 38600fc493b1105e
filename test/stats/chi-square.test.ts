import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chiSquareCdf, chiSquareQuantile } from '../../src/stats/chi-square.ts';

const close = (actual: number, expected: number, tolerance: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);

test('chi-square CDF: closed forms at df = 2 (1 − e^(−x/2)) and df = 1 (erf)', () => {
  for (const x of [0.1, 1, 4.60517, 10, 40])
    close(chiSquareCdf(x, 2), 1 - Math.exp(-x / 2), 1e-12, `df 2 x ${x}`);
  // P(χ²₁ ≤ 3.841459) = 0.95: the square of a standard normal within ±1.959964.
  close(chiSquareCdf(3.841459, 1), 0.95, 1e-6, 'df 1');
  assert.equal(chiSquareCdf(0, 3), 0);
  assert.ok(Number.isNaN(chiSquareCdf(1, 0)));
});

test('chi-square quantiles match the published table (scipy.stats.chi2.ppf)', () => {
  const table: [number, number, number][] = [
    [0.9, 1, 2.705543],
    [0.9, 2, 4.60517],
    [0.9, 4, 7.77944],
    [0.9, 9, 14.683657],
    [0.9, 30, 40.256024],
    [0.95, 1, 3.841459],
    [0.1, 5, 1.610308],
    [0.99, 100, 135.806723],
  ];
  for (const [p, df, x] of table) close(chiSquareQuantile(p, df), x, 1e-5, `p ${p} df ${df}`);
  assert.ok(Number.isNaN(chiSquareQuantile(1, 3)));
  assert.ok(Number.isNaN(chiSquareQuantile(0.5, -1)));
});
