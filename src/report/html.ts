/**
 * The HTML report: one self-contained file (charts as inline SVG rendered
 * in Node, styles inline, a few lines of inline script only to sort the
 * table), so it opens from disk with no network and shows every chart even
 * with JavaScript off. Sections that have no data say what is missing
 * rather than draw an empty frame.
 */
import { writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RunData, Verdict } from '../results/record.ts';
import { conclusionText } from './conclusion.ts';
import { ErrorCodes, LabError, errorText } from '../core/errors.ts';
import { allCharts, type ChartSpec } from './charts.ts';
import { capacityCharts, capacityTable } from './capacity.ts';
import { summarizeCapacity } from '../servers/capacity/summary.ts';
import { batchColumns, pipelineColumns, serverColumns, type CellColumn } from './columns.ts';
import { reportRows, type ReportRow } from './rows.ts';
import { ensureDir } from './files.ts';
import { timeSpentHtml } from './time-spent.ts';
import { renderSvg } from './svg.ts';
import { fmt } from '../core/text-table.ts';

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** What each verdict means, shown next to the counts so a reader knows how to discount a number. */
export const verdictMeaning: Record<Verdict, string> = {
  'client-saturated': 'the load generator itself ran out of CPU: the server may be faster than measured',
  'schedule-drift':
    'the open-loop generator could not keep its schedule: the offered rate was lower than asked',
  'machine-busy': 'other processes used the CPU during the cell: numbers are pessimistic',
  'too-short':
    'the measured window held fewer than 10 monitor samples: too short to tell whether the machine was busy (it is not claimed either way); a longer window (more items) can be judged',
  noisy: 'repetitions disagree by more than the noise threshold: the interval is wide',
  underpowered: 'too few repetitions or too short a run to trust the difference',
  'monitor-unavailable':
    'the /proc monitor did not run: no per-core heat map; CPU and memory are what the subject reported about itself, or missing',
  stalled:
    'more than 1% of the requests were still unanswered when the window closed: the latency counts them at their age then, a lower bound',
  'window-short':
    'a measured window was shorter than the minimum the cell was sized for (its time share allowed fewer rounds): more start-up and scheduling noise per item',
  'unit-restarted':
    'a serving process or pool thread died during the cell and was replaced: requests in flight failed and the replacement started cold',
};

const style = `
:root { color-scheme: light; }
body { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; margin: 0 auto; max-width: 1200px; padding: 16px 24px 48px; color: #1d1d1d; background: #fff; line-height: 1.45; }
h1 { font-size: 1.6em; margin: 0.2em 0; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 1.05em; margin: 1.2em 0 0.4em; }
.sub { color: #555; }
.env { border-collapse: collapse; font-size: 0.9em; }
.env th { text-align: left; padding: 2px 12px 2px 0; color: #555; font-weight: normal; }
.env td { padding: 2px 12px 2px 0; }
.badges span { display: inline-block; border-radius: 10px; padding: 1px 10px; margin: 2px 4px 2px 0; font-size: 0.85em; background: #eef2f7; }
.badges .failed, .badges .invalid { background: #fde2e1; }
.badges .skipped { background: #f3f3f3; }
.notice { border-left: 4px solid #e15759; background: #fff4f3; padding: 8px 12px; margin: 12px 0; }
.notice.info { border-color: #4e79a7; background: #f1f5fa; }
.conclusion { font-size: 1.05em; background: #f7f7f2; border-left: 4px solid #59a14f; padding: 10px 14px; }
figure.chart { margin: 16px 0 28px; }
.charts { display: flex; flex-wrap: wrap; gap: 0 40px; align-items: flex-start; }
.charts figure.chart { max-width: 100%; }
.charts figure.chart figcaption { max-width: 560px; }
figure.chart svg { max-width: 100%; height: auto; }
figure.chart figcaption { font-size: 0.85em; color: #444; max-width: 800px; }
.heatmaps { display: grid; grid-template-columns: repeat(auto-fill, minmax(540px, 1fr)); gap: 8px 24px; }
.heatmaps h3 { font-size: 0.95em; }
.missing { color: #777; font-style: italic; }
nav.toc { margin: 10px 0 0; font-size: 0.9em; }
nav.toc a { color: #2b5a8a; text-decoration: none; }
table.cells { border-collapse: collapse; font-size: 0.82em; width: 100%; }
table.cells th, table.cells td { padding: 3px 6px; border-bottom: 1px solid #e6e6e6; white-space: nowrap; }
table.cells th { position: sticky; top: 0; background: #fafafa; cursor: pointer; user-select: none; text-align: left; }
table.cells th[aria-sort=ascending]::after { content: ' \\25B2'; font-size: 0.8em; }
table.cells th[aria-sort=descending]::after { content: ' \\25BC'; font-size: 0.8em; }
table.cells th.num { text-align: right; }
table.cells td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.cells td.notes { white-space: normal; min-width: 200px; }
table.cells tr.failed td, table.cells tr.invalid td { background: #fff1f0; }
table.cells tr.skipped td { color: #777; }
.verdicts dt { font-weight: bold; float: left; clear: left; width: 150px; }
.verdicts dd { margin: 0 0 4px 160px; }
footer { margin-top: 3em; color: #777; font-size: 0.8em; }
.time-spent-cells { display: grid; grid-template-columns: repeat(auto-fill, minmax(540px, 1fr)); gap: 0 24px; }
table.threads tr.process td { font-weight: bold; border-top: 1px solid #ccc; }
table.threads tr.helpers td { color: #666; }
p.cause { margin: 0.2em 0 0.5em; }
`;

