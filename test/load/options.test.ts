import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LabError } from '../../src/core/errors.ts';
import { resolveLoadOptions, splitEvenly, splitProportional } from '../../src/load/options.ts';
import type { LoadOptions } from '../../src/load/types.ts';
import { isLoopback, parseTarget, resolveTarget } from '../../src/load/target.ts';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof LabError, String(error));
    return error.code;
  }
  return 'no error';
}

test('connections are split with none lost to rounding', () => {
  assert.deepEqual(splitEvenly(10, 3), [4, 3, 3]);
  assert.deepEqual(splitEvenly(3, 3), [1, 1, 1]);
  assert.deepEqual(splitEvenly(7, 1), [7]);
  for (let total = 1; total < 60; total++) {
    for (let parts = 1; parts <= total; parts++) {
      const shares = splitEvenly(total, parts);
      assert.equal(
        shares.reduce((a, b) => a + b, 0),
        total,
      );
      assert.ok(Math.max(...shares) - Math.min(...shares) <= 1);
    }
  }
});

test('requests are split in proportion to connections, summing exactly', () => {
  assert.deepEqual(splitProportional(100, [4, 3, 3]), [40, 30, 30]);
  assert.deepEqual(splitProportional(10, [4, 3, 3]), [4, 3, 3]);
  assert.deepEqual(splitProportional(11, [4, 3, 3]), [5, 3, 3]);
  assert.equal(
    splitProportional(1001, [2, 2, 3]).reduce((a, b) => a + b, 0),
    1001,
  );
});

test('defaults are filled in and reported', () => {
  const r = resolveLoadOptions({ target: 'http://127.0.0.1:1/', connections: 5 }, 'http');
  assert.equal(r.durationS, 10);
  assert.equal(r.threads, 1);
  assert.equal(r.pipelining, 1);
  assert.equal(r.timeoutMs, 10_000);
  assert.equal(r.method, 'GET');
  assert.equal(r.expectStatus, 2);
  assert.equal(resolveLoadOptions({ target: 'x', connections: 1, requests: 5 }, 'http').durationS, undefined);
  assert.equal(
    resolveLoadOptions({ target: 'x', connections: 1, tcpPayload: 'abc' }, 'tcp').tcpExpect,
    'abc',
  );
});

test('absurd or contradictory options are LAB_E_BAD_PARAM', () => {
  const base = { target: 'http://127.0.0.1:1/', connections: 4 };
  for (const bad of [
    { connections: 0 },
    { connections: -3 },
    { connections: 1.5 },
    { connections: 1e9 },
    { durationS: 0 },
    { durationS: -1 },
    { rateRps: 0 },
    { rateRps: Number.NaN },
    { threads: 5 },
    { pipelining: 0 },
    { timeoutMs: 0 },
    { method: 'GE T' },
    { headers: { 'bad name': 'x' } },
    { headers: { 'x-a': 'line\r\nbreak' } },
    { headers: { 'content-length': '3' } },
    { expectStatus: 42 },
    { expectBodyRegex: '(' },
    { connectionPerRequest: true, pipelining: 2 },
  ]) {
    assert.equal(
      code(() => resolveLoadOptions({ ...base, ...bad } as LoadOptions, 'http')),
      'LAB_E_BAD_PARAM',
      JSON.stringify(bad),
    );
  }
  assert.equal(
    code(() => resolveLoadOptions({ ...base, pipelining: 2 }, 'tcp')),
    'LAB_E_BAD_PARAM',
  );
});

test('targets: schemes, ports, paths, IPv6', () => {
  assert.deepEqual(parseTarget('http://127.0.0.1:8080/a?b=1'), {
    protocol: 'http',
    host: '127.0.0.1',
    hostHeader: '127.0.0.1:8080',
    port: 8080,
    path: '/a?b=1',
  });
  assert.equal(parseTarget('tcp://127.0.0.1:1337').port, 1337);
  assert.equal(parseTarget('http://[::1]:9/').host, '::1');
  for (const bad of [
    'nonsense',
    'ftp://127.0.0.1:1/',
    'https://127.0.0.1/',
    'tcp://127.0.0.1',
    'http://u:p@127.0.0.1:1/',
  ]) {
    assert.equal(
      code(() => parseTarget(bad)),
      'LAB_E_BAD_URL',
      bad,
    );
  }
  assert.ok(
    isLoopback('127.0.0.1') && isLoopback('127.9.9.9') && isLoopback('::1') && isLoopback('::ffff:127.0.0.1'),
  );
  assert.ok(!isLoopback('10.0.0.1') && !isLoopback('::2') && !isLoopback('128.0.0.1'));
  // Other spellings of ::1 and of IPv4-mapped loopback.
  assert.ok(isLoopback('0:0:0:0:0:0:0:1') && isLoopback('::0001') && isLoopback('::ffff:7f00:1'));
  assert.ok(!isLoopback('::') && !isLoopback('0.0.0.0'));
});

test('IPv6 targets: [::1] is loopback; a wildcard (the bind a listening line may show) means this machine', async () => {
  const v6 = await resolveTarget('http://[::1]:8080/hello', false);
  assert.deepEqual(
    { address: v6.address, family: v6.family, hostHeader: v6.hostHeader, path: v6.path },
    { address: '::1', family: 6, hostHeader: '[::1]:8080', path: '/hello' },
  );
  assert.equal((await resolveTarget('http://[::]:8080/', false)).address, '::1');
  assert.equal((await resolveTarget('tcp://0.0.0.0:1337', false)).address, '127.0.0.1');
  await assert.rejects(resolveTarget('http://[::2]:8080/', false), { code: 'LAB_E_REMOTE_TARGET' });
  await assert.rejects(resolveTarget('http://[fe80::1]:8080/', false), { code: 'LAB_E_REMOTE_TARGET' });
});

test('non-loopback targets need allowRemote; unresolvable hosts are LAB_E_CONNECT', async () => {
  await assert.rejects(resolveTarget('http://10.255.255.1:80/', false), { code: 'LAB_E_REMOTE_TARGET' });
  assert.equal((await resolveTarget('http://10.255.255.1:80/', true)).address, '10.255.255.1');
  assert.equal((await resolveTarget('http://localhost:80/', false)).port, 80);
  await assert.rejects(resolveTarget('http://no-such-host.invalid:80/', false), { code: 'LAB_E_CONNECT' });
});
