/**
 * A request mix: several requests, each with its own expectation, sent in a
 * fixed weighted round-robin. Checked against a real server that counts what
 * it received per path, so the proportions are the server's view, not the
 * generator's.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'node:test';
import { runLoad } from '../../src/load/index.ts';
import { weightedOrder } from '../../src/load/mix.ts';
import { resolveLoadOptions } from '../../src/load/options.ts';

interface PathServer {
  base: string;
  seen: Map<string, number>;
  close(): Promise<void>;
}

/** /a → "alpha", POST /b echoes its body with 201, /bad → 500, anything else 404; counts requests per "METHOD path". */
async function pathServer(): Promise<PathServer> {
  const seen = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const key = `${req.method} ${req.url}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      if (req.url === '/a') res.end('alpha');
      else if (req.url === '/b' && req.method === 'POST') {
        res.writeHead(201, { 'content-type': req.headers['content-type'] ?? '' });
        res.end(Buffer.concat(chunks));
      } else if (req.url === '/bad') {
        res.writeHead(500);
        res.end('broken');
      } else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

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