// Sorts a table by the clicked column's data-sort values: numbers numerically, blanks last.
const sortScript = `
for (const table of document.querySelectorAll('table.cells')) {
  const headers = table.querySelectorAll('thead th');
  headers.forEach((th, index) => {
    th.addEventListener('click', () => {
      const ascending = th.getAttribute('aria-sort') !== 'ascending';
      headers.forEach((other) => other.removeAttribute('aria-sort'));
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      const body = table.tBodies[0];
      const rows = Array.from(body.rows);
      const key = (row) => row.cells[index].dataset.sort ?? '';
      rows.sort((a, b) => {
        const x = key(a), y = key(b);
        if (x === '' || y === '') return x === y ? 0 : x === '' ? 1 : -1;
        const nx = Number(x), ny = Number(y);
        const order = Number.isFinite(nx) && Number.isFinite(ny) ? nx - ny : x.localeCompare(y);
        return ascending ? order : -order;
      });
      for (const row of rows) body.appendChild(row);
    });
  });
}
`;

function environmentTable(run: RunData): string {
  const env = run.run.env;
  const entries: [string, string][] = [
    ['run', `${run.run.runId} (suite ${run.run.suiteName}, ${run.run.status})`],
    ['started / ended', `${run.run.startedAt} / ${run.run.endedAt ?? 'not ended'}`],
    ['CPU', `${env.cpuModel}, ${env.cores} cores${env.governor ? `, governor ${env.governor}` : ''}`],
    ['memory', fmt.bytes(env.memoryBytes)],
    ['system', `${env.os}, kernel ${env.kernel}, host ${env.hostname}`],
    ['runtimes', env.runtimes.join(', ') || '-'],
    ['load average (1 min) at start', env.loadAverage1m.toFixed(2)],
    ['conlab', `${env.conlabVersion}${env.conlabCommit ? ` (${env.conlabCommit})` : ''}`],
  ];
  // What `conlab doctor` found at the start of the run (older records lack it).
  if (env.stability) {
    const warnings = env.stability.filter((check) => check.verdict === 'warn');
    entries.push([
      'stability at start (conlab doctor)',
      warnings.length === 0
        ? `no warnings (${env.stability.length} checks)`
        : warnings.map((check) => `${check.name}: ${check.value}`).join('; '),
    ]);
  }
  return `<table class="env">${entries
    .map(([key, value]) => `<tr><th>${escapeHtml(key)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('')}</table>`;
}

function statusBadges(rows: ReportRow[]): string {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.status, (counts.get(row.status) ?? 0) + 1);
  const verdicts = new Map<Verdict, number>();
  for (const row of rows)
    for (const verdict of row.verdicts) verdicts.set(verdict, (verdicts.get(verdict) ?? 0) + 1);
  const statusPart = [...counts]
    .map(([status, n]) => `<span class="${escapeHtml(status)}">${n} ${escapeHtml(status)}</span>`)
    .join('');
  const verdictPart = [...verdicts]
    .map(
      ([verdict, n]) =>
        `<span title="${escapeHtml(verdictMeaning[verdict])}">${n} × ${escapeHtml(verdict)}</span>`,
    )
    .join('');
  return `<div class="badges" id="status-badges">${statusPart}${verdictPart}</div>`;
}

function verdictLegend(rows: ReportRow[]): string {
  const seen = [...new Set(rows.flatMap((row) => row.verdicts))];
  if (seen.length === 0)
    return '<p class="sub">No verdicts: no cell was flagged as client-saturated, noisy or measured on a busy machine.</p>';
  return `<dl class="verdicts">${seen
    .map((verdict) => `<dt>${escapeHtml(verdict)}</dt><dd>${escapeHtml(verdictMeaning[verdict])}</dd>`)
    .join('')}</dl>`;
}

interface Notice {
  severity: 'warning' | 'info';
  text: string;
}

/** Notices for whatever makes this run less than complete, so a thin page explains itself. */
function notices(run: RunData, rows: ReportRow[]): Notice[] {
  const out: Notice[] = [];
  const warn = (text: string) => out.push({ severity: 'warning', text });
  if (rows.length === 0) {
    warn(
      'This run has no cells: it was interrupted before the first cell ended, or the suite was empty. There is nothing to chart.',
    );
    return out;
  }
  const notOk = rows.filter((row) => row.okReps === 0);
  if (notOk.length === rows.length) {
    warn(
      `All ${rows.length} cells of this run failed or were skipped: nothing was measured, so there are no charts. The reasons are in the table below.`,
    );
  } else if (notOk.length > 0) {
    const failed = notOk.some((row) => row.status === 'failed' || row.status === 'invalid');
    out.push({
      severity: failed ? 'warning' : 'info',
      text: `${notOk.length} of ${rows.length} cells have no ok repetition (${[...new Set(notOk.map((row) => row.status))].join(', ')}) and are left out of the charts; the table says why.`,
    });
  }
  const partly = rows.filter((row) => row.okReps > 0 && row.status !== 'ok');
  if (partly.length > 0)
    warn(
      `${partly.length} cell(s) had a failed or invalid repetition: they are marked ${[...new Set(partly.map((row) => row.status))].join('/')} in the table; their charted numbers use the ok repetitions only.`,
    );
  if (run.run.status !== 'complete')
    warn(`The run is marked '${run.run.status}': some cells of the suite may be missing.`);
  const noMonitor = rows.filter((row) => row.okReps > 0 && !row.monitor?.available);
  if (noMonitor.length > 0) {
    const reason = noMonitor.find((row) => row.monitor?.unavailableReason)?.monitor?.unavailableReason;
    warn(
      `${noMonitor.length} cell(s) have no per-core CPU timeline${reason ? ` (${reason})` : ''}; their heat maps are missing.`,
    );
  }
  return out;
}

function figure(chart: ChartSpec, svg: string, withCaption = true): string {
  const caption = withCaption ? ` ${escapeHtml(chart.caption)}` : '';
  return `<figure class="chart" id="chart-${escapeHtml(chart.id)}" data-chart="${escapeHtml(chart.id)}">
<div class="svg">${svg}</div>
<figcaption><strong>${escapeHtml(chart.title)}.</strong>${caption}</figcaption>
</figure>`;
}

function sortValue(column: CellColumn, row: ReportRow): string {
  const key = column.sortKey(row);
  return key === null ? '' : String(key);
}

function cellTable(id: string, columns: CellColumn[], rows: ReportRow[]): string {
  const head = columns
    .map(
      (column) =>
        `<th title="${escapeHtml(column.title)}" scope="col"${column.align === 'right' ? ' class="num"' : ''}>${escapeHtml(column.header)}</th>`,
    )
    .join('');
  const body = rows
    .map((row) => {
      const cells = columns
        .map((column) => {
          const cls = column.header === 'notes' ? 'notes' : column.align === 'right' ? 'num' : '';
          return `<td class="${cls}" data-sort="${escapeHtml(sortValue(column, row))}">${escapeHtml(column.text(row))}</td>`;
        })
        .join('');
      return `<tr class="${escapeHtml(row.status)}" data-cell-key="${escapeHtml(row.cellKey)}">${cells}</tr>`;
    })
    .join('\n');
  return `<table class="cells" id="${id}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const sectionTitles: Record<ChartSpec['section'], string> = {
  capacity: 'Capacity under the latency target',
  throughput: 'Throughput vs concurrency',
  latency: 'Latency',
  scaling: 'Speedup and parallel efficiency',
  cpu: 'What the cores did',
  memory: 'Memory',
};

