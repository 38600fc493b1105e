// The store commands on a store built with the real API: list, show, export, compare, and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openStore } from '../../src/results/store.ts';
import { batchRecord, env } from './fixtures.ts';

const run = promisify(execFile);
const bin = new URL('../../bin/conlab.js', import.meta.url).pathname;

function conlab(...args: string[]) {
  return run(process.execPath, [bin, ...args]);
}

test('results list/show/export and compare on two stored runs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-results-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'r.db');
  const store = openStore(path);
  const plan = [0, 1, 2].flatMap((repetition) =>
    ['sequential', 'threads'].map((model) => ({ cellKey: model, repetition })),
  );
  const a = store.createRun({ suiteName: 'before', env, suite: {}, cells: [], plan });
  for (const [r, ms] of [1000, 1010, 990].entries()) store.addCell(a, batchRecord('sequential', r, ms));
  for (const [r, ms] of [1000, 990, 1020].entries()) store.addCell(a, batchRecord('threads', r, ms));
  store.markRun(a, 'complete');
  const b = store.createRun({ suiteName: 'after', env, suite: {}, cells: [], plan });
  for (const [r, ms] of [1005, 995, 1000].entries()) store.addCell(b, batchRecord('sequential', r, ms));
  for (const [r, ms] of [500, 510, 505].entries()) store.addCell(b, batchRecord('threads', r, ms));
  store.markRun(b, 'complete');
  store.close();

  const list = await conlab('results', 'list', '--store', path);
  assert.match(list.stdout, new RegExp(`${a}\\s+before\\s+complete.*6/6\\s+0`));

  const show = await conlab('results', 'show', 'latest', '--store', path);
  assert.match(show.stdout, new RegExp(`run ${b}: suite after, complete`));
  assert.match(show.stdout, /threads \(c=2\) were 2\.0× faster than sequential/);

  const csv = await conlab('results', 'export', b, '--format', 'csv', '--store', path);
  const lines = csv.stdout.trimEnd().split('\r\n');
  assert.equal(lines.length, 1 + 6, 'a header and one row per stored cell repetition');
  assert.match(lines[0] ?? '', /^runId,cellKey,repetition,kind,status,reason,runtime,startedAt,.*durationMs/);
  const merged = await conlab('results', 'export', b, '--format', 'csv', '--merged', '--store', path);
  assert.equal(merged.stdout.trimEnd().split('\r\n').length, 1 + 2, 'merged: one row per cell');
  const json = JSON.parse(
    (await conlab('results', 'export', 'latest~1', '--format', 'json', '--store', path)).stdout,
  ) as {
    run: { runId: string };
    cells: unknown[];
  };
  assert.equal(json.run.runId, a);
  assert.equal(json.cells.length, 6);

  const compared = await conlab('compare', a, b, '--store', path);
  assert.match(compared.stdout, /threads.*time.*\*\*.*B 1\.99× faster/);
  assert.match(compared.stdout, /sequential.*time.*no significant difference/);
  const compareJson = JSON.parse((await conlab('compare', a, b, '--store', path, '--json')).stdout) as {
    cells: { mark: string; ratio: { low: number; high: number } }[];
  };
  assert.equal(compareJson.cells.length, 2);

  // Two cells of one run: threads against sequential in run B.
  const cells = await conlab('compare', b, '--cell', '|threads|', '--cell', '|sequential|', '--store', path);
  assert.match(cells.stdout, /^A = batch\|.*\|threads\|/m);
  assert.match(cells.stdout, /B\/A 1\.9\d\d \[[\d.]+, [\d.]+\], p <0\.001 \*\*: B 1\.9\d× slower/);
  await assert.rejects(
    conlab('compare', b, '--cell', 'cpu', '--cell', '|threads|', '--store', path),
    (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 2);
      assert.match(error.stderr, /--cell 'cpu' matches 2 cells; it must match exactly one/);
      return true;
    },
  );

  await assert.rejects(
    conlab('results', 'export', b, '--format', 'xml', '--store', path),
    (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 2);
      assert.match(error.stderr, /LAB_E_BAD_PARAM: unknown results export format 'xml'/);
      return true;
    },
  );
  await assert.rejects(
    conlab('results', 'show', 'nope', '--store', path),
    (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 2);
      assert.match(error.stderr, /LAB_E_NOT_FOUND: no run 'nope'/);
      return true;
    },
  );
  await assert.rejects(
    conlab('results', 'list', '--store', join(dir, 'missing.db')),
    (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 2);
      assert.match(error.stderr, /LAB_E_NOT_FOUND: no results store/);
      return true;
    },
  );
});
