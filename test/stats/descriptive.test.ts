import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  coefficientOfVariation,
  efficiency,
  fillBatchSpeedups,
  mean,
  percentile,
  speedup,
  stdev,
  workersUsed,
} from '../../src/stats/descriptive.ts';
import type { BatchCell } from '../../src/results/record.ts';

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

function cell(overrides: Partial<BatchCell>): BatchCell {
  return {
    schemaVersion: 1,
    kind: 'batch',
    cellKey: 'k',
    runtime: 'node@24.0.0',
    status: 'ok',
    verdicts: [],
    pids: [],
    startedAt: '2026-01-01T00:00:00.000Z',
    repetitions: [0],
    workload: 'cpu.primes',
    params: { limit: 1000 },
    model: 'sequential',
    concurrency: 1,
    threadsPerProcess: 1,
    itemsPerTask: 1,
    items: 8,
    durationsMs: [1000],
    durationMs: 1000,
    durationStdevMs: 0,
    itemsPerSec: 8,
    speedup: null,
    efficiency: null,
    cpuPercent: 100,
    peakRssBytes: 1,
    answer: 168,
    ...overrides,
  };
}

test('workersUsed counts threads that run JavaScript at once', () => {
  assert.equal(workersUsed({ model: 'async', concurrency: 50, threadsPerProcess: 1 }), 1);
  assert.equal(workersUsed({ model: 'threads', concurrency: 4, threadsPerProcess: 1 }), 4);
  assert.equal(workersUsed({ model: 'hybrid', concurrency: 2, threadsPerProcess: 3 }), 6);
});

test('fillBatchSpeedups compares with the sequential cell of the same group only', () => {
  const cells = [
    cell({}),
    cell({ model: 'threads', concurrency: 2, durationMs: 400, itemsPerTask: 5 }),
    cell({ model: 'hybrid', concurrency: 2, threadsPerProcess: 2, durationMs: 500 }),
    cell({ model: 'threads', concurrency: 2, durationMs: 400, runtime: 'bun@1.0.0' }),
    cell({ model: 'threads', concurrency: 2, durationMs: 400, status: 'failed' }),
    cell({ model: 'threads', concurrency: 2, durationMs: 400, params: { limit: 99 } }),
  ];
  fillBatchSpeedups(cells);
  assert.deepEqual(
    cells.map((c) => [c.speedup, c.efficiency]),
    [
      [1, 1],
      [2.5, 1.25],
      [2, 0.5],
      [null, null],
      [null, null],
      [null, null],
    ],
  );
});
