import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLabError } from '../../src/core/errors.ts';
import {
  countPrimesBelow,
  getWorkload,
  kvValue,
  openKvDb,
  resolveParams,
  sha256Chain,
  workloadNames,
  workloads,
} from '../../src/workloads/index.ts';
import { sinCos } from '../../src/workloads/rotate.ts';
import { sleepDelaysMs } from '../../src/workloads/sleep.ts';
import { triangular } from '../../src/workloads/prng.ts';
import { smallWorkloadParams } from '../fixtures/small-params.ts';

test('the SHA-256 chain matches the PROTOCOL.md §2 vectors', () => {
  assert.equal(sha256Chain('conlab', 1), '15cb1ff47900c43a800e1dbeeeedddd96f7a8a740615c13abf242d2dff24e698');
  assert.equal(sha256Chain('conlab', 2), '3605bcd1a7a4ec8f6554cac17f721caf662eccac9d4dca8f34d41d74ae206382');
  assert.equal(
    sha256Chain('conlab', 1000),
    '7f398101c624d74ac9b1b0278cfe6e67ea1ad200d21974dad410e6561637c052',
  );
});

test('prime counts are the known ones', () => {
  assert.equal(countPrimesBelow(2), 0);
  assert.equal(countPrimesBelow(3), 1);
  assert.equal(countPrimesBelow(100), 25);
  assert.equal(countPrimesBelow(1000), 168);
  assert.equal(countPrimesBelow(100_000), 9592);
  assert.equal(resolveParams(getWorkload('cpu.primes'), {}).limit, 1_000_000); // whose count is 78,498
});

test('unknown workload: LAB_E_UNKNOWN_WORKLOAD listing the workloads', () => {
  assert.throws(
    () => getWorkload('cpu.prime'),
    (error: unknown) => {
      assert.ok(isLabError(error));
      assert.equal(error.code, 'LAB_E_UNKNOWN_WORKLOAD');
      for (const name of workloadNames) assert.ok(error.message.includes(name), name);
      assert.match(error.hint ?? '', /did you mean 'cpu.primes'/);
      return true;
    },
  );
});

test('params are validated with the name and the range, defaults filled in', () => {
  const primes = getWorkload('cpu.primes');
  assert.deepEqual(resolveParams(primes, { limit: '5000' }), { limit: 5000 });
  for (const bad of ['0', '1.5', 'x', '', '1e9']) {
    assert.throws(
      () => resolveParams(primes, { limit: bad }),
      (error: unknown) =>
        isLabError(error) && error.code === 'LAB_E_BAD_PARAM' && /limit.*2\.\.100000000/.test(error.message),
      bad,
    );
  }
  assert.throws(
    () => resolveParams(primes, { limt: '5' }),
    (error: unknown) =>
      isLabError(error) && error.code === 'LAB_E_BAD_PARAM' && /did you mean 'limit'/.test(error.hint ?? ''),
  );
  assert.throws(() => resolveParams(getWorkload('cpu.sha256'), { seed: 'a b' }), /seed/);
});

test('sin/cos series agree with Math to 1e-15 for the angles rotate uses', () => {
  for (const degrees of [-45, -5, 0, 1, 5, 30, 45]) {
    const radians = (degrees * Math.PI) / 180;
    const { sin, cos } = sinCos(radians);
    assert.ok(Math.abs(sin - Math.sin(radians)) < 1e-15, `sin ${degrees}`);
    assert.ok(Math.abs(cos - Math.cos(radians)) < 1e-15, `cos ${degrees}`);
  }
});

test("io.sleep draws seed 003's delays: triangular(0, 660 ms), two calls when id % 3 == 1", () => {
  assert.equal(triangular(0, 0, 660), 0);
  assert.equal(triangular(0.5, 0, 660), 330);
  assert.equal(triangular(1, 0, 660), 660);
  const all: number[] = [];
  for (let id = 0; id < 300; id++) {
    const delays = sleepDelaysMs(3, id);
    assert.equal(delays.length, id % 3 === 1 ? 2 : 1);
    assert.deepEqual(sleepDelaysMs(3, id), delays, 'reproducible');
    all.push(...delays);
  }
  assert.ok(all.every((ms) => ms >= 0 && ms <= 660));
  const meanMs = all.reduce((a, b) => a + b, 0) / all.length;
  assert.ok(meanMs > 290 && meanMs < 370, `mean ${meanMs} near 330`);
});

test('every workload: sync and async give the same answer, equal to expected() where defined', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-wl-'));
  try {
    const raw = smallWorkloadParams(dir);
    for (const workload of Object.values(workloads)) {
      const params = resolveParams(workload, raw[workload.name] ?? {});
      workload.prepare?.(params);
      const items = [0, 1, 2, 3];
      const sync = workload.combine(items.map((i) => workload.runSync(params, i)));
      const async = workload.combine(await Promise.all(items.map((i) => workload.runAsync(params, i))));
      assert.equal(async, sync, workload.name);
      const expected = workload.expected?.(params, items.length);
      if (expected !== undefined) assert.equal(sync, expected, workload.name);
    }
    // io.file removes its per-item files; only the sqlite db stays.
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.startsWith('conlab-file-')),
      [],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('openKvDb creates the PROTOCOL.md §2 table once and reads it back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-kv-'));
  try {
    const path = join(dir, 'kv.sqlite');
    const db = openKvDb(path);
    const row = db.prepare('SELECT val FROM kv WHERE key = ?').get('k0042') as { val: string };
    assert.equal(row.val, kvValue(42));
    assert.equal((db.prepare('SELECT count(*) AS n FROM kv').get() as { n: number }).n, 1000);
    db.close();
    const again = openKvDb(path);
    assert.equal((again.prepare('SELECT count(*) AS n FROM kv').get() as { n: number }).n, 1000);
    assert.equal(again.prepare('SELECT val FROM kv WHERE key = ?').get('k1000'), undefined);
    again.close();
    assert.ok(existsSync(path));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cpu answers do not depend on the item (the cell answer is the per-item answer)', () => {
  const js = getWorkload('cpu.js');
  const params = resolveParams(js, { iters: '5000' });
  assert.equal(js.runSync(params, 0), js.runSync(params, 7));
  assert.throws(() => js.combine(['1', '2']), /item 1 answered 2/);
});
