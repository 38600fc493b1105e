// The precision of a mean and the stopping rule of `repetitions: auto`, with exact fixtures:
// half-width = t(0.975, n−1) · s / √n, t from scipy 1.17 (t(0.975, 2) = 4.302652729749462,
// t(0.975, 3) = 3.182446305284263).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  adaptiveDecision,
  adaptiveRuleProblem,
  precisionPercent,
  type AdaptiveRule,
} from '../../src/stats/precision.ts';

const close = (actual: number | null, expected: number) => {
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `expected ${expected}, got ${actual}`);
};

test('precision is the 95% half-width in % of the mean', () => {
  // s = 2, n = 3: 4.302652729749462 · 2 / √3 = 4.968275423500…
  close(precisionPercent([100, 102, 98]), (4.302652729749462 * 2) / Math.sqrt(3));
  close(precisionPercent([100, 104, 96]), (4.302652729749462 * 4) / Math.sqrt(3));
  // s = √(2/3), n = 4: 3.182446305284263 · 0.8165 / 2 = 1.2992…
  close(precisionPercent([100, 101, 99, 100]), (3.182446305284263 * Math.sqrt(2 / 3)) / 2);
  close(precisionPercent([7, 7, 7]), 0);
  // Scale-free: the same relative spread at another scale.
  close(precisionPercent([1, 1.02, 0.98]), (4.302652729749462 * 2) / Math.sqrt(3));
  assert.equal(precisionPercent([100]), null, 'one value has no spread to estimate');
  assert.equal(precisionPercent([]), null);
  assert.equal(precisionPercent([0, 0, 0]), null, 'a mean of 0 has no relative precision');
});

const rule: AdaptiveRule = { minRepetitions: 3, maxRepetitions: 5, targetPercent: 5 };

test('the stopping rule: the minimum first, then the target, then the maximum', () => {
  const cases: [number[], boolean, string][] = [
    // Below the minimum: more, even when the values agree exactly.
    [[], true, 'below-minimum'],
    [[100], true, 'below-minimum'],
    [[100, 100], true, 'below-minimum'],
    // ±4.97% ≤ 5%: stop.
    [[100, 102, 98], false, 'precise'],
    [[100, 100, 100], false, 'precise'],
    // ±9.94% > 5% with 3 of at most 5: more.
    [[100, 104, 96], true, 'imprecise'],
    // 4 values, ±7.80% (s = √24, t(3) = 3.1824): still more.
    [[100, 106, 94, 100], true, 'imprecise'],
    // 4 values, ±1.30%: stop.
    [[100, 101, 99, 100], false, 'precise'],
    // The maximum reached without the target: stop, and say so.
    [[100, 110, 90, 105, 95], false, 'max-repetitions'],
    // Precise at the maximum: the target is what is reported.
    [[100, 101, 99, 100, 100], false, 'precise'],
    // No relative precision (a mean of 0) is never precise: more until the maximum.
    [[0, 0, 0], true, 'imprecise'],
  ];
  for (const [values, more, reason] of cases) {
    const decision = adaptiveDecision(values, rule);
    assert.deepEqual(
      [decision.more, decision.reason],
      [more, reason],
      `${JSON.stringify(values)} → ${more ? 'continue' : 'stop'} (${reason})`,
    );
  }
  // The target is inclusive: exactly on it stops.
  const exact = precisionPercent([100, 102, 98]) as number;
  assert.equal(adaptiveDecision([100, 102, 98], { ...rule, targetPercent: exact }).more, false);
  assert.equal(adaptiveDecision([100, 102, 98], { ...rule, targetPercent: exact - 1e-9 }).more, true);
  close(adaptiveDecision([100, 104, 96], rule).precisionPercent, (4.302652729749462 * 4) / Math.sqrt(3));
});

test('a rule out of range is named with its range', () => {
  assert.equal(adaptiveRuleProblem(rule), null);
  const text = (problem: ReturnType<typeof adaptiveRuleProblem>) =>
    problem ? `${problem.key} ${problem.text}` : '';
  assert.match(
    text(adaptiveRuleProblem({ ...rule, maxRepetitions: 2 })),
    /^maxRepetitions 2 is not a whole number in 3\.\.100/,
  );
  assert.match(text(adaptiveRuleProblem({ ...rule, maxRepetitions: 1000 })), /in 3\.\.100/);
  assert.match(
    text(adaptiveRuleProblem({ ...rule, targetPercent: 0 })),
    /^precision 0% is not in 0\.1%\.\.50%/,
  );
  assert.match(text(adaptiveRuleProblem({ ...rule, targetPercent: -5 })), /^precision -5%/);
  assert.match(text(adaptiveRuleProblem({ ...rule, targetPercent: 500 })), /^precision 500%/);
  assert.match(text(adaptiveRuleProblem({ ...rule, minRepetitions: 2 })), /^minRepetitions 2/);
});
