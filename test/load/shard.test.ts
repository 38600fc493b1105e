/**
 * The shard side of load beyond one machine (src/load/shard.ts): parsing
 * --shard / --shard-index / --start-at, the exact split of the load among
 * shards (the generator threads' split, nothing lost), and the start plan.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveLoadOptions, splitEvenly } from '../../src/load/options.ts';
import {
  START_AT_MAX_AHEAD_MS,
  parseShard,
  parseStartAt,
  planShare,
  planStart,
} from '../../src/load/shard.ts';
import type { LoadOptions } from '../../src/load/types.ts';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
  return 'ok';
}

test('--shard I/N is 1-based; --shard-index K/N is 0-based (Kubernetes); bad ones are LAB_E_BAD_SHARD', () => {
  assert.deepEqual(parseShard('1/2', 1, 'shard'), { index: 1, count: 2 });
  assert.deepEqual(parseShard(' 2 / 2 ', 1, 'shard'), { index: 2, count: 2 });
  assert.deepEqual(parseShard('0/4', 0, 'shard-index'), { index: 1, count: 4 });
  assert.deepEqual(parseShard('3/4', 0, 'shard-index'), { index: 4, count: 4 });
  for (const bad of ['0/4', '5/4', '1/0', '0/0', 'x', '1/', '/2', '1/2/3', '-1/2', '1.5/2', '']) {
    assert.equal(
      code(() => parseShard(bad, 1, 'shard')),
      'LAB_E_BAD_SHARD',
      bad,
    );
  }
  assert.equal(
    code(() => parseShard('4/4', 0, 'shard-index')),
    'LAB_E_BAD_SHARD',
  );
  assert.throws(() => parseShard('0/4', 1, 'shard'), { message: /no shard 0 of 4/ });
  assert.throws(() => parseShard('$(JOB_COMPLETION_INDEX)/4', 0, 'shard-index'), {
    hint: /did not expand the variable/,
  });
});

function resolved(options: Partial<LoadOptions>): ReturnType<typeof resolveLoadOptions> {
  return resolveLoadOptions({ target: 'http://127.0.0.1:1/', connections: 10, ...options }, 'http');
}

test('shards take exact shares of connections, rate and -n: they sum to the whole load', () => {
  for (const [connections, count] of [
    [10, 3],
    [800, 8],
    [7, 7],
    [101, 4],
    [5, 1],
  ] as const) {
    const shares = Array.from({ length: count }, (_, i) =>
      planShare(resolved({ connections, rateRps: 999, requests: 12_345, shard: { index: i + 1, count } })),
    );
    assert.deepEqual(
      shares.map((s) => s.connections),
      splitEvenly(connections, count),
      'the generator threads’ split',
    );
    assert.equal(
      shares.reduce((a, s) => a + (s.requests ?? 0), 0),
      12_345,
    );
    const rate = shares.reduce((a, s) => a + (s.rateRps ?? 0), 0);
    assert.ok(Math.abs(rate - 999) < 1e-9, `rates sum to ${rate}`);
    assert.deepEqual(shares[0]?.shard, {
      index: 1,
      count,
      connections: shares[0]?.connections,
      rateRps: shares[0]?.rateRps,
      requests: shares[0]?.requests,
    });
  }
  assert.deepEqual(
    [1, 2, 3].map(
      (index) => planShare(resolved({ connections: 10, shard: { index, count: 3 } })).connections,
    ),
    [4, 3, 3],
  );
  // Open loop: shard i's schedule starts i/R late, so equal shares interleave.
  assert.deepEqual(
    [1, 2, 3, 4].map(
      (index) => planShare(resolved({ connections: 8, rateRps: 1000, shard: { index, count: 4 } })).phaseMs,
    ),
    [0, 1, 2, 3],
  );
  const whole = planShare(resolved({ connections: 10, rateRps: 50 }));
  assert.equal(whole.shard, undefined);
  assert.equal(whole.connections, 10);
});

test('more shards than connections, or more threads than a shard’s connections, is refused', () => {
  assert.equal(
    code(() => planShare(resolved({ connections: 3, shard: { index: 1, count: 4 } }))),
    'LAB_E_BAD_SHARD',
  );
  assert.equal(
    code(() => planShare(resolved({ connections: 5, threads: 2, shard: { index: 3, count: 3 } }))),
    'LAB_E_BAD_PARAM',
  );
  assert.equal(
    code(() => planShare(resolved({ connections: 6, threads: 2, shard: { index: 3, count: 3 } }))),
    'ok',
  );
  assert.equal(
    code(() => planShare(resolved({ shard: { index: 0, count: 3 } }))),
    'LAB_E_BAD_SHARD',
  );
});

test('--start-at: +T from now (whole seconds), RFC 3339 with a zone, epoch ms; days ahead refused', () => {
  const now = Date.UTC(2026, 10, 26, 12, 0, 0, 300);
  assert.equal(parseStartAt('+2s', now), Date.UTC(2026, 10, 26, 12, 0, 3), 'rounded up to a whole second');
  assert.equal(parseStartAt('+2', now), Date.UTC(2026, 10, 26, 12, 0, 3));
  assert.equal(parseStartAt('+700ms', now), Date.UTC(2026, 10, 26, 12, 0, 1));
  assert.equal(parseStartAt('+1m', now), Date.UTC(2026, 10, 26, 12, 1, 1));
  assert.equal(parseStartAt('2026-11-26T12:00:30.250Z', now), Date.UTC(2026, 10, 26, 12, 0, 30, 250));
  assert.equal(parseStartAt('2026-11-26T13:00:30+01:00', now), Date.UTC(2026, 10, 26, 12, 0, 30));
  assert.equal(parseStartAt(String(now + 5000), now), now + 5000);
  // In the past: accepted here; the run starts at once and reports how late.
  assert.equal(parseStartAt('2026-11-26T11:00:00Z', now), Date.UTC(2026, 10, 26, 11));
  for (const bad of ['soon', '2026-11-26T12:00:30', '2026-11-26', '+', '+-2s', '1764158400', '12:00']) {
    assert.equal(
      code(() => parseStartAt(bad, now)),
      'LAB_E_BAD_START',
      bad,
    );
  }
  assert.throws(() => parseStartAt('2026-11-28T12:00:00Z', now), {
    code: 'LAB_E_BAD_START',
    message: /48.0 h ahead/,
  });
  assert.throws(() => parseStartAt('1764158400', now), { hint: /epoch seconds\?/ });
  assert.equal(
    code(() => parseStartAt(String(now + START_AT_MAX_AHEAD_MS), now)),
    'ok',
  );
  assert.equal(
    code(() => parseStartAt(String(now + START_AT_MAX_AHEAD_MS + 1), now)),
    'LAB_E_BAD_START',
  );
});

test('the measured window starts at the requested instant, or as soon as ready and says how late', () => {
  const ready = 1_000_000;
  const onTime = planStart(resolved({ startAtEpochMs: ready + 5000, warmupS: 1 }), ready);
  assert.equal(onTime.threadsStartEpochMs, ready + 4000, 'the warm-up runs before the agreed instant');
  assert.deepEqual(onTime.clock, {
    requestedStartEpochMs: ready + 5000,
    startEpochMs: ready + 5000,
    startLateMs: 0,
  });
  const late = planStart(resolved({ startAtEpochMs: ready - 1500 }), ready);
  assert.equal(late.clock.startEpochMs, ready + 20);
  assert.equal(late.clock.startLateMs, 1520);
  const asap = planStart(resolved({}), ready);
  assert.deepEqual(asap.clock, { startEpochMs: ready + 20, startLateMs: 0 });
});
