/**
 * Seeds are runs: `conlab preset` and `conlab pipeline` store what they
 * measured as a run (named after the preset or command) that `results`,
 * `compare` and `report` read like a suite run, while stdout keeps the
 * seed's own format; and a preset reports a server that does not stop
 * cleanly exactly as bench-server does (one server-cell runner). No timing
 * is asserted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CellRecord, PipelineCell, ServerCell } from '../../src/results/record.ts';
import type { RunSummary } from '../../src/results/store.ts';
import { SEED004_CSV_HEADER, type Seed004Row } from '../../src/seeds/presets/seed004.ts';
import { SEED_TSV_COLUMNS } from '../../src/seeds/pipeline/format.ts';
import { makeTempRoot, parseCsv, removeTempRoot, runCli, tempStore } from './helpers.ts';

async function runsIn(storeArgs: string[]): Promise<RunSummary[]> {
  const listed = await runCli(['results', 'list', '--json', ...storeArgs]);
  assert.equal(listed.code, 0, listed.stderr);
  return JSON.parse(listed.stdout) as RunSummary[];
}

async function storedCells(storeArgs: string[]): Promise<CellRecord[]> {
  const shown = await runCli(['results', 'show', 'latest', '--json', ...storeArgs]);
  assert.equal(shown.code, 0, shown.stderr);
  return (JSON.parse(shown.stdout) as { cells: CellRecord[] }).cells;
}

async function reportHtml(storeArgs: string[], dir: string): Promise<string> {
  const out = join(dir, 'r.html');
  const report = await runCli(['report', 'latest', '-o', out, ...storeArgs], 180_000);
  assert.equal(report.code, 0, report.stderr);
  return readFileSync(out, 'utf8');
}

test('preset seed004 is stored as a run the report draws; its CSV and the store agree', async (t) => {
  const store = tempStore('seed004');
  const dir = makeTempRoot('seed004-report');
  t.after(() => {
    store.remove();
    removeTempRoot(dir);
  });
  const { code, stdout, stderr } = await runCli(
    [
      'preset',
      'seed004',
      '--archs',
      'single,prefork',
      '--clients',
      '4',
      '--duration',
      '1',
      '--format',
      'csv',
      ...store.args,
    ],
    120_000,
  );
  assert.equal(code, 0, stderr);
  // stdout is the seed's CSV and nothing else; the stored line goes to stderr.
  const csv = parseCsv(stdout);
  assert.equal(csv.header, SEED004_CSV_HEADER);
  assert.deepEqual(
    csv.rows.map((row) => row.server_type),
    ['single', 'prefork'],
  );
  const [run] = await runsIn(store.args);
  assert.ok(run);
  assert.match(stderr, new RegExp(`run ${run.runId} \\(preset seed004\\) stored in `));
  assert.deepEqual(
    [run.suiteName, run.command, run.status, run.storedCells],
    ['preset seed004', 'preset', 'complete', 2],
  );

  const cells = (await storedCells(store.args)) as ServerCell[];
  for (const row of csv.rows) {
    const cell = cells.find((c) => c.architecture === row.server_type);
    assert.ok(cell, `a stored cell for ${row.server_type}`);
    assert.equal(cell.kind, 'server');
    assert.equal(cell.status, 'ok', cell.reason ?? '');
    assert.equal(cell.endpoint, 'whoami');
    assert.equal(cell.servedBySampledDuringLoad, true);
    // One record behind both: the preset's columns are the stored record's numbers.
    assert.equal(Number(row.successful), cell.requests);
    assert.equal(Number(row.distinct_processes), cell.servedByPids.length);
    assert.equal(Number(row.whoami_samples), cell.servedBySamples);
  }
  assert.equal(cells.find((c) => c.architecture === 'prefork')?.workers, 4);

  const html = await reportHtml(store.args, dir);
  for (const cell of cells) assert.ok(html.includes(`data-cell-key="${cell.cellKey}"`), cell.cellKey);
  assert.match(html, /id="chart-throughput-server-http-whoami-/);
  assert.match(html, /preset seed004/);
});

test('pipeline runs are stored as pipeline cells that the report, compare and CSV export read', async (t) => {
  const store = tempStore('pipeline');
  const dir = makeTempRoot('pipeline-report');
  t.after(() => {
    store.remove();
    removeTempRoot(dir);
  });
  const args = [
    'pipeline',
    '--method',
    'async',
    '--sweep',
    '1,2',
    '--duration',
    '0.3',
    '--buffer-kib',
    '64',
    '--recv-delay',
    '0.05',
    '--format',
    'seed-tsv',
    '--tmpdir',
    dir,
    ...store.args,
  ];
  const first = await runCli(args, 120_000);
  assert.equal(first.code, 0, first.stderr);
  // The seed's format on stdout, unchanged: a header and one data line per run.
  const lines = first.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 4);
  assert.equal(lines[0], `# ${SEED_TSV_COLUMNS.join('\t')}`);

  const cells = (await storedCells(store.args)) as PipelineCell[];
  assert.deepEqual(
    cells.map((cell) => [cell.kind, cell.method, cell.concurrency, cell.status]),
    [
      ['pipeline', 'async', 1, 'ok'],
      ['pipeline', 'async', 2, 'ok'],
    ],
  );
  for (const [i, cell] of cells.entries()) {
    // Column 11 of the seed's line is the stored aggregate (rounded to 3 decimals there).
    const aggregate = Number((lines[2 * i + 1] ?? '').split('\t')[10]);
    assert.ok(Math.abs(aggregate - cell.aggregateMiBps) < 0.001, `${aggregate} vs ${cell.aggregateMiBps}`);
    assert.equal(cell.bytesWritten, cell.iterations * 64 * 1024);
  }

  const html = await reportHtml(store.args, dir);
  assert.match(html, /id="pipeline-cells"/);
  for (const cell of cells) assert.ok(html.includes(`data-cell-key="${cell.cellKey}"`), cell.cellKey);
  assert.match(html, /id="chart-throughput-pipeline-/);
  assert.doesNotMatch(html, /could not be drawn/);

  const exported = await runCli(['results', 'export', 'latest', '--format', 'csv', ...store.args]);
  assert.equal(exported.code, 0, exported.stderr);
  const header = exported.stdout.split('\r\n')[0] ?? '';
  for (const column of ['kind', 'method', 'concurrency', 'aggregateMiBps', 'bytesWritten'])
    assert.ok(header.split(',').includes(column), column);

  // A second run of the same sweep: compare matches the cells by key and judges MiB/s, higher is better.
  const second = await runCli(args, 120_000);
  assert.equal(second.code, 0, second.stderr);
  const compared = await runCli(['compare', 'latest~1', 'latest', '--json', ...store.args]);
  assert.equal(compared.code, 0, compared.stderr);
  const comparison = JSON.parse(compared.stdout) as {
    cells: { cellKey: string; metric: string; higherIsBetter: boolean }[];
  };
  assert.deepEqual(
    comparison.cells.map((cell) => [cell.cellKey, cell.metric, cell.higherIsBetter]),
    cells.map((cell) => [cell.cellKey, 'aggregateMiBps', true]),
  );
});

/**
 * A "runtime" that is the real node behind a shell that exits 7 once its
 * server has stopped: the server answers, verifies and serves normally, and
 * only its stop is unclean. Stdin is handed on explicitly (a background job
 * of a non-interactive shell would get /dev/null, and the server stops when
 * its stdin ends).
 */
