// `conlab results export/list/show` in every format, on a store built with the real API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as hdrjs from 'hdr-histogram-js';
import { openStore } from '../../src/results/store.ts';
import { Hdr } from '../../src/stats/hdr.ts';
import { batchRecord, env, serverRecord } from './fixtures.ts';

const run = promisify(execFile);
const bin = new URL('../../bin/conlab.js', import.meta.url).pathname;

function conlab(...args: string[]) {
  return run(process.execPath, [bin, ...args]);
}

const latenciesUs = Array.from(
  { length: 2000 },
  (_, i) => 100 + ((i * 37) % 900) + (i % 100 === 0 ? 40_000 : 0),
);

test('results export markdown, openmetrics, hdr; -o and --out write files', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-export-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'r.db');
  const store = openStore(path);
  const plan = [
    { cellKey: 'seq', repetition: 0 },
    { cellKey: 'thr', repetition: 0 },
    { cellKey: 'srv', repetition: 0 },
  ];
  const id = store.createRun({ suiteName: 'mixed', env, suite: {}, cells: [], plan });
  store.addCell(id, batchRecord('sequential', 0, 1000));
  store.addCell(id, batchRecord('threads', 0, 520));
  store.addCell(id, serverRecord('cluster', 0, 4000, latenciesUs));
  store.markRun(id, 'complete');
  store.close();

  const markdown = (await conlab('results', 'export', 'latest', '--format', 'markdown', '--store', path))
    .stdout;
  assert.match(markdown, new RegExp(`^### conlab run ${id} \\(mixed, complete\\)`));
  const tableLines = markdown.split('\n').filter((line) => line.startsWith('|'));
  // Two tables (batch: header, rule, 2 rows; server: header, rule, 1 row), every line with the same number of cells as its header.
  assert.equal(tableLines.length, 7);
  assert.match(markdown, /\| (---:? \| )+---:? \|/);
  assert.match(markdown, /\| sequential /);
  assert.match(markdown, /\| cluster /);

  const metrics = (await conlab('results', 'export', id, '--format', 'openmetrics', '--store', path)).stdout;
  assert.ok(metrics.endsWith('# EOF\n'));
  assert.match(metrics, /^conlab_cell_requests_per_second\{[^}]*architecture="cluster"[^}]*\} 4000$/m);
  assert.match(metrics, /^# TYPE conlab_cell_latency_seconds gauge$/m);

  // The hdr log, written with -o, read back by hdr-histogram-js's log reader.
  const hdrPath = join(dir, 'latency.hlog');
  await conlab('results', 'export', id, '--format', 'hdr', '-o', hdrPath, '--store', path);
  const reader = new hdrjs.HistogramLogReader(readFileSync(hdrPath, 'utf8'));
  const histogram = reader.nextIntervalHistogram();
  assert.ok(histogram, 'one histogram in the log');
  const ours = new Hdr();
  for (const value of latenciesUs) ours.record(value);
  assert.equal(histogram.totalCount, latenciesUs.length);
  for (const p of [50, 99, 99.9]) {
    const expected = ours.percentile(p);
    assert.ok(
      Math.abs(histogram.getValueAtPercentile(p) - expected) <= Math.max(1, expected / 1024),
      `p${p}`,
    );
  }
  assert.equal(reader.nextIntervalHistogram(), null, 'batch cells have no histogram');

  // --out is kept as the old spelling of -o/--output.
  const csvPath = join(dir, 'cells.csv');
  const quiet = await conlab('results', 'export', id, '--format', 'csv', '--out', csvPath, '--store', path);
  assert.equal(quiet.stdout, '');
  assert.match(readFileSync(csvPath, 'utf8'), /^runId,cellKey/);

  const listMd = (await conlab('results', 'list', '--format', 'markdown', '--store', path)).stdout;
  assert.match(listMd, new RegExp(`^\\| ${id} \\| mixed \\| complete \\|`, 'm'));
  const listJson = JSON.parse(
    (await conlab('results', 'list', '--format', 'json', '--store', path)).stdout,
  ) as unknown[];
  assert.equal(listJson.length, 1);
});

test('results export refuses an unknown format and a --json that disagrees with --format', async () => {
  await assert.rejects(
    conlab('results', 'export', 'latest', '--format', 'markdwn'),
    (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 2);
      assert.match(error.stderr, /LAB_E_BAD_PARAM.*markdwn/);
      assert.match(error.stderr, /did you mean 'markdown'/);
      return true;
    },
  );
  await assert.rejects(
    conlab('results', 'list', '--json', '--format', 'markdown'),
    (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 2);
      assert.match(error.stderr, /--json and --format markdown disagree/);
      return true;
    },
  );
});
