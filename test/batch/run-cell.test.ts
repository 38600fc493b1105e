/**
 * runBatchCell's record beyond the answer: where the timed section sits in
 * the monitor window (measuredOffsetMs), the subject's event-loop figures in
 * the monitor report, the verdicts from the monitor's one set of rules, and
 * the empty record the suite runner also builds failed records from.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyBatchCell, runBatchCell, timedSectionOffsetMs } from '../../src/batch/driver/run-cell.ts';
import { cellVerdicts } from '../../src/monitor/verdicts.ts';
import { RESULT_SCHEMA_VERSION } from '../../src/results/record.ts';
import { resolveRuntime } from '../../src/runtimes/registry.ts';
import { isAlive } from './helpers.ts';

test('the timed section offset is the subject clock, kept between go sent and done received − duration', () => {
  const times = {
    monitorStartEpochMs: 1000,
    goSentEpochMs: 1002,
    doneReceivedEpochMs: 1300,
    durationMs: 250,
  };
  // Inside the bounds: the subject's own reading.
  assert.equal(timedSectionOffsetMs({ ...times, subjectStartEpochMs: 1003.5 }), 3.5);
  // A subject clock behind the driver's: not before go was sent.
  assert.equal(timedSectionOffsetMs({ ...times, subjectStartEpochMs: 990 }), 2);
  // A subject clock ahead: not later than the reply allows (1300 − 250).
  assert.equal(timedSectionOffsetMs({ ...times, subjectStartEpochMs: 1100 }), 50);
  // Bounds that cross (a reply faster than its own duration says): go sent wins.
  assert.equal(timedSectionOffsetMs({ ...times, doneReceivedEpochMs: 1100, subjectStartEpochMs: 1010 }), 2);
});

test('an empty batch record carries the identity and nothing measured', () => {
  const identity = {
    workload: 'echo',
    params: { x: 1 },
    model: 'threads',
    concurrency: 2,
    threadsPerProcess: 1,
    itemsPerTask: 3,
    items: 9,
  };
  // Extra fields of a plan or spec are not copied into the record.
  const plan = { ...identity, label: 'plan only' };
  const cell = emptyBatchCell(plan, 'key', 'node@24', '2026-01-01T00:00:00.000Z');
  assert.deepEqual(cell, {
    schemaVersion: RESULT_SCHEMA_VERSION,
    cellKey: 'key',
    runtime: 'node@24',
    status: 'ok',
    verdicts: [],
    pids: [],
    startedAt: '2026-01-01T00:00:00.000Z',
    repetitions: [],
    kind: 'batch',
    ...identity,
    durationsMs: [],
    durationMs: 0,
    durationStdevMs: 0,
    itemsPerSec: 0,
    speedup: null,
    efficiency: null,
    cpuPercent: 0,
    peakRssBytes: 0,
    answer: null,
  });
});

test('a cell records its offset in the monitor window, the subject event loop and the monitor verdicts', async () => {
  const runtime = resolveRuntime('node');
  const cell = await runBatchCell(
    // Sleeps that let the loop turn: a window long enough for the delay histogram to sample.
    { workload: 'io.sleep', params: { scale: 0.2 }, model: 'async', concurrency: 2, items: 4 },
    runtime,
  );
  assert.equal(cell.status, 'ok', cell.reason ?? '');
  assert.deepEqual(cell.pids.filter(isAlive), []);
  const monitor = cell.monitor;
  assert.ok(monitor, 'the last repetition is monitored');

  // The subject's main loop, measured by the monitor's probe, reached the report the record keeps.
  assert.equal(monitor.eventLoop.length, 1);
  const loop = monitor.eventLoop[0];
  assert.ok(loop);
  assert.ok(cell.pids.includes(loop.pid), `event-loop pid ${loop.pid} is the subject's`);
  assert.equal(loop.threadId, 0);
  assert.equal(loop.runtime, runtime.label, 'figures made by the probe name their runtime');
  assert.equal(loop.unsupportedReason, undefined, 'node measures both');
  assert.ok(typeof loop.utilization === 'number' && loop.utilization >= 0 && loop.utilization <= 1);
  for (const delay of [loop.delayP50Ms, loop.delayP99Ms, loop.delayMaxMs]) {
    assert.ok(typeof delay === 'number' && delay >= 0, `delay ${String(delay)}`);
  }

  // The timed section starts inside the monitor window, and progress is on the timed section's clock.
  const offset = cell.measuredOffsetMs;
  assert.ok(typeof offset === 'number' && offset >= 0, `measuredOffsetMs ${String(offset)}`);
  assert.ok(offset <= monitor.durationMs, `offset ${offset} within the ${monitor.durationMs} ms window`);
  assert.equal(cell.progress?.at(-1)?.tMs, cell.durationsMs.at(-1));

  // One repetition: the cell's verdicts are exactly what the monitor's rules say about it.
  assert.deepEqual(
    [...cell.verdicts].sort(),
    cellVerdicts({ monitor, repetitionValues: cell.durationsMs }).sort(),
  );
});