function uncleanRuntime(dir: string): string {
  const path = join(dir, 'node-unclean-exit');
  writeFileSync(
    path,
    `#!/bin/sh
if [ "$1" = "--version" ]; then exec "${process.execPath}" --version; fi
exec 3<&0
"${process.execPath}" "$@" 0<&3 &
child=$!
trap 'kill -TERM "$child"; wait "$child"; exit 7' TERM
wait "$child"
`,
  );
  chmodSync(path, 0o755);
  return path;
}

test('a server that stops uncleanly fails the preset cell exactly as it fails a bench-server cell', async (t) => {
  const store = tempStore('unclean');
  const dir = makeTempRoot('unclean');
  t.after(() => {
    store.remove();
    removeTempRoot(dir);
  });
  const runtime = uncleanRuntime(dir);
  const bench = await runCli(
    [
      'bench-server',
      '--arch',
      'single',
      '--endpoint',
      'whoami',
      '--connections',
      '2',
      '--duration',
      '0.5',
      '--warmup',
      '0',
      '--runtime',
      runtime,
      '--json',
    ],
    120_000,
  );
  assert.equal(bench.code, 1, bench.stderr);
  const [benchCell] = (JSON.parse(bench.stdout) as { cells: ServerCell[] }).cells;
  assert.ok(benchCell);
  assert.equal(benchCell.status, 'failed');
  assert.match(
    benchCell.reason ?? '',
    /^repetition 1: server did not stop cleanly on SIGTERM \(exit code 7\)/,
  );

  const output = join(dir, 'seed004.json');
  const preset = await runCli(
    [
      'preset',
      'seed004',
      '--archs',
      'single',
      '--clients',
      '2',
      '--duration',
      '0.5',
      '--runtime',
      runtime,
      '--format',
      'json',
      '--output',
      output,
      ...store.args,
    ],
    120_000,
  );
  assert.equal(preset.code, 1, `a failed cell makes the preset exit 1: ${preset.stderr}`);
  const [row] = (JSON.parse(readFileSync(output, 'utf8')) as { rows: Seed004Row[] }).rows;
  assert.ok(row);
  assert.equal(row.status, 'failed');
  const stable = (reason: string | undefined): string => (reason ?? '').split(':').slice(0, 2).join(':');
  assert.equal(stable(row.reason), stable(benchCell.reason));
  const [stored] = await storedCells(store.args);
  assert.equal(stored?.status, 'failed');
  assert.equal(stored?.reason, row.reason);
});