const sectionMissing: Record<ChartSpec['section'], string> = {
  capacity: 'No capacity search in this run.',
  throughput: 'No cell finished ok: no throughput to show.',
  latency:
    'No server cell finished ok in this run: latency is measured only for servers (batch cells report wall time).',
  scaling:
    'No batch cell with a sequential baseline in this run: speedup needs the sequential model measured on the same workload, runtime and items.',
  cpu: 'No cell has a per-core CPU timeline (the monitor was unavailable or no cell finished ok).',
  memory: 'No cell reported its peak memory.',
};

function safeConclusion(run: RunData): string {
  try {
    return conclusionText(run);
  } catch (error) {
    return `The conclusion could not be computed (${errorText(error)}); the charts and the table below still hold every number.`;
  }
}

export interface HtmlReportOptions {
  /** Page title; default names the run. */
  title?: string;
}

/** The whole report page for one run, as a string. */
export async function renderHtmlReport(run: RunData, options: HtmlReportOptions = {}): Promise<string> {
  const rows = reportRows(run);
  const capacities = summarizeCapacity(run.cells);
  const charts = [...capacityCharts(run.cells), ...allCharts(rows, run.run.env.cores)];
  // One chart that cannot be drawn must not take the page (and every other number) down with it.
  const svgs = await Promise.all(
    charts.map((chart) =>
      renderSvg(chart.spec).catch(
        (error: unknown) =>
          `<p class="notice chart-error">This chart could not be drawn: ${escapeHtml(errorText(error))}</p>`,
      ),
    ),
  );
  const title = options.title ?? `conlab report: ${run.run.runId}`;
  const parts: string[] = [];
  parts.push(`<header><h1>${escapeHtml(title)}</h1>`);
  parts.push(
    `<p class="sub">Suite <strong>${escapeHtml(run.run.suiteName)}</strong>, ${rows.length} cells, ${run.cells.length} stored records.</p>`,
  );
  parts.push(environmentTable(run));
  parts.push(statusBadges(rows));
  parts.push(
    `<nav class="toc">${[
      ['conclusion', 'Conclusion'],
      ...(capacities.length > 0 ? [['capacity', sectionTitles.capacity]] : []),
      ...(['throughput', 'latency', 'scaling', 'cpu', 'memory'] as const).map((id) => [
        id,
        sectionTitles[id],
      ]),
      ['time-spent', 'Where the time went'],
      ['cells', 'Every cell'],
    ]
      .map(([id, text]) => `<a href="#${id}">${escapeHtml(text ?? '')}</a>`)
      .join(' · ')}</nav>`,
  );
  parts.push('</header>');
  for (const notice of notices(run, rows)) {
    parts.push(
      `<p class="notice${notice.severity === 'info' ? ' info' : ''}">${escapeHtml(notice.text)}</p>`,
    );
  }
  parts.push('<h2 id="conclusion">Conclusion</h2>');
  parts.push(
    `<p class="conclusion">${escapeHtml(rows.length === 0 ? 'No cells, no conclusion.' : safeConclusion(run))}</p>`,
  );

  if (capacities.length > 0) {
    const table = capacityTable(capacities);
    parts.push(
      `<h2 id="capacity">${escapeHtml(sectionTitles.capacity)}</h2>`,
      `<table class="cells capacity"><thead><tr>${table.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${table.rows
        .map(
          (row) =>
            `<tr class="${escapeHtml(row.status)}">${row.cells.map((cell, i) => `<td${i === row.cells.length - 1 ? ' class="notes"' : ''}>${escapeHtml(cell)}</td>`).join('')}</tr>`,
        )
        .join('')}</tbody></table>`,
    );
    const figures = charts
      .map((chart, i) => ({ chart, svg: svgs[i] ?? '' }))
      .filter(({ chart }) => chart.section === 'capacity');
    parts.push(`<div class="charts">${figures.map(({ chart, svg }) => figure(chart, svg)).join('\n')}</div>`);
  }
  const sections: ChartSpec['section'][] = ['throughput', 'latency', 'scaling', 'cpu', 'memory'];
  for (const section of sections) {
    parts.push(`<h2 id="${section}">${escapeHtml(sectionTitles[section])}</h2>`);
    const inSection = charts
      .map((chart, i) => ({ chart, svg: svgs[i] ?? '' }))
      .filter(({ chart }) => chart.section === section);
    if (inSection.length === 0) {
      parts.push(`<p class="missing" data-missing="${section}">${escapeHtml(sectionMissing[section])}</p>`);
      continue;
    }
    if (section === 'cpu') {
      parts.push(
        '<p class="sub">One panel per cell: per-core busy % (bright = busy) over the measured window, with the subject\'s CPU and throughput underneath on the same time axis. A core that stays dark while throughput is flat is a core the model did not use.</p>',
      );
      // The intro above says how to read them; one caption per cell would repeat it twenty times.
      parts.push(
        `<div class="heatmaps">${inSection.map(({ chart, svg }) => figure(chart, svg, false)).join('\n')}</div>`,
      );
    } else {
      parts.push(
        `<div class="charts">${inSection.map(({ chart, svg }) => figure(chart, svg)).join('\n')}</div>`,
      );
    }
  }

  parts.push('<h2 id="time-spent">Where the time went</h2>');
  parts.push(
    timeSpentHtml(rows, escapeHtml) ??
      '<p class="missing" data-missing="time-spent">No cell has per-thread accounting (the monitor was unavailable, no cell finished ok, or the records predate it).</p>',
  );

  parts.push('<h2 id="cells">Every cell</h2>');
  parts.push(
    '<p class="sub">Click a column header to sort. Throughput is the mean over ok repetitions; ±95% is the half-width of its confidence interval.</p>',
  );
  for (const [kind, title, columns] of [
    ['batch', 'Batch cells', batchColumns],
    ['pipeline', 'Pipeline cells', pipelineColumns],
    ['server', 'Server cells', serverColumns],
  ] as const) {
    const kindRows = rows.filter((row) => row.kind === kind);
    if (kindRows.length > 0) parts.push(`<h3>${title}</h3>`, cellTable(`${kind}-cells`, columns, kindRows));
  }
  if (rows.length === 0) parts.push('<p class="missing" data-missing="cells">No cells recorded.</p>');
  parts.push('<h3>Verdicts</h3>', verdictLegend(rows));
  parts.push(
    `<footer>Generated by conlab ${escapeHtml(run.run.env.conlabVersion)} from the stored results of run ${escapeHtml(run.run.runId)}. Self-contained: no network needed to view.</footer>`,
  );

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body>
${parts.join('\n')}
<script>${sortScript}</script>
</body>
</html>
`;
}

/** Writes a page (directories created), turning file-system errors into LAB_E_IO with the path. */
export async function writeTextFile(path: string, text: string): Promise<void> {
  await ensureDir(dirname(path));
  try {
    await writeFile(path, text);
  } catch (error) {
    throw new LabError(ErrorCodes.IO, `cannot write '${path}': ${errorText(error)}`, {
      hint: 'pick a writable path with -o FILE.html',
    });
  }
}

/** Writes the report of `run` to `path` (directories created). The suite's `npm start` calls this. */
export async function writeHtmlReport(run: RunData, path: string): Promise<void> {
  // A bad output path should fail before seconds of chart rendering, not after.
  await ensureDir(dirname(path));
  await writeTextFile(path, await renderHtmlReport(run));
}
