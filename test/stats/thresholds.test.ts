/**
 * Gates as text → typed thresholds → checks, with exact values: every
 * metric and unit, the conversions to one unit per quantity, and every way
 * a threshold can be wrong (LAB_E_BAD_THRESHOLD with what is allowed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LabError } from '../../src/core/errors.ts';
import {
  checkThreshold,
  parseLatencyUs,
  parsePercent,
  parseThreshold,
  parseThresholds,
  thresholdHelp,
} from '../../src/stats/thresholds.ts';

function badThreshold(text: string, message: RegExp, allowed?: Parameters<typeof parseThreshold>[1]): void {
  assert.throws(
    () => parseThreshold(text, allowed),
    (error: unknown) => {
      assert.ok(error instanceof LabError);
      assert.equal(error.code, 'LAB_E_BAD_THRESHOLD');
      assert.equal(error.exitCode, 2);
      assert.match(error.message, message);
      return true;
    },
  );
}

test('latency percentiles convert to µs from us, µs, ms and s', () => {
  assert.deepEqual(parseThreshold('p99<50ms'), {
    text: 'p99<50ms',
    metric: 'p99',
    key: 'p99',
    op: '<',
    limit: 50_000,
    unit: 'ms',
  });
  assert.equal(parseThreshold('p50 <= 800us').limit, 800);
  assert.equal(parseThreshold('p50<=800us').op, '<=');
  assert.equal(parseThreshold('p90<120µs').limit, 120);
  assert.equal(parseThreshold('p95<1.5s').limit, 1_500_000);
  assert.equal(parseThreshold('max<2s').key, 'max');
  assert.equal(parseThreshold('mean<3ms').key, 'mean');
  assert.equal(parseThreshold('p99.9<20ms').key, 'p999', 'p99.9 is p999');
  assert.equal(parseThreshold('P999<20MS').limit, 20_000, 'case does not matter');
  assert.equal(parseThreshold(' p99 < 50 ms ').text, 'p99<50ms', 'spaces do not matter');
});

test('errors: no unit is a count, % is a share of the requests', () => {
  const count = parseThreshold('errors<5');
  assert.equal(count.key, 'errors');
  assert.equal(count.limit, 5);
  const rate = parseThreshold('errors<0.1%');
  assert.equal(rate.key, 'errorRate');
  assert.ok(Math.abs(rate.limit - 0.001) < 1e-15);
  assert.equal(parseThreshold('errors<=100%').limit, 1);
});

test('throughput, CPU, memory and time in their units', () => {
  assert.equal(parseThreshold('rps>2000').limit, 2000);
  assert.equal(parseThreshold('rps>=2000rps').op, '>=');
  assert.equal(parseThreshold('rps>2000req/s').limit, 2000);
  assert.equal(parseThreshold('cpu<150%').key, 'cpuPercent');
  assert.equal(parseThreshold('cpu<150%').limit, 150);
  assert.equal(parseThreshold('cpu<150').limit, 150);
  assert.equal(parseThreshold('rss<200MiB').limit, 200 * 2 ** 20);
  assert.equal(parseThreshold('rss<1.5GiB').limit, 1.5 * 2 ** 30);
  assert.equal(parseThreshold('rss<200MB').limit, 200e6);
  assert.equal(parseThreshold('rss<512KiB').key, 'rssBytes');
  assert.equal(parseThreshold('time<2s').limit, 2000);
  assert.equal(parseThreshold('time<250ms').key, 'timeMs');
});

test('a threshold that does not parse, an unknown metric and a unit that does not fit are refused', () => {
  badThreshold('p99', /does not parse/);
  badThreshold('p99=50ms', /does not parse/);
  badThreshold('<50ms', /does not parse/);
  badThreshold('p99<ms', /does not parse/);
  badThreshold('p98<50ms', /unknown metric 'p98'.*allowed: p50, p90, p95, p99, p999, max, mean \(latency/);
  badThreshold('latency<50ms', /unknown metric 'latency'/);
  badThreshold('p99<5req', /unit 'req', which does not fit p99.*allowed: us \(or µs\), ms, s/);
  badThreshold('p99<50', /has no unit, which p99 \(99th percentile latency\) needs → allowed: us/);
  badThreshold('rps>2000ms', /does not fit rps/);
  badThreshold('rss<200', /has no unit, which rss .* needs → allowed: B, KiB, MiB, GiB/);
  badThreshold('errors<5ms', /does not fit errors.*allowed: a count, or % of the requests/);
  badThreshold('errors<150%', /above 100%/);
  badThreshold('cpu<-5%', /does not parse|below 0/);
});

test('a metric the command does not measure is refused with the ones it does', () => {
  badThreshold('cpu<50%', /unknown metric 'cpu' \(cpu is not measured here\).*allowed: p50/, [
    'p50',
    'p99',
    'errors',
    'rps',
  ]);
  assert.throws(
    () => parseThreshold('p9<1ms', ['p50', 'p99']),
    (error: unknown) => error instanceof LabError && error.hint === "did you mean 'p99'?",
  );
  assert.equal(parseThresholds(['p99<1ms', 'rps>1'], ['p99', 'rps']).length, 2);
  assert.match(thresholdHelp(['p99', 'rps']), /^p99 \(latency in us, ms or s\); rps \(req\/s\)$/);
});

test('checks: kept, crossed and not measured, shown in the unit the threshold was written in', () => {
  const p99 = parseThreshold('p99<50ms');
  assert.deepEqual(checkThreshold(p99, { p99: 72_300 }), {
    threshold: 'p99<50ms',
    value: 72.3,
    unit: 'ms',
    passed: false,
    text: 'p99<50ms: p99 = 72.3ms',
  });
  assert.equal(checkThreshold(p99, { p99: 49_999 }).passed, true);
  assert.equal(checkThreshold(p99, { p99: 50_000 }).passed, false, '< is strict');
  assert.equal(checkThreshold(parseThreshold('p99<=50ms'), { p99: 50_000 }).passed, true);
  assert.equal(checkThreshold(parseThreshold('rps>2000'), { rps: 2000 }).passed, false);
  assert.equal(checkThreshold(parseThreshold('rps>=2000'), { rps: 2000 }).passed, true);
  const rate = checkThreshold(parseThreshold('errors<0.1%'), { errorRate: 0.0025 });
  assert.equal(rate.passed, false);
  assert.equal(rate.text, 'errors<0.1%: errors = 0.25%');
  assert.equal(checkThreshold(parseThreshold('errors<5'), { errors: 4 }).passed, true);
  assert.equal(checkThreshold(parseThreshold('rss<200MiB'), { rssBytes: 300 * 2 ** 20 }).value, 300);
  const missing = checkThreshold(p99, { rps: 10 });
  assert.equal(missing.passed, null);
  assert.equal(missing.value, null);
  assert.match(missing.text, /p99 was not measured/);
});

test('latency and percent texts for flags', () => {
  assert.equal(parseLatencyUs('50ms'), 50_000);
  assert.equal(parseLatencyUs('500us'), 500);
  assert.equal(parseLatencyUs('1.5s'), 1_500_000);
  assert.equal(parseLatencyUs('50'), undefined, 'a latency needs its unit');
  assert.equal(parseLatencyUs('-5ms'), undefined);
  assert.equal(parsePercent('0.1%'), 0.001);
  assert.equal(parsePercent('5 %'), 0.05);
  assert.equal(parsePercent('5'), undefined, 'a share needs its %');
  assert.equal(parsePercent('101%'), undefined);
});
