/**
 * The cpu-speed check (src/monitor/cpu-speed.ts): a timing judged against
 * the fastest kept in the cache, with injected timings and a temporary
 * cache folder (no timing is asserted).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkCpuSpeed,
  speedCheck,
  speedKey,
  SLOW_FACTOR,
  timeKernelMs,
} from '../../src/monitor/cpu-speed.ts';

test('the first timing is kept; a slower one warns beyond 1.25×; a faster one becomes the best', (t) => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'conlab-speed-'));
  t.after(() => rmSync(cacheDir, { recursive: true, force: true }));
  const at = (ms: number, iso: string) => checkCpuSpeed({ cacheDir, timeMs: () => ms, now: new Date(iso) });
  const first = at(10, '2026-12-06T12:44:00Z');
  assert.equal(first.verdict, 'ok');
  assert.match(first.value, /^10\.0 ms \(first timing kept here\)$/);
  const kept = JSON.parse(readFileSync(join(cacheDir, 'cpu-speed.json'), 'utf8')) as {
    key: string;
    bestMs: number;
  }[];
  assert.deepEqual(
    kept.map((record) => [record.key, record.bestMs]),
    [[speedKey(), 10]],
  );
  // About 13:34 on 2026-12-06: the same work at twice the time, nothing else in /proc to say so.
  const slow = at(20.4, '2026-12-06T13:37:00Z');
  assert.equal(slow.verdict, 'warn');
  assert.equal(slow.value, '20.4 ms, 2.04× the fastest seen here (10.0 ms, 2026-12-06T12:44Z)');
  assert.match(slow.why ?? '', /hyperthread/);
  // Just under the factor is ok; the best stays 10 ms.
  assert.equal(at(10 * SLOW_FACTOR - 0.01, '2026-12-06T13:40:00Z').verdict, 'ok');
  const faster = at(8, '2026-12-06T14:00:00Z');
  assert.equal(faster.verdict, 'ok');
  assert.match(
    at(10, '2026-12-06T14:01:00Z').value,
    /1\.25× the fastest seen here \(8\.0 ms, 2026-12-06T14:00Z\)/,
  );
});

test('a cache that cannot be written costs the comparison, never the check', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-speed-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'not-a-folder');
  writeFileSync(file, 'x');
  const check = checkCpuSpeed({ cacheDir: join(file, 'cache'), timeMs: () => 12 });
  assert.equal(check.verdict, 'ok');
  assert.match(check.value, /not writable: nothing to compare with next time/);
  assert.equal(speedCheck(12, null).value, '12.0 ms (first timing kept here)');
});

test('the kernel times something: a positive number of milliseconds', () => {
  const ms = timeKernelMs(2, 10_000);
  assert.ok(Number.isFinite(ms) && ms > 0);
});
