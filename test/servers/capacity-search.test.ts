/**
 * The capacity search as a pure state machine, against simulated servers
 * whose knee is known exactly: it finds the knee within the resolution in
 * a bounded number of steps, and every way a search can end (idle fails,
 * a server dies, the generator falls behind, a bound is hit, the ceiling
 * passes, unsupported) ends it with the interval so far and the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CapacityStepInfo, ServerCell, Verdict } from '../../src/results/record.ts';
import { summarizeCapacity } from '../../src/servers/capacity/summary.ts';
import {
  advance,
  judgeStep,
  startSearch,
  type CapacitySearchState,
  type CapacitySettings,
} from '../../src/servers/capacity/search.ts';
import { stateAfter } from '../../src/servers/capacity/steps.ts';
import { emptyServerCell } from '../../src/servers/driver/record.ts';

const settings = (overrides: Partial<CapacitySettings> = {}): CapacitySettings => ({
  percentile: 'p99',
  targetUs: 50_000,
  maxErrorRate: 0.001,
  maxSteps: 14,
  timeBudgetS: null,
  resolution: 0.05,
  growth: Math.SQRT2,
  idleRps: 10,
  maxRateRps: null,
  ...overrides,
});

interface Measured {
  p99Us: number;
  meanUs?: number;
  rps?: number;
  errors?: number;
  unanswered?: number;
  verdicts?: Verdict[];
  sendLagP99Us?: number;
  status?: ServerCell['status'];
  reason?: string;
}

/** A record as runServerCell would return it for one step. */
function record(rateRps: number | null, measured: Measured, durationS = 2): ServerCell {
  const base = emptyServerCell(
    {
      architecture: 'sim',
      workers: 1,
      threads: 0,
      endpoint: 'cpu',
      connections: 64,
      rateRps,
      durationS,
    },
    `sim|${rateRps}`,
    'node@24',
  );
  const rps = measured.rps ?? rateRps ?? 0;
  const lag = measured.sendLagP99Us ?? 100;
  return {
    ...base,
    status: measured.status ?? 'ok',
    ...(measured.reason ? { reason: measured.reason } : {}),
    verdicts: measured.verdicts ?? [],
    requests: Math.round(rps * durationS),
    rps,
    rpsPerRep: [rps],
    latencyUs: {
      min: 100,
      mean: measured.meanUs ?? measured.p99Us / 2,
      p50: measured.p99Us / 2,
      p90: measured.p99Us * 0.9,
      p95: measured.p99Us * 0.95,
      p99: measured.p99Us,
      p999: measured.p99Us * 1.2,
      max: measured.p99Us * 1.5,
    },
    errors: measured.errors ? { status: measured.errors } : {},
    unfinishedRequests: measured.unanswered ?? 0,
    sendLagUs: {
      min: 0,
      mean: lag / 4,
      p50: lag / 4,
      p90: lag / 2,
      p95: lag / 2,
      p99: lag,
      p999: lag,
      max: lag,
    },
  };
}

/** A server with a sharp knee: 5 ms below `kneeRps`, then the queue grows for the whole window. */
function kneeServer(kneeRps: number): (rate: number | null) => ServerCell {
  return (rate) => {
    if (rate === null) {
      // Closed loop over 64 connections, mean latency 64 / (knee / 1.3) by Little's law; the counted rate falls short.
      const meanUs = (64 / kneeRps) * 1e6 * 1.3;
      return record(null, { p99Us: meanUs * 1.5, meanUs, rps: kneeRps * 0.6 });
    }
    const p99Us = rate <= kneeRps ? 5_000 : 5_000 + (rate / kneeRps - 1) * 2_000_000;
    return record(rate, { p99Us });
  };
}

interface Trace {
  infos: CapacityStepInfo[];
  records: ServerCell[];
}

/** Runs a search to its end against a simulated server, each step taking `stepS`. */
function search(
  config: CapacitySettings,
  server: (rate: number | null, step: number) => ServerCell,
  stepS = 3,
): Trace {
  let state: CapacitySearchState | null = startSearch('capacity|sim', config);
  const infos: CapacityStepInfo[] = [];
  const records: ServerCell[] = [];
  while (state !== null) {
    assert.ok(infos.length < 100, 'the search ends');
    const measured = server(state.next.rateRps, infos.length + 1);
    const { info, state: next } = advance(state, measured, stepS);
    // What a resumed run rebuilds from the stored record is what the search itself carried on with.
    assert.deepEqual(stateAfter(state, info), next);
    infos.push(info);
    records.push({ ...measured, cellKey: `sim|${infos.length}`, capacity: info });
    state = next;
  }
  return { infos, records };
}

const last = (trace: Trace): CapacityStepInfo => trace.infos[trace.infos.length - 1] as CapacityStepInfo;

