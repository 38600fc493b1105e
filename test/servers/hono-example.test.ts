/**
 * The README's example app (examples/apps/hono-app.ts, a Hono app) under
 * `conlab bench-server --app`, on Node: one process (single) and several
 * (reuseport), a light and a CPU-heavy route in one mix, every reply
 * verified — the hash route against the protocol's SHA-256 chain vector —
 * and the example suite that uses it is valid.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ServerCell } from '../../src/results/record.ts';
import { SHA_VECTORS } from '../../src/servers/driver/verify.ts';
import { runConlab } from '../fixtures/cli.ts';

const app = fileURLToPath(new URL('../../examples/apps/hono-app.ts', import.meta.url));
const suite = fileURLToPath(new URL('../../examples/suites/my-code.yaml', import.meta.url));
const vector = SHA_VECTORS.find((v) => v.iters === 1000);

it('the Hono example serves verified replies under single and reuseport on Node', async () => {
  assert.ok(vector);
  const result = await runConlab(
    [
      ...['bench-server', '--app', app, '--arch', 'single,reuseport', '--workers', '2'],
      ...['--request', 'GET /hello', '--expect-status', '200', '--expect-body', 'hello', '--weight', '3'],
      ...['--request', `GET /hash?n=${vector.iters}&seed=${vector.seed}`],
      ...['--expect-body-regex', `"digest":"${vector.digest}"`],
      ...['--connections', '4', '--duration', '1.5', '--warmup', '0.3', '--json'],
    ],
    240_000,
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /^app \S+hono-app\.ts: fetch handler \(default export\)$/m);
  const { cells } = JSON.parse(result.stdout) as { cells: ServerCell[] };
  assert.deepEqual(
    cells.map((cell) => [cell.architecture, cell.status]),
    [
      ['single', 'ok'],
      ['reuseport', 'ok'],
    ],
  );
  for (const cell of cells) {
    assert.ok(cell.requests > 0, cell.architecture);
    assert.deepEqual(cell.errors, {}, cell.architecture);
    assert.equal(cell.app?.requests.length, 2);
  }
});

it('the example suite with the Hono app is valid', async () => {
  const result = await runConlab(['suite', 'validate', suite], 120_000);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^ok: suite 'my-code' is valid/);
});
