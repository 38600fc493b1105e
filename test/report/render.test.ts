/**
 * The renderers are functions from results to strings; these tests run them
 * on fixture runs and check what a reader relies on: every chart is there,
 * the heat map has one rectangle per core per sample, the terminal table
 * fits 80 columns, and thin runs (all failed, empty) say so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allCharts, heatmapChart } from '../../src/report/charts.ts';
import { batchColumns, pipelineColumns, serverColumns } from '../../src/report/columns.ts';
import { writeFigures } from '../../src/report/figures.ts';
import { renderHtmlReport } from '../../src/report/html.ts';
import { reportRows } from '../../src/report/rows.ts';
import { renderSvg } from '../../src/report/svg.ts';
import { renderTerminalTable } from '../../src/report/terminal.ts';
import { renderCompareHtml, renderCompareTerminal } from '../../src/report/compare.ts';
import { compareRuns } from '../../src/results/compare.ts';
import type { RunData } from '../../src/results/record.ts';
import {
  allFailedRun,
  batchRun,
  emptyRun,
  mixedRun,
  multiRuntimeRun,
  pipelineRun,
  serverRun,
} from './fixtures/runs.ts';

function figureIds(html: string): string[] {
  return [...html.matchAll(/<figure class="chart" id="chart-[^"]+" data-chart="([^"]+)">/g)].map(
    (m) => m[1] ?? '',
  );
}

test('rows merge repetitions: one row per cell key, with an interval from 3 repetitions', () => {
  const run = batchRun();
  const rows = reportRows(run);
  assert.equal(rows.length, new Set(run.cells.map((cell) => cell.cellKey)).size);
  const threads2 = rows.find((row) => row.subject === 'threads' && row.level === 2);
  assert.ok(threads2);
  assert.equal(threads2.okReps, 3);
  assert.ok(threads2.throughput.low !== null && threads2.throughput.high !== null);
  assert.ok(
    threads2.throughput.low < threads2.throughput.mean && threads2.throughput.mean < threads2.throughput.high,
  );
  // Speedup against the sequential cell of the same run: threads at c=2 on 2 cores is close to 2x, async is not.
  assert.ok(
    threads2.speedup !== null && threads2.speedup > 1.7 && threads2.speedup < 2.1,
    `speedup ${threads2.speedup}`,
  );
  assert.ok(threads2.speedupLow !== null && threads2.speedupLow < threads2.speedup);
  const async4 = rows.find((row) => row.subject === 'async' && row.level === 4);
  assert.ok(async4?.speedup !== null && async4?.speedup !== undefined && async4.speedup < 1.2);
  assert.equal(async4.workers, 1, 'async runs one item of JavaScript at a time');
});

test('the HTML report has every chart kind, each an inline SVG, and no external references', async () => {
  const run = mixedRun();
  const html = await renderHtmlReport(run);
  const ids = figureIds(html);
  for (const prefix of [
    'throughput-batch-',
    'throughput-server-',
    'latency-http',
    'latency-time-',
    'speedup-',
    'memory-batch-',
    'memory-server-',
    'cpu-heatmap-',
  ]) {
    assert.ok(
      ids.some((id) => id.startsWith(prefix)),
      `a ${prefix}* chart is present (got ${ids.join(', ')})`,
    );
  }
  const figures = html.split('<figure class="chart"').slice(1);
  assert.equal(figures.length, ids.length);
  for (const figure of figures) assert.match(figure, /<svg[^>]*width="[\d.]+"/, 'each figure holds an SVG');
  // One heat map per measured cell (the skipped bun cell has none).
  const measured = reportRows(run).filter((row) => row.okReps > 0).length;
  assert.equal(ids.filter((id) => id.startsWith('cpu-heatmap-')).length, measured);
  // Self-contained: no script or stylesheet is fetched, no link leaves the file.
  assert.doesNotMatch(html, /<script[^>]+src=/);
  assert.doesNotMatch(html, /<link[^>]+href=/);
  assert.doesNotMatch(html, /(src|href)="https?:/);
  assert.match(html, /<h2 id="conclusion">/);
  assert.match(html, /class="conclusion">For cpu\.sha256/);
  assert.match(html, /2 × client-saturated/, 'the header counts verdicts');
});

test('the HTML table has the same columns as the wide terminal table, and one row per cell', async () => {
  const run = mixedRun();
  const html = await renderHtmlReport(run);
  const wide = renderTerminalTable(run, { wide: true });
  for (const [id, columns] of [
    ['batch-cells', batchColumns],
    ['server-cells', serverColumns],
  ] as const) {
    const table = html.slice(html.indexOf(`<table class="cells" id="${id}">`));
    const headers = [...table.slice(0, table.indexOf('</thead>')).matchAll(/<th [^>]*>([^<]*)<\/th>/g)].map(
      (m) => m[1],
    );
    assert.deepEqual(
      headers,
      columns.map((column) => column.header),
    );
    const headerLine = wide.split('\n').find((line) => line.startsWith(columns[0]?.header ?? '?')) ?? '';
    assert.deepEqual(
      headerLine.split(/\s{2,}/),
      columns.map((column) => column.header),
    );
  }
  const rowCount = (html.match(/<tr class="[a-z]+" data-cell-key=/g) ?? []).length;
  assert.equal(rowCount, reportRows(run).length);
});

test('the heat map has one rectangle per core per sample, with busy % from the samples', async () => {
  const run = batchRun();
  const row = reportRows(run).find((r) => r.subject === 'threads' && r.level === 2);
  assert.ok(row?.monitor);
  const chart = heatmapChart(row);
  assert.ok(chart);
  const svg = await renderSvg(chart.spec);
  const start = svg.indexOf('cpu_heatmap_marks');
  assert.ok(start > 0, 'the heat map mark group is in the SVG');
  const group = svg.slice(start, svg.indexOf('</g>', start));
  const rects = group.match(/<path /g) ?? [];
  assert.equal(rects.length, row.monitor.cores * row.monitor.perCore.length, 'cores × samples rectangles');
  const first = row.monitor.perCore[0];
  assert.ok(first);
  const busy0 = Math.round((100 - (first.idlePercent[0] ?? 0) - (first.iowaitPercent[0] ?? 0)) * 10) / 10;
  assert.match(
    group,
    new RegExp(`core: cpu0; t1: 0\\.1; busy %: ${busy0}`),
    'the first sample of core 0 carries its busy %',
  );
  // Aligned with the throughput timeline: the heat map, tree CPU and throughput panels share the x scale.
  assert.ok(svg.includes('throughput (items/s)'));
});

test('a cell without a monitor has no heat map, and the page says so', async () => {
  const run = batchRun({ repetitions: 1 });
  for (const cell of run.cells) delete cell.monitor;
  assert.equal(heatmapChart(reportRows(run)[0] as ReturnType<typeof reportRows>[number]), null);
  const html = await renderHtmlReport(run);
  assert.match(html, /have no per-core CPU timeline/);
  assert.match(html, /data-missing="cpu"/);
});

test('a run whose cells all failed renders a page that says so, with the reasons and no charts', async () => {
  const run = allFailedRun();
  const html = await renderHtmlReport(run);
  assert.match(html, /All 10 cells of this run failed or were skipped: nothing was measured/);
  assert.deepEqual(figureIds(html), []);
  assert.match(html, /data-missing="throughput"/);
  assert.match(html, /worker exited with code 1 before answering/);
  assert.equal((html.match(/<tr class="failed"/g) ?? []).length, 10);
  const text = renderTerminalTable(run);
  assert.match(text, /all 10 cells failed: nothing was measured/);
  assert.match(text, /\[1\] LAB_E_SUBJECT_FAILED: worker exited/);
});

test('an empty run renders a page that says there is nothing, not a broken one', async () => {
  const html = await renderHtmlReport(emptyRun());
  assert.match(html, /This run has no cells/);
  assert.deepEqual(figureIds(html), []);
  assert.doesNotMatch(html, /<table class="cells"/);
  assert.match(html, /<\/html>\s*$/);
  assert.equal(renderTerminalTable(emptyRun()), 'run run-empty: no cells recorded\n');
});

test('the terminal table fits 80 columns; --wide shows every column and full reasons', () => {
  for (const run of [batchRun(), serverRun(), mixedRun(), allFailedRun(), multiRuntimeRun()]) {
    const narrow = renderTerminalTable(run);
    for (const line of narrow.split('\n'))
      assert.ok(line.length <= 80, `line fits 80 columns: ${JSON.stringify(line)} (${line.length})`);
  }
  const wide = renderTerminalTable(serverRun(), { wide: true });
  assert.match(wide, /p95/);
  assert.match(wide, /SKIPPED unsupported on bun@1\.4\.5 \(reusePort: EADDRINUSE\)/);
  const narrow = renderTerminalTable(serverRun());
  assert.doesNotMatch(narrow, /\bp95\b/);
  assert.match(narrow, /SKIPPED \[1\]/);
  assert.match(narrow, /^\[1\] unsupported on bun@1\.4\.5/m);
  const batch = renderTerminalTable(batchRun());
  assert.match(batch, /threads\s+2\s+\d+\s+±[\d.]+%\s+[\d.]+s\s+1\.9\dx/);
  // The baseline row comes first; the size every row shares is named once, above the table.
  assert.match(batch, /^batch cells: cpu\.sha256, node@[\d.]+, 800 items\nmodel.*\n-+.*\nsequential /);
});

test('charts keep one colour per model across a report', () => {
  const charts = allCharts(reportRows(mixedRun()), 2);
  const colourOf = (id: string) => {
    const text = JSON.stringify(charts.find((chart) => chart.id.startsWith(id))?.spec);
    const match = /"domain":\[([^\]]*)\],"range":\[([^\]]*)\]/.exec(text);
    return match ? `${match[1]}|${match[2]}` : '';
  };
  assert.notEqual(colourOf('throughput-batch'), '');
  assert.equal(colourOf('throughput-batch'), colourOf('memory-batch'));
  assert.equal(colourOf('throughput-batch'), colourOf('speedup-'));
});

test('figures: one SVG and one PNG per chart, heat maps included', { timeout: 60_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'conlab-figures-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const run = batchRun();
  const { written, failed } = await writeFigures(run, { svgDir: join(dir, 'svg'), pngDir: join(dir, 'png') });
  assert.deepEqual(failed, []);
  const charts = allCharts(reportRows(run), 2);
  assert.equal(written.length, charts.length * 2);
  const pngs = await readdir(join(dir, 'png'));
  assert.ok(pngs.some((name) => name.startsWith('cpu-heatmap-') && name.endsWith('.png')));
  for (const name of pngs) {
    const bytes = await readFile(join(dir, 'png', name));
    assert.deepEqual(
      [...bytes.subarray(0, 8)],
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
      `${name} is a PNG`,
    );
    assert.ok(bytes.length > 5000, `${name} has content (${bytes.length} bytes)`);
  }
  const svg = await readFile(join(dir, 'svg', `${charts[0]?.id}.svg`), 'utf8');
  assert.match(svg, /^<svg /);
});

test('several runtimes get one chart that compares them on one axis; one runtime gets none', async () => {
  const run = multiRuntimeRun();
  const charts = allCharts(reportRows(run), 2);
  const runtimes = charts.find((chart) => chart.id === 'runtimes-batch-cpu.sha256');
  assert.ok(runtimes, charts.map((chart) => chart.id).join(', '));
  const svg = await renderSvg(runtimes.spec);
  assert.match(svg, /runtime: bun@1\.4\.5/);
  assert.match(svg, /runtime: node@24\.21\.0/);
  assert.equal(
    charts.filter((chart) => chart.id.startsWith('throughput-batch-')).length,
    2,
    'and one throughput chart per runtime',
  );
  assert.ok(!allCharts(reportRows(batchRun()), 2).some((chart) => chart.id.startsWith('runtimes-')));
});

test('the throughput under a heat map is shifted by the recorded offset, and says when it is not recorded', async () => {
  const run = serverRun();
  const plain = reportRows(run).find((row) => row.subject === 'single' && row.level === 16);
  assert.ok(plain);
  const plainSvg = await renderSvg(heatmapChart(plain)?.spec ?? assert.fail('no heat map'));
  assert.match(plainSvg, /start aligned approximately/);
  for (const cell of run.cells) cell.measuredOffsetMs = 500;
  const shifted = reportRows(run).find((row) => row.subject === 'single' && row.level === 16);
  assert.ok(shifted);
  assert.equal(shifted.timelineOffsetMs, 500);
  const svg = await renderSvg(heatmapChart(shifted)?.spec ?? assert.fail('no heat map'));
  assert.doesNotMatch(svg, /start aligned approximately/);
  // The first second of load [0, 1) s now sits at [0.5, 1.5) s of the monitor window.
  assert.match(svg, /aria-label="seconds into the measured window: 0\.5; req\/s: \d+; t1: 1\.5"/);
});

test('a comparison across different machines carries a warning; the same machine does not', async () => {
  const a = batchRun({ seed: 7 });
  const b = batchRun({ seed: 7 });
  const sameMachine = renderCompareTerminal(compareRuns(a, b), [a, b]);
  assert.doesNotMatch(sameMachine, /warning/);
  const other: RunData = { ...b, run: { ...b.run, env: { ...b.run.env, cores: 8, hostname: 'big-box' } } };
  const text = renderCompareTerminal(compareRuns(a, other), [a, other]);
  assert.match(text, /warning: A and B differ in host, core count/);
  const html = await renderCompareHtml(compareRuns(a, other), [a, other]);
  assert.match(html, /<p class="warning">/);
});

test('the same workload with different params is never drawn as one experiment', () => {
  const run = batchRun({ repetitions: 1 });
  const heavier = batchRun({ repetitions: 1, seed: 9 }).cells.map((cell) =>
    cell.kind === 'batch'
      ? {
          ...cell,
          params: { ...cell.params, iters: 40000 },
          cellKey: cell.cellKey.replace('iters=20000', 'iters=40000'),
        }
      : cell,
  );
  const rows = reportRows({ ...run, cells: [...run.cells, ...heavier] });
  const labels = new Set(rows.map((row) => row.workload));
  assert.deepEqual([...labels].sort(), [
    'cpu.sha256 iters=20000 seed=conlab items=800',
    'cpu.sha256 iters=40000 seed=conlab items=800',
  ]);
  const throughputCharts = allCharts(rows, 2).filter((chart) => chart.id.startsWith('throughput-batch-'));
  assert.equal(throughputCharts.length, 2);
  assert.equal(new Set(throughputCharts.map((chart) => chart.id)).size, 2, 'distinct figure file names');
});

test('pipeline cells get their own table, a MiB/s throughput chart and a sentence, beside batch and server cells', async () => {
  const run = pipelineRun();
  const pipelineRows = reportRows(run).filter((row) => row.kind === 'pipeline');
  assert.deepEqual(
    pipelineRows.map((row) => [row.subject, row.level, row.okReps, row.throughputUnit]),
    [
      ['async', 1, 3, 'MiB/s'],
      ['async', 4, 3, 'MiB/s'],
      ['threads', 1, 3, 'MiB/s'],
      ['threads', 4, 3, 'MiB/s'],
    ],
  );
  const async4 = pipelineRows[1];
  assert.ok(async4 && Math.abs(async4.throughput.mean - 9.6) < 1e-9);
  assert.equal(async4.workers, 1, 'async runs every pipeline on one thread');

  const html = await renderHtmlReport(run);
  const table = html.slice(html.indexOf('<table class="cells" id="pipeline-cells">'));
  assert.ok(table.length < html.length, 'a pipeline table');
  const headers = [...table.slice(0, table.indexOf('</thead>')).matchAll(/<th [^>]*>([^<]*)<\/th>/g)].map(
    (m) => m[1],
  );
  assert.deepEqual(
    headers,
    pipelineColumns.map((column) => column.header),
  );
  for (const row of pipelineRows) assert.ok(table.includes(`data-cell-key="${row.cellKey}"`), row.cellKey);
  const throughput = figureIds(html).find((id) => id.startsWith('throughput-pipeline-'));
  assert.ok(throughput, 'a throughput chart for the pipeline cells');
  const figure = html.slice(html.indexOf(`data-chart="${throughput}"`));
  assert.match(figure.slice(0, figure.indexOf('</figure>')), /<svg[\s\S]*MiB\/s written/);
  assert.doesNotMatch(html, /could not be drawn/);
  assert.match(html, /async with 4 pipelines wrote the most/);
  // Batch and server cells of the same run are still all there.
  assert.match(html, /id="batch-cells"/);
  assert.match(html, /id="server-cells"/);

  const terminal = renderTerminalTable(run, { wide: true });
  assert.match(terminal, /^pipeline cells$/m);
  assert.match(terminal, /^method\s{2,}workload\s{2,}runtime\s{2,}pipelines/m);
});