test('finds a known knee within the resolution in a bounded number of steps', () => {
  for (const knee of [37, 412, 5000, 123_456]) {
    const trace = search(settings(), kneeServer(knee));
    const end = last(trace);
    assert.equal(end.result?.status, 'found', `${knee}: ${end.result?.reason}`);
    const low = end.lastPassRps ?? 0;
    const high = end.firstFailRps ?? Infinity;
    // Where p99 = 5 ms + (rate / knee − 1) × 2 s crosses the 50 ms target.
    const crossing = knee * (1 + 45_000 / 2_000_000);
    assert.ok(low < crossing && crossing <= high, `${crossing} in [${low}, ${high}]`);
    assert.ok(high / low <= 1.05, `interval within 5%: ${low}–${high}`);
    assert.ok(crossing / low <= 1.05, `capacity within 5% of the crossing ${crossing}: ${low}`);
    assert.equal(end.result?.capacityRps, low);
    assert.ok(trace.infos.length <= 12, `${knee}: ${trace.infos.length} steps`);
    assert.deepEqual(
      trace.infos.slice(0, 3).map((info) => info.phase),
      ['idle', 'probe', 'ramp'],
    );
    const probe = trace.infos[1] as CapacityStepInfo;
    assert.equal(probe.passed, null, 'the probe is not judged');
    assert.ok(Math.abs((probe.probeRps ?? 0) / knee - 1 / 1.3) < 0.01, "Little's law, not the counted rate");
  }
});

test('--max-rate skips the probe and ramps from a quarter of it', () => {
  const trace = search(settings({ maxRateRps: 800 }), kneeServer(500));
  assert.deepEqual(
    trace.infos.slice(0, 2).map((info) => [info.phase, info.offeredRps]),
    [
      ['idle', 10],
      ['ramp', 200],
    ],
  );
  assert.ok(trace.infos.every((info) => (info.offeredRps ?? 0) <= 800));
  assert.equal(last(trace).result?.status, 'found');
});

test('a server that passes at the ceiling: capacity at least that, not found', () => {
  const trace = search(settings({ maxRateRps: 300 }), (rate) => record(rate, { p99Us: 1000 }));
  const end = last(trace);
  assert.equal(end.result?.status, 'at-ceiling');
  assert.equal(end.result?.capacityRps, 300);
  assert.equal(end.offeredRps, 300);
  assert.match(end.result?.reason ?? '', /at least that; raise --max-rate/);
});

test('a target missed at the idle rate ends the search at once', () => {
  const trace = search(settings({ targetUs: 2_000 }), kneeServer(400));
  assert.equal(trace.infos.length, 1);
  const end = last(trace);
  assert.equal(end.result?.status, 'idle-fails');
  assert.equal(end.result?.capacityRps, null);
  assert.equal(end.idleUs, 5_000);
  assert.match(end.result?.reason ?? '', /even at the idle rate 10 req\/s: p99 5 ms ≥ the target 2 ms/);
});

test('a server that dies mid-search: the search ends at that step with the interval so far', () => {
  const server = kneeServer(400);
  const trace = search(settings(), (rate, step) =>
    step === 4
      ? record(rate, { p99Us: 0, status: 'failed', reason: 'server did not stop cleanly (exit code 1)' })
      : server(rate),
  );
  assert.equal(trace.infos.length, 4);
  const end = last(trace);
  assert.equal(end.result?.status, 'server-failed');
  assert.match(
    end.result?.reason ?? '',
    /^step 4 \(ramp at [\d.]+ req\/s\) failed: server did not stop cleanly/,
  );
  assert.equal(end.result?.capacityRps, end.lastPassRps);
  assert.ok((end.lastPassRps ?? 0) > 10, 'the passes before it are kept');
  const [summary] = summarizeCapacity(trace.records);
  assert.equal(summary?.status, 'server-failed');
  assert.equal(summary?.steps.length, 4);
});

test('a skipped (unsupported) step ends the search as unsupported', () => {
  const trace = search(settings(), (rate) =>
    record(rate, { p99Us: 0, status: 'skipped', reason: 'unsupported on bun@1 (reusePort)' }),
  );
  assert.equal(last(trace).result?.status, 'unsupported');
  assert.equal(last(trace).result?.reason, 'unsupported on bun@1 (reusePort)');
});

