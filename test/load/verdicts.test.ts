import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientVerdicts } from '../../src/load/verdicts.ts';

const lag = (p99: number) => ({ min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99, p999: p99, max: p99 });
const thread = (threadIndex: number, cpuPercent: number) => ({ threadIndex, cpuPercent, requests: 1 });

test('client-saturated when any generator thread is at ≥ 90% of a core', () => {
  assert.deepEqual(clientVerdicts([thread(0, 50), thread(1, 89.9)], undefined).warnings, []);
  const saturated = clientVerdicts([thread(0, 50), thread(1, 93)], undefined);
  assert.deepEqual(saturated.warnings, ['client-saturated']);
  assert.match(saturated.details[0] ?? '', /93% of a core/);
});

test('schedule-drift when the open-loop p99 send lag exceeds 10 ms; closed loop never drifts', () => {
  assert.deepEqual(clientVerdicts([thread(0, 10)], lag(10_000)).warnings, []);
  assert.deepEqual(clientVerdicts([thread(0, 10)], lag(10_001)).warnings, ['schedule-drift']);
  assert.deepEqual(clientVerdicts([thread(0, 95)], lag(50_000)).warnings, [
    'client-saturated',
    'schedule-drift',
  ]);
});

test('client-saturated when a thread was starved of CPU (running + run-queue wait ≥ 90%), with the reason', () => {
  const starved = clientVerdicts(
    [{ threadIndex: 0, cpuPercent: 28, runQueueWaitPercent: 66, requests: 100 }],
    undefined,
  );
  assert.deepEqual(starved.warnings, ['client-saturated']);
  assert.match(starved.details[0] ?? '', /waited for a CPU 66%/);
  const idle = clientVerdicts(
    [{ threadIndex: 0, cpuPercent: 52, runQueueWaitPercent: 27, requests: 100 }],
    undefined,
  );
  assert.deepEqual(idle.warnings, []);
});
