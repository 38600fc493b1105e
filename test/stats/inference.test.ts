// Fixtures computed with scipy 1.17 (scipy.stats.t, ttest_ind(equal_var=False)) and
// closed forms (df = 2: P(|T| > t) = 1 − t/√(2 + t²)); see docs/architecture/suites-results.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tCdf, tQuantile, tTwoSidedP } from '../../src/stats/t-dist.ts';
import { meanInterval, ratioOfMeans, welchTest } from '../../src/stats/inference.ts';

const close = (actual: number | null, expected: number, tolerance = 1e-9) => {
  assert.ok(actual !== null, `expected ${expected}, got null`);
  assert.ok(
    Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)),
    `expected ${expected}, got ${actual}`,
  );
};

test('t quantiles match scipy, including fractional df', () => {
  const cases: [number, number][] = [
    [1, 12.706204736174694],
    [2, 4.302652729749462],
    [4, 2.7764451051977934],
    [10, 2.228138851986274],
    [2.5, 3.5746548420036817],
    [30, 2.0422724563012378],
  ];
  for (const [df, expected] of cases) close(tQuantile(0.975, df), expected, 1e-9);
  close(tQuantile(0.025, 4), -2.7764451051977934, 1e-9);
});

test('t CDF matches scipy and the Cauchy closed form at df = 1', () => {
  close(tCdf(1.5, 3), 0.8847080673775886, 1e-12);
  close(tCdf(-2.2, 7.3), 0.0310845827000118, 1e-11);
  close(tCdf(0.3, 1), 0.5 + Math.atan(0.3) / Math.PI, 1e-12);
  const t = 5.196152422706632;
  close(tTwoSidedP(t, 2), 1 - t / Math.sqrt(2 + t * t), 1e-12);
});

test('mean interval of five values', () => {
  const ci = meanInterval([10, 12, 11, 13, 9.5]);
  close(ci.mean, 11.1);
  close(ci.stdev, 1.4317821063276353);
  close(ci.low, 9.32220770530062, 1e-9);
  close(ci.high, 12.877792294699379, 1e-9);
  const single = meanInterval([5]);
  assert.equal(single.low, null);
  assert.equal(single.high, null);
});

test("Welch's t-test matches scipy", () => {
  const result = welchTest([100.2, 98.7, 101.5, 99.9], [51.0, 49.2, 50.7]);
  close(result.t, -62.18839198404299, 1e-9);
  close(result.df, 4.85752043953673, 1e-9);
  close(result.p, 3.087149560608005e-8, 1e-6);
  // One side constant: df = n − 1 = 2, p from the closed form.
  const constant = welchTest([1, 2, 3], [5, 5, 5]);
  close(constant.df, 2);
  close(constant.p, 0.03509871864598465, 1e-9);
});

test('Welch with no variance: equal means are p = 1, different means p = 0; one value is no test', () => {
  assert.equal(welchTest([4, 4, 4], [4, 4]).p, 1);
  assert.equal(welchTest([4, 4, 4], [8, 8]).p, 0);
  assert.equal(welchTest([4], [8, 9]).p, null);
});

test("ratio of means: Fieller's interval matches a brute-force scipy solution", () => {
  const ratio = ratioOfMeans([100.2, 98.7, 101.5, 99.9], [51.0, 49.2, 50.7]);
  close(ratio.ratio, 0.502623032725456, 1e-12);
  close(ratio.low, 0.48281843289324494, 1e-8);
  close(ratio.high, 0.5221930781746292, 1e-8);
  const second = ratioOfMeans([10, 11, 12], [20, 22, 21, 23]);
  close(second.low, 1.6548440482715763, 1e-8);
  close(second.high, 2.4104796541035935, 1e-8);
});

test('the ratio interval excludes 1 exactly when Welch p < 0.05', () => {
  // Sweep a shift through the significance boundary; interval and test must never disagree.
  const a = [10, 11, 12, 10.5];
  const seen = new Set<boolean>();
  for (let shift = 0; shift <= 3; shift += 0.05) {
    const b = [10.2 + shift, 11.4 + shift, 12.1 + shift];
    const { p } = welchTest(a, b);
    const ratio = ratioOfMeans(a, b);
    assert.ok(p !== null && ratio.low !== null && ratio.high !== null);
    const excludesOne = ratio.low > 1 || ratio.high < 1;
    assert.equal(excludesOne, p < 0.05, `shift ${shift}: p=${p} interval [${ratio.low}, ${ratio.high}]`);
    seen.add(excludesOne);
  }
  assert.equal(seen.size, 2, 'the sweep must cross the significance boundary');
});

test('ratio of constant samples is exact; too few values give no interval', () => {
  const exact = ratioOfMeans([2, 2, 2], [4, 4, 4]);
  close(exact.low, 2, 1e-9);
  close(exact.high, 2, 1e-9);
  const none = ratioOfMeans([2], [4, 4]);
  assert.equal(none.ratio, 2);
  assert.equal(none.low, null);
});