test('a failure the generator explains stops the search: generator-limited, not a server failure', () => {
  const lagging = (rate: number | null): ServerCell =>
    rate !== null && rate > 100
      ? record(rate, { p99Us: 60_000, verdicts: ['schedule-drift'], sendLagP99Us: 30_000 })
      : kneeServer(1000)(rate);
  const trace = search(settings(), lagging);
  const end = last(trace);
  assert.equal(end.result?.status, 'generator-limited');
  assert.equal(end.firstFailRps, null, 'not counted as a server failure');
  assert.match(end.why.join(' '), /generator fell behind its schedule \(send lag p99 30 ms\)/);
  // The same drift, but far beyond what the lag explains: the server failed, and the search goes on.
  const overloaded = judgeStep(
    record(500, { p99Us: 900_000, verdicts: ['schedule-drift'], sendLagP99Us: 30_000 }),
    settings(),
  );
  assert.equal(overloaded.passed, false);
  assert.equal(overloaded.generatorLimited, false);
  // Even the idle step: a generator that falls behind at 10 req/s says nothing about the target.
  const atIdle = search(settings(), (rate) =>
    record(rate, { p99Us: 55_000, verdicts: ['schedule-drift'], sendLagP99Us: 45_000 }),
  );
  assert.equal(atIdle.infos.length, 1);
  assert.equal(last(atIdle).result?.status, 'generator-limited');
});

test('the step and time bounds stop a search with the interval so far', () => {
  const bySteps = search(settings({ maxSteps: 4 }), kneeServer(400));
  assert.equal(bySteps.infos.length, 4);
  assert.equal(last(bySteps).result?.status, 'step-limit');
  assert.match(last(bySteps).result?.reason ?? '', /stopped after 4 steps \(--max-steps\)/);
  const atProbe = search(settings({ maxSteps: 2 }), kneeServer(400));
  assert.equal(last(atProbe).result?.status, 'step-limit');
  assert.ok((last(atProbe).probeRps ?? 0) > 0, 'a bound does not drop what the probe learnt');
  const byTime = search(settings({ timeBudgetS: 10 }), kneeServer(400), 4);
  assert.equal(byTime.infos.length, 3, '4 s steps: the budget of 10 s is used up after the third');
  assert.equal(last(byTime).result?.status, 'time-budget');
  assert.equal(last(byTime).spentS, 12);
});

test('errors above the limit and requests left unanswered fail a step; requests merely in flight do not', () => {
  const s = settings();
  assert.equal(judgeStep(record(100, { p99Us: 5_000, errors: 1 }), s).passed, false, '1 of 201 > 0.1%');
  assert.match(judgeStep(record(100, { p99Us: 5_000, errors: 1 }), s).why.join(), /errors 0\.498% > 0\.1%/);
  assert.equal(judgeStep(record(1000, { p99Us: 5_000, errors: 1 }), s).passed, true, '1 of 2001 ≤ 0.1%');
  // At 100 req/s and a 50 ms target, up to 5 requests can be in flight and younger than the target.
  assert.equal(judgeStep(record(100, { p99Us: 5_000, unanswered: 5 }), s).passed, true);
  const stuck = judgeStep(record(100, { p99Us: 5_000, unanswered: 40 }), s);
  assert.equal(stuck.passed, false);
  assert.match(stuck.why.join(), /40 requests still unanswered when the window closed/);
});

test('summaries: the capacity, its interval and every step, in step order', () => {
  const trace = search(settings(), kneeServer(412));
  const [summary] = summarizeCapacity([...trace.records].reverse());
  assert.ok(summary);
  assert.equal(summary.status, 'found');
  assert.equal(summary.capacityRps, last(trace).lastPassRps);
  assert.equal(summary.highRps, last(trace).firstFailRps);
  assert.deepEqual(
    summary.steps.map((step) => step.step),
    trace.infos.map((_, i) => i + 1),
  );
  assert.equal(summary.steps[1]?.offeredRps, null, 'the probe is closed loop');
  // A run stopped between steps: the last stored step still plans the next one.
  const cut = summarizeCapacity(trace.records.slice(0, 3))[0];
  assert.equal(cut?.status, 'interrupted');
  assert.match(cut?.reason ?? '', /the run stopped after step 3, before step 4/);
});

test('a step with not one reply in its window is an overloaded step, not a dead server', () => {
  const silent = (rate: number | null): ServerCell => ({
    ...record(rate, { p99Us: 0, status: 'failed', reason: 'no verified replies in 2 s' }),
    requests: 0,
    rps: 0,
    unfinishedRequests: 64,
  });
  const server = kneeServer(400);
  const trace = search(settings({ maxSteps: 30 }), (rate, step) =>
    step === 2 || (rate ?? 0) > 420 ? silent(rate) : server(rate),
  );
  const probe = trace.infos[1] as CapacityStepInfo;
  assert.equal(probe.probeRps, 0);
  assert.equal(probe.ceilingRps, null, 'no throughput to bound the search: only the step bound');
  const overloaded = trace.infos.find((info) => info.why.some((why) => why.startsWith('not one reply')));
  assert.ok(overloaded, 'a step above 420 req/s drew no reply');
  assert.equal(overloaded.passed, false);
  assert.equal(overloaded.valueUs, 2_000_000, 'at least the window');
  assert.equal(last(trace).result?.status, 'found', last(trace).result?.reason ?? '');
});
