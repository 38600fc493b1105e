import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { LabError } from '../../src/core/errors.ts';
import { STORE_SCHEMA_VERSION } from '../../src/results/migrations.ts';
import { salvageStore } from '../../src/results/check.ts';
import { openStore } from '../../src/results/store.ts';
import { recordRun } from '../../src/results/record-run.ts';
import { RESULT_SCHEMA_VERSION, type CellRecord } from '../../src/results/record.ts';
import { batchRecord, env, pipelineRecord, serverRecord } from './fixtures.ts';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const plan = [
  { cellKey: 'a', repetition: 0 },
  { cellKey: 'b', repetition: 0 },
];

/** A run with one batch record, written with the columns every store version has (as an older conlab wrote it). */
function writeOldRun(path: string, runId: string, status: string, record: { cellKey: string }): void {
  const db = new DatabaseSync(path);
  db.prepare(
    `INSERT INTO runs (run_id, suite_name, status, started_at, env_json, suite_json, cells_json, plan_json) VALUES (?, 's', ?, '2026-01-01T00:00:00Z', ?, '{}', '[]', '[]')`,
  ).run(runId, status, JSON.stringify(env));
  db.prepare(
    `INSERT INTO cells (run_id, cell_key, repetition, kind, status, runtime, started_at, record_json) VALUES (?, ?, 0, 'batch', 'ok', 'node@24', 'x', ?)`,
  ).run(runId, record.cellKey, JSON.stringify(record));
  db.close();
}

function storeCode(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof LabError, String(error));
    return error.code;
  }
  assert.fail('expected a LabError');
}

test('round trip: a run and its cells come back exactly, timelines and histograms included', (t) => {
  const path = join(tempDir(t), 'sub', 'results.db');
  const store = openStore(path);
  const suite = { name: 'fixture', repetitions: 1 };
  const runId = store.createRun({ suiteName: 'fixture', env, suite, cells: [{ cellKey: 'a' }], plan });
  assert.match(runId, /^\d{6}-\d{4}[a-z]+$/);
  const batch = batchRecord('threads', 0, 500);
  const server = serverRecord('cluster', 0, 10_000, [100, 200, 300]);
  store.addCell(runId, batch);
  store.addCell(runId, server);
  store.markRun(runId, 'complete');
  store.close();

  const reopened = openStore(path, { create: false });
  t.after(() => reopened.close());
  const data = reopened.loadRun('latest');
  assert.equal(data.run.runId, runId);
  assert.equal(data.run.status, 'complete');
  assert.deepEqual(data.run.env, env);
  assert.deepEqual(data.run.suite, suite);
  assert.deepEqual(data.cells, [batch, server]);
  const [summary] = reopened.listRuns();
  assert.deepEqual(
    { stored: summary?.storedCells, planned: summary?.plannedCells, failed: summary?.failedCells },
    { stored: 2, planned: 2, failed: 0 },
  );
  assert.deepEqual(
    [...reopened.storedSteps(runId)].sort(),
    [`${batch.cellKey}#0`, `${server.cellKey}#0`].sort(),
  );
  // Large parts live in their own table; the slim listing leaves them out.
  const slim = reopened.loadCells(runId, { withParts: false });
  assert.equal((slim[1] as { monitor?: unknown }).monitor, undefined);
});

test('one record per cell repetition: storing the same repetition twice is refused', (t) => {
  const store = openStore(join(tempDir(t), 'r.db'));
  t.after(() => store.close());
  const runId = store.createRun({ suiteName: 's', env, suite: {}, cells: [], plan });
  store.addCell(runId, batchRecord('threads', 0, 500));
  assert.throws(() => store.addCell(runId, batchRecord('threads', 0, 600)), /UNIQUE/);
  assert.equal(store.loadRun(runId).cells.length, 1, 'the failed insert left nothing behind');
});

