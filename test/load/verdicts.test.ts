import assert from 'node:assert/strict';
import { test } from 'node:test';
import { censoredInfo, clientVerdicts, STALLED_SHARE, stalledVerdict } from '../../src/load/verdicts.ts';
import { Hdr } from '../../src/stats/hdr.ts';

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

test('unanswered requests: only those older than the completed p99 count as stalled; over 1% is a stall', () => {
  const completed = new Hdr();
  for (let i = 0; i < 1000; i++) completed.record(1000 + i); // 1.0–2.0 ms, p99 ≈ 1.99 ms
  const censoredOf = (ages: number[]): Hdr => {
    const hdr = new Hdr();
    for (const age of ages) hdr.record(age);
    return hdr;
  };
  // In transit at the end (younger than the p99): unanswered, not stalled.
  const youngAges = censoredOf(Array.from({ length: 50 }, () => 500));
  const young = censoredInfo(completed, youngAges, youngAges, 1000);
  assert.deepEqual(
    { requests: young.requests, stalled: young.stalled, oldest: young.oldestAgeUs },
    { requests: 50, stalled: 0, oldest: 500 },
  );
  assert.equal(stalledVerdict(young), undefined);
  // 10 of 1010 stuck for 2 s: under 1%, no verdict; 11 of 1011: over, the verdict names them.
  const tenAges = censoredOf(Array.from({ length: 10 }, () => 2_000_000));
  const ten = censoredInfo(completed, tenAges, tenAges, 1000);
  assert.equal(ten.stalled, 10);
  assert.ok(ten.stalledShare < STALLED_SHARE);
  assert.equal(stalledVerdict(ten), undefined);
  const elevenAges = censoredOf(Array.from({ length: 11 }, () => 2_000_000));
  const eleven = censoredInfo(completed, elevenAges, elevenAges, 1000);
  assert.ok(eleven.stalledShare > STALLED_SHARE);
  assert.match(stalledVerdict(eleven) ?? '', /^stalled: 11 requests \(1\.1% .*the oldest had waited 2\.00 s/);
  // Nothing completed at all: every unanswered request is stalled.
  const deadAges = censoredOf([5000, 9000]);
  const dead = censoredInfo(new Hdr(), deadAges, deadAges, 0);
  assert.deepEqual([dead.stalled, dead.stalledShare, dead.share], [2, 1, 1]);
  // Old but answered (read after the end by a late generator thread): in the latency, not a stall.
  const late = censoredInfo(completed, elevenAges, new Hdr(), 1000);
  assert.deepEqual([late.requests, late.stalled, late.oldestAgeUs], [11, 0, 2_000_000]);
  assert.equal(stalledVerdict(late), undefined);
});
