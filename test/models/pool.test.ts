/**
 * The pool itself, in this process: answers in item order whatever the
 * chunking, a task that throws rejects the run but keeps the worker, a
 * worker that dies fails its tasks with the reason and is replaced, and
 * stop() leaves no process behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pool, type PoolOptions } from '../../src/models/pool/pool.ts';
import { resolveParams, getWorkload } from '../../src/workloads/index.ts';
import { isAlive } from '../fixtures/orphans.ts';

const options = (kind: 'thread' | 'process', params: Record<string, string> = {}): PoolOptions => ({
  kind,
  size: 2,
  workload: 'echo',
  params: resolveParams(getWorkload('echo'), params),
  threadsPerProcess: 0,
  inFlightPerWorker: 3,
  startTimeoutMs: 30_000,
});

for (const kind of ['thread', 'process'] as const) {
  test(`${kind} pool: answers in item order for every chunk size`, async (t) => {
    const pool = new Pool(options(kind));
    t.after(() => pool.stop());
    await pool.start();
    for (const chunk of [1, 3, 7, 100]) {
      assert.deepEqual(
        await pool.run(23, chunk),
        Array.from({ length: 23 }, (_, i) => i),
        `chunk ${chunk}`,
      );
    }
  });

  test(`${kind} pool: a throwing task rejects the run, the pool keeps working`, async (t) => {
    const pool = new Pool(options(kind, { throwAt: '5' }));
    t.after(() => pool.stop());
    await pool.start();
    await assert.rejects(pool.run(10, 1), /items 5\.\.5: echo: injected failure at item 5/);
    assert.deepEqual(await pool.run(5, 1), [0, 1, 2, 3, 4]);
  });

  test(`${kind} pool: a dying worker fails the run with the reason and is replaced`, async (t) => {
    const pool = new Pool(options(kind, { exitAt: '4' }));
    t.after(() => pool.stop());
    await pool.start();
    const before = pool.pids();
    await assert.rejects(pool.run(8, 1), /exited with code 3/);
    // The replacement runs the next batch (items below the fatal one).
    assert.deepEqual(await pool.run(4, 2), [0, 1, 2, 3]);
    await pool.stop();
    if (kind === 'process') {
      assert.ok(pool.pids().length > before.length, 'a new worker process was started');
      assert.deepEqual(pool.pids().filter(isAlive), []);
    }
  });
}
