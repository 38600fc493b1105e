import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillBatchSpeedups, workersUsed } from '../../src/results/speedup.ts';
import { RESULT_SCHEMA_VERSION, type BatchCell } from '../../src/results/record.ts';

function cell(overrides: Partial<BatchCell>): BatchCell {
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
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

test('workersUsed counts threads that run JavaScript at once, as each model declares', () => {
  const shape = { threadsPerProcess: 1, itemsPerTask: 1 };
  assert.equal(workersUsed({ ...shape, model: 'async', concurrency: 50 }), 1);
  assert.equal(workersUsed({ ...shape, model: 'threads', concurrency: 4 }), 4);
  assert.equal(workersUsed({ ...shape, model: 'hybrid', concurrency: 2, threadsPerProcess: 3 }), 6);
  // A model this build does not know (a record from another version): no divisor rather than a wrong one.
  assert.equal(workersUsed({ ...shape, model: 'gone', concurrency: 4 }), null);
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
