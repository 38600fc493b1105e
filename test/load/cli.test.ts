/**
 * `conlab load` as a user runs it: a real child process against fixture
 * servers in this process. Checks the JSON shape, the text form and the exit
 * codes (0 success, 1 nothing succeeded, 2 bad input or nothing listening).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Hdr } from '../../src/stats/hdr.ts';
import type { LoadResult } from '../../src/load/types.ts';
import * as fixtures from './fixtures.ts';

const bin = fileURLToPath(new URL('../../bin/conlab.js', import.meta.url));

function conlab(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'load', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('--json carries requests, rps, µs percentiles, errors by kind and a decodable histogram', async (t) => {
  const f = await fixtures.okServer();
  t.after(() => f.close());
  const { code, stdout, stderr } = await conlab([
    f.url,
    '-c',
    '4',
    '-d',
    '1',
    '-t',
    '2',
    '--json',
    '--expect-body',
    'hello',
  ]);
  assert.equal(code, 0, stderr);
  const r = JSON.parse(stdout) as LoadResult;
  assert.ok(r.requests > 0);
  assert.ok(r.rps > 0);
  assert.deepEqual(
    Object.keys(r.latencyUs).sort(),
    ['max', 'mean', 'min', 'p50', 'p90', 'p95', 'p99', 'p999'].sort(),
  );
  assert.deepEqual(r.errors, {});
  // Every reply, plus the requests unanswered at the window's end at their age (lower bounds).
  assert.equal(Hdr.decode(r.histogram).totalCount, r.requests + (r.censored?.requests ?? 0));
  assert.ok((r.censored?.requests ?? 0) <= 4, 'at most one in transit per connection at the end');
  assert.ok(!r.warnings.includes('stalled'), JSON.stringify(r.censored));
  assert.equal(r.options.connections, 4);
  assert.equal(r.options.durationS, 1);
  assert.equal(r.options.timeoutMs, 10_000);
  assert.equal(r.threads.length, 2);
  assert.ok(r.threads.every((th) => th.cpuPercent > 0));
});

test('text output is wrk-like; -R shows both latencies', async (t) => {
  const f = await fixtures.okServer();
  t.after(() => f.close());
  const { code, stdout } = await conlab([f.url, '-c', '2', '-d', '500ms', '-R', '200']);
  assert.equal(code, 0);
  assert.match(stdout, /Running 0\.5s test @ http:\/\/127\.0\.0\.1:\d+\/ \(http, open loop at 200 req\/s\)/);
  assert.match(stdout, /Latency \(corrected/);
  assert.match(stdout, /Latency \(uncorrected/);
  assert.match(stdout, /Requests\/sec:/);
  assert.match(stdout, /Errors: none/);
});

test('accept-and-close: zero successes is exit 1 with every attempt counted as an error', async (t) => {
  const f = await fixtures.acceptCloseServer();
  t.after(() => f.close());
  const { code, stdout, stderr } = await conlab([f.url, '-c', '2', '-d', '500ms', '--json']);
  assert.equal(code, 1);
  const r = JSON.parse(stdout) as LoadResult;
  assert.equal(r.requests, 0);
  assert.ok(r.errorsTotal > 0);
  assert.match(stderr, /LAB_E_VERIFY: no request succeeded/);
});

test('a server that stalls mid-run: p99 shows the stall, the run is flagged stalled and exits 1', async (t) => {
  const f = await fixtures.stallingServer(1500, 20_000);
  t.after(() => f.close());
  const { code, stdout, stderr } = await conlab([f.url, '-R', '200', '-d', '3', '--json']);
  assert.equal(code, 1, stderr);
  assert.match(
    stderr,
    /LAB_E_STALLED: \d+ of \d+ measured requests \(\d+\.\d%\) were never answered within the window/,
  );
  const r = JSON.parse(stdout) as LoadResult;
  assert.ok(r.warnings.includes('stalled'));
  // The stall had lasted about 1.5 s when the window closed (it began 1.5 s into a 3 s run).
  assert.ok(r.latencyUs.p99 >= 1_000_000, `p99 ${r.latencyUs.p99}`);
  assert.ok(r.latencyUs.max >= 1_300_000, `max ${r.latencyUs.max}`);
  assert.ok((r.censored?.stalledShare ?? 0) > 0.25);
});

test('status errors print their samples: status, expected, first bytes of the body', async (t) => {
  const f = await fixtures.errorServer();
  t.after(() => f.close());
  const { code, stdout, stderr } = await conlab([f.url, '-c', '2', '-n', '20']);
  assert.equal(code, 1);
  assert.match(stdout, /Errors: 20 \(status 20\)\n {4}e\.g\. status 500, expected 2xx; body "oops"\n/);
  assert.match(
    stderr,
    /LAB_E_VERIFY: no request succeeded: 20 errors \(status 20\)\n {2}hint: see the error samples above/,
  );
});

test('closed port: refused errors reported, LAB_E_CONNECT, exit 2', async () => {
  const port = await fixtures.closedPort();
  const { code, stdout, stderr } = await conlab([`http://127.0.0.1:${port}/`, '-c', '2', '-d', '300ms']);
  assert.equal(code, 2);
  assert.match(stdout, /Errors: \d+ \(refused \d+\)/);
  assert.match(stderr, /LAB_E_CONNECT/);
});

test('bad input: clear LAB_E_* codes, exit 2, no stack trace', async () => {
  const cases: [string[], RegExp][] = [
    [['not a url'], /LAB_E_BAD_URL/],
    [['http://10.20.30.40:8080/'], /LAB_E_REMOTE_TARGET/],
    [['http://127.0.0.1:9/', '-c', '-5'], /LAB_E_(BAD_PARAM|USAGE)/],
    [['http://127.0.0.1:9/', '-c', '0'], /LAB_E_BAD_PARAM/],
    [['http://127.0.0.1:9/', '-d', 'forever'], /LAB_E_BAD_PARAM/],
    [['http://127.0.0.1:9/', '-R', '1e12'], /LAB_E_BAD_PARAM/],
    [['http://127.0.0.1:9/', '--tcp-mode', 'echo'], /LAB_E_USAGE/],
    [['tcp://127.0.0.1:9', '--tcp-mode', 'shout'], /LAB_E_BAD_PARAM/],
    [['http://127.0.0.1:9/', '--body-file', '/no/such/file'], /LAB_E_IO/],
    // A mix: the path goes in each --request, the method too; --weight belongs to a --request.
    [
      ['http://127.0.0.1:9/hello', '--request', 'GET /a'],
      /LAB_E_USAGE: with --request the URL gives only host and port/,
    ],
    [
      ['http://127.0.0.1:9/', '--method', 'POST', '--request', 'GET /a'],
      /LAB_E_USAGE: --method does not apply to a mix/,
    ],
    [['http://127.0.0.1:9/', '--weight', '2'], /LAB_E_USAGE: --weight is a share of a mix/],
    [
      ['http://127.0.0.1:9/', '-H', 'x: 1', '--request', 'GET /a'],
      /LAB_E_USAGE: request options come before the first --request/,
    ],
    [['http://no-such-host.invalid:80/'], /LAB_E_CONNECT/],
    [[], /LAB_E_USAGE/],
  ];
  for (const [args, pattern] of cases) {
    const { code, stderr } = await conlab(args);
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.match(stderr, pattern, args.join(' '));
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  }
});

test('--request makes a mix: each request with its own method, path, body, expectation and weight', async (t) => {
  // GET /a → "alpha"; POST /b → its body back with 201; every request counted as "METHOD path".
  const server = await fixtures.pathServer();
  t.after(() => server.close());
  const { base, seen } = server;
  const mix = [
    '--request',
    'GET /a',
    '--weight',
    '3',
    '--expect-body',
    'alpha',
    '--request',
    'POST /b',
    '-H',
    'content-type: text/plain',
    '--body',
    'hi',
    '--expect-status',
    '201',
    '--expect-body',
    'hi',
  ];
  const ok = await conlab([base, '-c', '2', '-n', '40', ...mix, '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  const result = JSON.parse(ok.stdout) as LoadResult;
  assert.equal(result.requests, 40);
  assert.equal(result.errorsTotal, 0);
  // Weights 3 and 1: 30 and 10 of 40, exactly (a fixed weighted round-robin per connection).
  assert.equal(seen.get('GET /a'), 30);
  assert.equal(seen.get('POST /b'), 10);

  // Each reply is checked against its own request's expectation: /b's body is not "alpha".
  const wrong = await conlab([
    base,
    '-n',
    '8',
    '--request',
    'GET /a',
    '--request',
    'POST /b',
    '--body',
    'hi',
    '--expect-body',
    'alpha',
  ]);
  assert.equal(wrong.code, 1, wrong.stderr);
  assert.match(wrong.stdout + wrong.stderr, /POST \/b/);
});
