import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  coefficientOfVariation,
  efficiency,
  mean,
  percentile,
  speedup,
  stdev,
} from '../../src/stats/descriptive.ts';

const classic = [2, 4, 4, 4, 5, 5, 7, 9];

test('mean of exact fixtures', () => {
  assert.equal(mean([1, 2, 3, 4]), 2.5);
  assert.equal(mean(classic), 5);
  assert.equal(mean([-3]), -3);
  assert.throws(() => mean([]), RangeError);
});

test('stdev is the sample (n - 1) standard deviation', () => {
  // squares about the mean sum to 32; 32 / 7
  assert.equal(stdev(classic), Math.sqrt(32 / 7));
  assert.equal(stdev([1, 2, 3, 4]), Math.sqrt(5 / 3));
  assert.equal(stdev([42]), 0);
  assert.throws(() => stdev([]), RangeError);
});

test('percentile interpolates linearly between closest ranks (R-7)', () => {
  const sorted = [1, 2, 3, 4];
  assert.equal(percentile(sorted, 0), 1);
  assert.equal(percentile(sorted, 25), 1.75);
  assert.equal(percentile(sorted, 50), 2.5);
  assert.equal(percentile(sorted, 100), 4);
  assert.equal(percentile([15, 20, 35, 40, 50], 40), 29);
  assert.equal(percentile([10], 99), 10);
  assert.throws(() => percentile(sorted, 101), RangeError);
  assert.throws(() => percentile([], 50), RangeError);
});

test('coefficient of variation is stdev over mean', () => {
  assert.equal(coefficientOfVariation(classic), Math.sqrt(32 / 7) / 5);
  assert.equal(coefficientOfVariation([3, 3, 3]), 0);
});

test('speedup and efficiency', () => {
  assert.equal(speedup(10, 4), 2.5);
  assert.equal(efficiency(2.5, 2), 1.25);
  assert.throws(() => speedup(10, 0), RangeError);
  assert.throws(() => efficiency(1, 0), RangeError);
});