test('run references: latest, latest~1, unique prefix, ambiguous and unknown', (t) => {
  const store = openStore(join(tempDir(t), 'r.db'));
  t.after(() => store.close());
  const first = store.createRun({ suiteName: 's', env, suite: {}, cells: [], plan });
  const second = store.createRun({ suiteName: 's', env, suite: {}, cells: [], plan });
  assert.notEqual(first, second);
  assert.equal(store.resolveRunId('latest'), second);
  assert.equal(store.resolveRunId('latest~1'), first);
  assert.equal(store.resolveRunId(first), first);
  assert.equal(store.resolveRunId(second.slice(0, -1) + second.slice(-1)), second);
  assert.equal(
    storeCode(() => store.resolveRunId(first.slice(0, 6))),
    'LAB_E_NOT_FOUND',
  ); // ambiguous prefix
  assert.equal(
    storeCode(() => store.resolveRunId('nope')),
    'LAB_E_NOT_FOUND',
  );
  assert.equal(store.lastUnfinishedRunId(), second);
});

test('an older store is migrated (metrics backfilled), and the migrated store keeps every record', (t) => {
  const path = join(tempDir(t), 'old.db');
  const old = openStore(path, { upToVersion: 1 });
  old.close();
  // Write a v1 row the way a v1 conlab did (v1 has no metrics table).
  const record = batchRecord('processes', 0, 400);
  writeOldRun(path, 'old-1', 'complete', record);

  const store = openStore(path);
  store.close();
  const check = new DatabaseSync(path);
  t.after(() => check.close());
  assert.equal(
    Number(check.prepare('SELECT version FROM schema_version').get()?.version),
    STORE_SCHEMA_VERSION,
  );
  const metric = check.prepare("SELECT value FROM metrics WHERE name = 'durationMs'").get();
  assert.equal(Number(metric?.value), 400);
  const reopened = openStore(path);
  t.after(() => reopened.close());
  assert.deepEqual(reopened.loadRun('old-1').cells, [record]);
});

test('a newer-version store is refused and left byte-for-byte untouched', (t) => {
  const path = join(tempDir(t), 'new.db');
  openStore(path).close();
  const db = new DatabaseSync(path);
  db.prepare('UPDATE schema_version SET version = ?').run(STORE_SCHEMA_VERSION + 1);
  db.close();
  const before = readFileSync(path);
  assert.equal(
    storeCode(() => openStore(path)),
    'LAB_E_STORE_VERSION',
  );
  assert.deepEqual(readFileSync(path), before);
});

test('a corrupt file or a foreign SQLite database is refused, never overwritten', (t) => {
  const dir = tempDir(t);
  const garbage = join(dir, 'garbage.db');
  writeFileSync(garbage, 'this is not a database at all, just some text that is long enough');
  assert.equal(
    storeCode(() => openStore(garbage)),
    'LAB_E_STORE',
  );
  assert.equal(readFileSync(garbage, 'utf8').startsWith('this is not'), true);

  const foreign = join(dir, 'foreign.db');
  const db = new DatabaseSync(foreign);
  db.exec('CREATE TABLE other (x)');
  db.close();
  assert.equal(
    storeCode(() => openStore(foreign)),
    'LAB_E_STORE',
  );

  // A real SQLite header with a damaged body: damage, named as such (test/results/damage.test.ts has more).
  const damaged = join(dir, 'damaged.db');
  openStore(damaged).close();
  const bytes = readFileSync(damaged);
  bytes.fill(0xff, 100, Math.min(bytes.length, 4096));
  writeFileSync(damaged, bytes);
  assert.equal(
    storeCode(() => openStore(damaged)),
    'LAB_E_STORE_DAMAGED',
  );
  assert.deepEqual(readFileSync(damaged), bytes, 'left as it was');

  assert.equal(
    storeCode(() => openStore(join(dir, 'missing.db'), { create: false })),
    'LAB_E_NOT_FOUND',
  );
});

test('migration to schema 3: runs get their command (all suite runs), records say schema 2, resume still finds them', (t) => {
  const path = join(tempDir(t), 'v2.db');
  openStore(path, { upToVersion: 2 }).close();
  // A store as the previous conlab left it: a killed suite run holding a record of schema 1.
  const record = { ...batchRecord('threads', 0, 400), schemaVersion: 1 };
  writeOldRun(path, 'old-2', 'running', record);

  const store = openStore(path);
  t.after(() => store.close());
  const data = store.loadRun('old-2');
  assert.equal(data.run.command, 'run');
  assert.deepEqual(data.cells, [{ ...record, schemaVersion: RESULT_SCHEMA_VERSION }]);
  assert.equal(store.lastUnfinishedRunId(), 'old-2');
});

