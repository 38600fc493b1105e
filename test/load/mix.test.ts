/**
 * A request mix: several requests, each with its own expectation, sent in a
 * fixed weighted round-robin. Checked against a real server that counts what
 * it received per path, so the proportions are the server's view, not the
 * generator's.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { runLoad } from '../../src/load/index.ts';
import { weightedOrder } from '../../src/load/mix.ts';
import { resolveLoadOptions } from '../../src/load/options.ts';
import { pathServer } from './fixtures.ts';

test('smooth weighted round-robin: exact proportions per cycle, spread out', () => {
  assert.deepEqual([...weightedOrder([3, 1])], [0, 0, 1, 0]);
  assert.deepEqual([...weightedOrder([1, 1, 1])], [0, 1, 2]);
  const order = [...weightedOrder([5, 2, 1])];
  assert.equal(order.length, 8);
  assert.deepEqual(
    [0, 1, 2].map((i) => order.filter((x) => x === i).length),
    [5, 2, 1],
  );
  // Spread, not bunched: the heavy request never runs more than 3 in a row here.
  assert.ok(!order.join('').includes('0000'), order.join(''));
});

test('a mix sends each request with its own method, path, headers and body, in the weights asked', async (t) => {
  const server = await pathServer();
  t.after(() => server.close());
  const result = await runLoad({
    target: `${server.base}/`,
    connections: 2,
    requests: 400,
    mix: [
      { path: '/a', expectBody: 'alpha', weight: 3 },
      {
        method: 'POST',
        path: '/b',
        headers: { 'content-type': 'application/json' },
        body: '{"x":1}',
        expectStatus: 201,
        expectBody: '{"x":1}',
      },
    ],
  });
  assert.equal(result.errorsTotal, 0, JSON.stringify(result.errorSamples));
  assert.equal(result.requests, 400);
  const a = server.seen.get('GET /a') ?? 0;
  const b = server.seen.get('POST /b') ?? 0;
  assert.equal(a + b, 400);
  // Each connection deals from one thread-wide cycle of 4 (A A B A): 300/100 exactly over 100 whole cycles.
  assert.equal(a, 300);
  assert.equal(b, 100);
});

test('every reply is checked against its own request: a 500 on one route is a status error there only', async (t) => {
  const server = await pathServer();
  t.after(() => server.close());
  const result = await runLoad({
    target: `${server.base}/`,
    connections: 1,
    requests: 60,
    pipelining: 4,
    mix: [{ path: '/a', expectBody: 'alpha' }, { path: '/bad' }, { path: '/a', expectBodyRegex: '^alp' }],
  });
  assert.equal(result.requests, 40);
  assert.deepEqual(result.errors, { status: 20 });
  assert.ok(
    result.errorSamples?.some((sample) => sample.includes('GET /bad: status 500')),
    JSON.stringify(result.errorSamples),
  );
});

test('a mix of one is the single-request path; bad mixes are LAB_E_BAD_PARAM', () => {
  const one = resolveLoadOptions(
    {
      target: 'http://127.0.0.1:1/ignored',
      connections: 1,
      mix: [{ method: 'post', path: '/x?y=1', body: 'b' }],
    },
    'http',
  );
  assert.equal(one.mix, undefined);
  assert.equal(one.target, 'http://127.0.0.1:1/x?y=1');
  assert.equal(one.method, 'POST');
  const bad = (mix: Parameters<typeof resolveLoadOptions>[0]['mix'], extra = {}): void =>
    assert.throws(
      () => resolveLoadOptions({ target: 'http://127.0.0.1:1/', connections: 1, mix, ...extra }, 'http'),
      { code: 'LAB_E_BAD_PARAM' },
    );
  bad([]);
  bad([{ path: 'no-slash' }]);
  bad([{ path: '/a', weight: 0 }]);
  bad([{ path: '/a', weight: 1.5 }]);
  bad([{ path: '/a', expectStatus: 42 }]);
  bad([{ path: '/a', expectBodyRegex: '(' }]);
  bad([{ path: '/a' }, { method: 'HEAD', path: '/b' }]);
  bad([{ path: '/a' }], { method: 'POST' });
  assert.throws(
    () => resolveLoadOptions({ target: 'tcp://127.0.0.1:1', connections: 1, mix: [{ path: '/a' }] }, 'tcp'),
    {
      code: 'LAB_E_BAD_PARAM',
    },
  );
});
