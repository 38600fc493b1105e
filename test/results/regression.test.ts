/**
 * `conlab compare A B --fail-on-regression 5%`, a CI gate: runs built with
 * the store API (one record per repetition, as a suite stores them); exit 1
 * on an injected 2× slowdown, naming each regressed cell on stderr; exit 0
 * on identical runs, on a slowdown below the limit and on a speed-up; a
 * cell that cannot be judged (one repetition) never fails the gate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareRuns, findRegressions, slowdownOf } from '../../src/results/compare.ts';
import type { RunData } from '../../src/results/record.ts';
import { runConlab } from '../fixtures/cli.ts';
import { batchRun, serverRun, storeRun } from '../report/fixtures/runs.ts';

test('findRegressions: significant slowdowns beyond the limit only, the same in time and throughput', () => {
  const base = batchRun({ seed: 7 });
  const slower = batchRun({ seed: 7, scale: { model: 'threads', factor: 0.5 } });
  const check = findRegressions(compareRuns(base, slower), 0.05);
  assert.equal(check.regressions.length, 3, 'threads at concurrency 1, 2 and 4');
  for (const regression of check.regressions) {
    assert.match(regression.cellKey, /\|threads\|/);
    assert.ok(
      Math.abs(regression.slowdown - 1) < 0.1,
      `2× the time is a 100% slowdown: ${regression.slowdown}`,
    );
    assert.match(regression.text, /B 2\.\d\d× slower \(\d+\.\d% slower, limit 5%; p /);
  }
  assert.deepEqual(findRegressions(compareRuns(base, batchRun({ seed: 7 })), 0.05).regressions, []);
  // Twice as fast is no regression, however significant.
  const faster = batchRun({ seed: 7, scale: { model: 'threads', factor: 2 } });
  assert.deepEqual(findRegressions(compareRuns(base, faster), 0.05).regressions, []);
  // A 2× slowdown is above a 50% limit but not above a 150% one.
  assert.equal(findRegressions(compareRuns(base, slower), 0.5).regressions.length, 3);
  assert.equal(findRegressions(compareRuns(base, slower), 1.5).regressions.length, 0);
  // Throughput (server cells): half the req/s is the same 100% slowdown.
  const server = serverRun(2);
  const halved: RunData = {
    ...server,
    cells: server.cells.map((cell) =>
      cell.kind === 'server'
        ? { ...cell, rps: cell.rps / 2, rpsPerRep: cell.rpsPerRep.map((r) => r / 2) }
        : cell,
    ),
  };
  const compared = compareRuns(server, halved);
  assert.ok(compared.cells.length > 0);
  for (const cell of compared.cells) assert.ok(Math.abs(slowdownOf(cell) - 1) < 1e-9);
  assert.equal(
    findRegressions(compared, 0.05).regressions.length,
    compared.cells.filter((c) => c.mark !== '' && c.mark !== '?').length,
  );
});

test('findRegressions: one repetition cannot be judged; a cell failed in B is a regression', () => {
  const one = batchRun({ seed: 3, repetitions: 1 });
  const oneSlower = batchRun({ seed: 3, repetitions: 1, scale: { model: 'threads', factor: 0.5 } });
  const check = findRegressions(compareRuns(one, oneSlower), 0.05);
  assert.deepEqual(check.regressions, []);
  assert.equal(check.undecided.length, compareRuns(one, oneSlower).cells.length);
  const base = batchRun({ seed: 7 });
  const broken: RunData = {
    ...base,
    cells: base.cells.map((cell) =>
      cell.kind === 'batch' && cell.model === 'processes' && cell.concurrency === 4
        ? { ...cell, status: 'failed', reason: 'worker died' }
        : cell,
    ),
  };
  const failed = findRegressions(compareRuns(base, broken), 0.05).regressions;
  assert.equal(failed.length, 1);
  assert.match(failed[0]?.text ?? '', /\|processes\|.*ok in A, not in B \(A ok, B failed\)/);
});

test(
  'conlab compare --fail-on-regression: exit 1 on an injected 2× slowdown, 0 on identical runs',
  { timeout: 60_000 },
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'conlab-regression-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const store = join(dir, 'results.db');
    const base = storeRun(store, batchRun({ seed: 7 }));
    const same = storeRun(store, batchRun({ seed: 7 }));
    const slower = storeRun(store, batchRun({ seed: 7, scale: { model: 'threads', factor: 0.5 } }));
    const slightly = storeRun(store, batchRun({ seed: 7, scale: { model: 'threads', factor: 0.98 } }));

    const identical = await runConlab([
      'compare',
      base,
      same,
      '--fail-on-regression',
      '5%',
      '--store',
      store,
    ]);
    assert.equal(identical.code, 0, identical.stderr);
    assert.doesNotMatch(identical.stderr, /regression/);

    const injected = await runConlab([
      'compare',
      base,
      slower,
      '--fail-on-regression',
      '5%',
      '--store',
      store,
    ]);
    assert.equal(injected.code, 1, injected.stderr);
    const named =
      injected.stderr.match(/^conlab compare: regression: .*\|threads\|.*B 2\.\d\d× slower/gm) ?? [];
    assert.equal(named.length, 3, injected.stderr);
    assert.match(injected.stdout, /threads/, 'the table is printed as without the gate');

    const small = await runConlab([
      'compare',
      base,
      slightly,
      '--fail-on-regression',
      '5%',
      '--store',
      store,
    ]);
    assert.equal(small.code, 0, `2% is below the 5% limit\n${small.stderr}`);

    const json = await runConlab([
      'compare',
      base,
      slower,
      '--fail-on-regression',
      '5%',
      '--json',
      '--store',
      store,
    ]);
    assert.equal(json.code, 1);
    const doc = JSON.parse(json.stdout) as { regressions: { limit: number; regressions: unknown[] } };
    assert.equal(doc.regressions.limit, 0.05);
    assert.equal(doc.regressions.regressions.length, 3);

    // Without the flag compare reports and exits 0, whatever it found.
    assert.equal((await runConlab(['compare', base, slower, '--store', store])).code, 0);

    const bad = await runConlab(['compare', base, slower, '--fail-on-regression', 'five', '--store', store]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /LAB_E_BAD_PARAM: --fail-on-regression 'five' is not a percentage/);
  },
);