test('salvage of a store from before schema 3: its runs become suite runs, its records schema 2', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'v2.db');
  openStore(path, { upToVersion: 2 }).close();
  const record = { ...batchRecord('threads', 0, 400), schemaVersion: 1 };
  writeOldRun(path, 'old-2', 'complete', record);
  const before = readFileSync(path);

  const out = join(dir, 'salvaged.db');
  assert.deepEqual(salvageStore(path, out), { runs: 1, cells: 1, refused: [] });
  assert.deepEqual(readFileSync(path), before, 'the old store is only read');
  const salvaged = openStore(out, { create: false });
  t.after(() => salvaged.close());
  const data = salvaged.loadRun('old-2');
  assert.equal(data.run.command, 'run');
  assert.deepEqual(data.cells, [{ ...record, schemaVersion: RESULT_SCHEMA_VERSION }]);
});

test('only suite runs resume: an unfinished preset or pipeline run is never picked', (t) => {
  const store = openStore(join(tempDir(t), 'r.db'));
  t.after(() => store.close());
  const suiteRun = store.createRun({ suiteName: 's', env, suite: {}, cells: [], plan });
  const presetRun = store.createRun({
    suiteName: 'preset seed004',
    command: 'preset',
    env,
    suite: {},
    cells: [],
    plan,
  });
  store.markRun(presetRun, 'interrupted', 'Ctrl-C');
  assert.equal(store.lastUnfinishedRunId(), suiteRun);
  assert.deepEqual(
    store.listRuns().map((run) => [run.suiteName, run.command]),
    [
      ['s', 'run'],
      ['preset seed004', 'preset'],
    ],
  );
});

test('recordRun: one run per command, each record stored as its cell ends, a throw stored as a failed record', async (t) => {
  const store = openStore(join(tempDir(t), 'r.db'));
  t.after(() => store.close());
  const cells = [1, 4, 1].map((concurrency) => ({
    cellKey: pipelineRecord('async', concurrency, 0, 1).cellKey,
    label: `async × ${concurrency}`,
    concurrency,
  }));
  const storedWhenStarted: number[] = [];
  const recorded = await recordRun({
    store,
    name: 'pipeline',
    command: 'pipeline',
    settings: { durationS: 2 },
    runtimeLabels: ['node@24.21.0'],
    cells,
    execute: (cell) => {
      storedWhenStarted.push(store.loadCells(store.resolveRunId('latest')).length);
      if (cell.concurrency === 4) return Promise.reject(new Error('subject crashed'));
      return Promise.resolve<CellRecord>(pipelineRecord('async', cell.concurrency, 0, 2.4));
    },
    failedRecord: (cell, repetition, reason) => ({
      ...pipelineRecord('async', cell.concurrency, repetition, 0),
      status: 'failed',
      reason,
    }),
    estimateSeconds: () => 2,
  });
  // The repeated cell (async × 1 twice) is measured once; each record was in the store before the next cell started.
  assert.deepEqual(storedWhenStarted, [0, 1]);
  assert.deepEqual(recorded.outcome, { status: 'complete', note: null, measured: 2, remaining: 0 });
  const data = store.loadRun(recorded.runId);
  assert.deepEqual(
    [data.run.suiteName, data.run.command, data.run.status],
    ['pipeline', 'pipeline', 'complete'],
  );
  assert.deepEqual(data.run.suite, { durationS: 2 });
  assert.deepEqual(
    data.cells.map((cell) => [cell.cellKey, cell.status, cell.reason]),
    [
      [cells[0]?.cellKey, 'ok', undefined],
      [cells[1]?.cellKey, 'failed', 'subject crashed'],
    ],
  );
  assert.deepEqual(recorded.records, data.cells, 'the records handed back are the ones stored');
});
