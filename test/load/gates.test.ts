/**
 * Gates on `conlab load` through the real CLI against servers in this
 * process: a crossed --threshold exits 1 and is named on stderr (and in
 * --json); kept ones exit 0; a bad threshold is bad input (exit 2, before
 * any load); and the default error gate: more than 1% of the requests
 * failing fails the load even when some succeeded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ThresholdCheck } from '../../src/stats/thresholds.ts';
import { runConlab } from '../fixtures/cli.ts';
import * as fixtures from './fixtures.ts';

const load = (args: string[]) => runConlab(['load', ...args], 60_000);

/** 200 `hello`, but every `every`-th request gets a 500. */
async function flakyServer(every: number): Promise<{ url: string; close(): Promise<void> }> {
  let n = 0;
  const server = createServer((_req, res) => {
    n++;
    res.writeHead(n % every === 0 ? 500 : 200, { 'content-type': 'text/plain' });
    res.end('hello');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

test("conlab load URL -d 2 --threshold 'p99<1us' exits 1 naming the threshold", async (t) => {
  const f = await fixtures.okServer();
  t.after(() => f.close());
  const crossed = await load([f.url, '-d', '2', '-c', '2', '--threshold', 'p99<1us', '--threshold', 'rps>1']);
  assert.equal(crossed.code, 1, crossed.stderr);
  assert.match(crossed.stderr, /^conlab load: threshold crossed: p99<1us: p99 = \d+us$/m);
  assert.doesNotMatch(crossed.stderr, /rps>1/, 'a kept threshold is not named');
  assert.match(crossed.stdout, /Requests\/sec:/, 'the result is printed first');

  const kept = await load([
    f.url,
    '-d',
    '500ms',
    '-c',
    '2',
    '--threshold',
    'p99<10s',
    '--threshold',
    'errors<1%',
  ]);
  assert.equal(kept.code, 0, kept.stderr);
  assert.doesNotMatch(kept.stderr, /threshold crossed/);

  const json = await load([f.url, '-d', '500ms', '-c', '2', '--threshold', 'p99<1us', '--json']);
  assert.equal(json.code, 1);
  const doc = JSON.parse(json.stdout) as { requests: number; thresholds: ThresholdCheck[] };
  assert.ok(doc.requests > 0);
  assert.equal(doc.thresholds.length, 1);
  assert.equal(doc.thresholds[0]?.threshold, 'p99<1us');
  assert.equal(doc.thresholds[0]?.passed, false);
  assert.ok((doc.thresholds[0]?.value ?? 0) >= 1);
});

test('a bad threshold is bad input: exit 2 before any load, with the allowed metrics and units', async (t) => {
  const f = await fixtures.okServer();
  t.after(() => f.close());
  for (const [threshold, message] of [
    [
      'p99<5req',
      /LAB_E_BAD_THRESHOLD: threshold 'p99<5req' has unit 'req', which does not fit p99 .* allowed: us \(or µs\), ms, s/,
    ],
    ['p97<5ms', /LAB_E_BAD_THRESHOLD: threshold 'p97<5ms' names an unknown metric 'p97'/],
    [
      'cpu<50%',
      /LAB_E_BAD_THRESHOLD: .*cpu is not measured here.*allowed: p50, p90, p95, p99, p999, max, mean/,
    ],
    ['p99 50ms', /LAB_E_BAD_THRESHOLD: threshold 'p99 50ms' does not parse/],
  ] as const) {
    const result = await load([f.url, '-d', '1', '--threshold', threshold]);
    assert.equal(result.code, 2, `${threshold}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stdout, '', 'nothing was measured');
  }
  assert.equal(f.answered(), 0, 'no request reached the server');
});

test('the default error gate: more than 1% failed requests fail the load; an own errors gate replaces it', async (t) => {
  const flaky = await flakyServer(10);
  t.after(() => flaky.close());
  const tenPercent = await load([flaky.url, '-d', '500ms', '-c', '2', '--expect-status', '200']);
  assert.equal(tenPercent.code, 1, tenPercent.stderr);
  assert.match(
    tenPercent.stderr,
    /^conlab load: load failed: errors<=1%: errors = (9\.\d+|10(\.\d+)?)% of the requests failed \(the default gate/m,
  );
  const allowed = await load([
    flaky.url,
    '-d',
    '500ms',
    '-c',
    '2',
    '--expect-status',
    '200',
    '--threshold',
    'errors<20%',
  ]);
  assert.equal(allowed.code, 0, `an own errors gate replaces the default\n${allowed.stderr}`);
  const rare = await flakyServer(1000);
  t.after(() => rare.close());
  const ok = await load([rare.url, '-d', '500ms', '-c', '2', '--expect-status', '200']);
  assert.equal(ok.code, 0, `0.1% errors is within the default 1%\n${ok.stderr}`);
});
