/**
 * `conlab report` end to end through the real CLI and a real results store
 * (SQLite in a temp dir) filled with fixture runs: HTML, figures, the table,
 * comparisons (a 2x injected difference is significant, identical runs are
 * not), and bad input (unknown run, missing store, newer store schema).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { batchRun, mixedRun, storeRun } from './fixtures/runs.ts';
import { runConlab } from '../fixtures/cli.ts';

const conlab = (args: string[]) => runConlab(args);

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'conlab-report-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('conlab report writes one self-contained HTML file from the store', { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t);
  const store = join(dir, 'results.db');
  const runId = storeRun(store, mixedRun());
  const out = join(dir, 'report.html');
  const result = await conlab(['report', 'latest', '-o', out, '--store', store]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`wrote .*report\\.html \\(run ${runId}`));
  const html = await readFile(out, 'utf8');
  assert.match(html, /data-chart="cpu-heatmap-/);
  assert.match(html, /data-chart="latency-time-/, 'timelines survive the store round trip');
  assert.match(html, new RegExp(runId));
});

test(
  'conlab report --png/--svg writes figures including the per-core heat maps',
  { timeout: 60_000 },
  async (t) => {
    const dir = await tempDir(t);
    const store = join(dir, 'results.db');
    storeRun(store, batchRun());
    const result = await conlab([
      'report',
      '--png',
      join(dir, 'png'),
      '--svg',
      join(dir, 'svg'),
      '--store',
      store,
    ]);
    assert.equal(result.code, 0, result.stderr);
    const pngs = await readdir(join(dir, 'png'));
    const svgs = await readdir(join(dir, 'svg'));
    assert.ok(
      pngs.some((name) => name.startsWith('cpu-heatmap-')),
      pngs.join(', '),
    );
    assert.ok(pngs.includes('speedup-cpu.sha256-node-24.21.0.png'), pngs.join(', '));
    assert.equal(pngs.length, svgs.length);
    assert.ok(!existsSync(join(dir, 'reports')), 'figures alone do not write an HTML report');
  },
);

test('conlab report --table prints the cell table within 80 columns', { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t);
  const store = join(dir, 'results.db');
  storeRun(store, mixedRun());
  const result = await conlab(['report', '--table', '--store', store]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /batch cells: cpu\.sha256/);
  assert.match(result.stdout, /server cells/);
  for (const line of result.stdout.split('\n')) assert.ok(line.length <= 80, line);
  const wide = await conlab(['report', '--table', '--wide', '--store', store]);
  assert.match(wide.stdout, /speedup 95%/);
});

test(
  'conlab report --compare marks an injected 2x difference significant and identical runs not',
  { timeout: 60_000 },
  async (t) => {
    const dir = await tempDir(t);
    const store = join(dir, 'results.db');
    const base = storeRun(store, batchRun({ seed: 7 }));
    const same = storeRun(store, batchRun({ seed: 7 }));
    const faster = storeRun(store, batchRun({ seed: 7, scale: { model: 'threads', factor: 2 } }));

    const identical = await conlab(['report', '--compare', base, same, '--store', store]);
    assert.equal(identical.code, 0, identical.stderr);
    const identicalRows = identical.stdout.split('\n').filter((line) => line.includes('cpu.sha256'));
    assert.equal(identicalRows.length, 10);
    for (const line of identicalRows) assert.match(line, /no significant difference/);

    const out = join(dir, 'compare.html');
    const injected = await conlab(['report', '--compare', base, faster, '-o', out, '--store', store]);
    assert.equal(injected.code, 0, injected.stderr);
    const rows = injected.stdout.split('\n').filter((line) => line.includes('cpu.sha256'));
    for (const line of rows) {
      if (line.startsWith('threads'))
        assert.match(line, /0\.(49|50|51) \[0\.\d+, 0\.\d+\].*\*\*\s+\+ B (1\.9\d|2\.0\d)× faster/, line);
      else assert.match(line, /no significant difference/, line);
    }
    const html = await readFile(out, 'utf8');
    assert.equal(
      (html.match(/<tr class="better"[^>]*data-significant="true"/g) ?? []).length,
      3,
      'three threads cells highlighted',
    );
    assert.match(html, /data-chart="compare-forest"/);
  },
);

test(
  'bad input: unknown run, missing store, newer store schema, wrong arguments',
  { timeout: 60_000 },
  async (t) => {
    const dir = await tempDir(t);
    const store = join(dir, 'results.db');
    storeRun(store, batchRun({ repetitions: 1 }));

    const unknown = await conlab(['report', 'run-does-not-exist', '--store', store]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /LAB_E_NOT_FOUND: no run 'run-does-not-exist'/);
    assert.doesNotMatch(unknown.stderr, /\n\s+at /, 'no stack trace');

    const missing = await conlab(['report', '--store', join(dir, 'nope.db')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /LAB_E_NOT_FOUND: no results store/);
    assert.ok(!existsSync(join(dir, 'nope.db')), 'a read-only command does not create a store');

    const newer = join(dir, 'newer.db');
    storeRun(newer, batchRun({ repetitions: 1 }));
    const db = new DatabaseSync(newer);
    db.exec('UPDATE schema_version SET version = version + 100');
    db.close();
    const future = await conlab(['report', '--store', newer]);
    assert.equal(future.code, 2);
    assert.match(future.stderr, /LAB_E_STORE_VERSION/);

    // Unwritable outputs fail fast with LAB_E_IO (recursive mkdir under /proc never returns on Node 24).
    const notDir = await conlab(['report', '--png', join(store, 'figs'), '--store', store]);
    assert.equal(notDir.code, 2);
    assert.match(notDir.stderr, /LAB_E_IO: cannot create .* is not a directory/);
    if (existsSync('/proc/self')) {
      const proc = await conlab(['report', '-o', '/proc/conlab-nope/report.html', '--store', store]);
      assert.equal(proc.code, 2);
      assert.match(proc.stderr, /LAB_E_IO: cannot create '\/proc\/conlab-nope'/);
    }

    const oneRun = await conlab(['report', '--compare', 'latest', '--store', store]);
    assert.equal(oneRun.code, 2);
    assert.match(oneRun.stderr, /LAB_E_USAGE: report --compare takes two runs/);
  },
);
