/**
 * Renders an A/B comparison of two runs (computed by src/stats/compare.ts:
 * ratio of means with its interval and Welch's p-value per matched cell) as
 * a terminal table and as a self-contained HTML page with a forest plot.
 * Nothing statistical happens here; this file only lays the numbers out.
 */
import type { RunComparison, ComparedCell, HeadlineMetric } from '../results/compare.ts';
import type { RunData } from '../results/record.ts';
import type { TopLevelSpec } from 'vega-lite';
import { escapeHtml } from './html.ts';
import { reportRows, type ReportRow } from './rows.ts';
import { renderSvg } from './svg.ts';
import { fmt, renderMarkdownTable, renderTextTable } from '../core/text-table.ts';

/** Human label of a cellKey, from whichever run has the cell. */
function labels(runs: RunData[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const run of runs) {
    for (const row of reportRows(run)) {
      if (!out.has(row.cellKey)) out.set(row.cellKey, rowLabel(row));
    }
  }
  return out;
}

function rowLabel(row: ReportRow): string {
  return `${row.subject} ${row.levelLabel} ${row.workload} ${row.runtime}`;
}

const metrics: Record<HeadlineMetric, { name: string; title: string; text(value: number): string }> = {
  durationMs: { name: 'time', title: 'time of the timed section', text: (v) => fmt.durationMs(v) },
  rps: { name: 'req/s', title: 'verified req/s', text: (v) => fmt.rate(v) },
  aggregateMiBps: { name: 'MiB/s', title: 'MiB/s written (aggregate)', text: (v) => fmt.fixed(v, 2) },
};

/** What a headline metric is called in a sentence ("verified req/s"). */
export function metricTitle(metric: HeadlineMetric): string {
  return metrics[metric].title;
}

/** A value of a headline metric with its unit ("1.23 s", "4.5k req/s", "9.87 MiB/s"). */
export function metricValueText(metric: HeadlineMetric, value: number): string {
  const text = metrics[metric].text(value);
  return metric === 'durationMs' ? text : `${text} ${metrics[metric].name}`;
}

function metricName(cell: ComparedCell): string {
  return metrics[cell.metric].name;
}

function value(cell: ComparedCell, mean: number): string {
  return metrics[cell.metric].text(mean);
}

function ratioText(cell: ComparedCell): string {
  const r = cell.ratio;
  const interval = r.low === null || r.high === null ? '' : ` [${r.low.toFixed(2)}, ${r.high.toFixed(2)}]`;
  return `${r.ratio.toFixed(2)}${interval}`;
}

function pText(p: number | null): string {
  if (p === null) return '-';
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/** Better, worse or no (significant) difference for B, in the cell's own direction. */
export function direction(cell: ComparedCell): 'better' | 'worse' | 'same' | 'unknown' {
  if (cell.mark === '?') return 'unknown';
  if (cell.mark === '') return 'same';
  const up = cell.ratio.ratio > 1;
  return up === cell.higherIsBetter ? 'better' : 'worse';
}

function describeRun(run: RunData | undefined): string {
  if (!run) return '';
  const env = run.run.env;
  return `${run.run.startedAt}, ${env.hostname}, ${env.cores} cores ${env.cpuModel}, load ${env.loadAverage1m.toFixed(2)}, conlab ${env.conlabVersion}${env.conlabCommit ? ` (${env.conlabCommit.slice(0, 10)})` : ''}`;
}

/** A ratio between runs on different machines measures the machines as much as the code: say so. */
export function environmentWarning(runs: RunData[]): string | null {
  const [a, b] = runs;
  if (!a || !b) return null;
  const differences: string[] = [];
  if (a.run.env.hostname !== b.run.env.hostname) differences.push('host');
  if (a.run.env.cores !== b.run.env.cores) differences.push('core count');
  if (a.run.env.cpuModel !== b.run.env.cpuModel) differences.push('CPU model');
  if (a.run.env.kernel !== b.run.env.kernel) differences.push('kernel');
  return differences.length === 0
    ? null
    : `A and B differ in ${differences.join(', ')}: the ratios mix the machines with the code`;
}

/** The comparison as text; `markdown` gives the table as GitHub Markdown (for a PR) and the lines as its paragraphs. */
export function renderCompareTerminal(comparison: RunComparison, runs: RunData[], markdown = false): string {
  const renderTable = markdown ? renderMarkdownTable : renderTextTable;
  const names = labels(runs);
  const lines: string[] = [
    `A = ${comparison.runA} (${describeRun(runs[0])})`,
    `B = ${comparison.runB} (${describeRun(runs[1])})`,
  ];
  const warning = environmentWarning(runs);
  if (warning) lines.push(`warning: ${warning}`);
  lines.push('');
  if (comparison.cells.length === 0) {
    lines.push('no cell measured ok in both runs: nothing to compare');
  } else {
    lines.push(
      renderTable<ComparedCell>(
        [
          { header: 'cell', value: (cell) => names.get(cell.cellKey) ?? cell.cellKey },
          { header: 'metric', value: metricName },
          { header: 'A', align: 'right', value: (cell) => value(cell, cell.a.mean) },
          { header: 'B', align: 'right', value: (cell) => value(cell, cell.b.mean) },
          { header: `B/A [${Math.round(comparison.level * 100)}%]`, align: 'right', value: ratioText },
          { header: 'p', align: 'right', value: (cell) => pText(cell.p) },
          { header: 'sig', value: (cell) => cell.mark },
          {
            header: 'verdict',
            value: (cell) =>
              `${direction(cell) === 'better' ? '+ ' : direction(cell) === 'worse' ? '- ' : ''}${cell.verdict}`,
          },
        ],
        comparison.cells,
      ).trimEnd(),
    );
    lines.push(
      '',
      "sig: ** p<0.01, * p<0.05, '' not significant, ? fewer than 2 repetitions on a side (Welch's t).",
    );
  }
  for (const key of comparison.onlyInA) lines.push(`only in A: ${names.get(key) ?? key}`);
  for (const key of comparison.onlyInB) lines.push(`only in B: ${names.get(key) ?? key}`);
  for (const item of comparison.notComparable)
    lines.push(`not comparable: ${names.get(item.cellKey) ?? item.cellKey} (${item.reason})`);
  // Markdown joins adjacent lines into one paragraph; a blank line between keeps them apart.
  return `${lines.join(markdown ? '\n\n' : '\n').replace(/\n{3,}/g, '\n\n')}\n`;
}

function forestSpec(comparison: RunComparison, names: Map<string, string>): TopLevelSpec {
  const values = comparison.cells.map((cell) => ({
    cell: `${names.get(cell.cellKey) ?? cell.cellKey} (${metricName(cell)})`,
    ratio: cell.ratio.ratio,
    low: cell.ratio.low,
    high: cell.ratio.high,
    outcome: direction(cell),
  }));
  const y = { field: 'cell', type: 'nominal' as const, title: null, sort: null };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: {
      font: 'DejaVu Sans, Liberation Sans, Arial, sans-serif',
      background: 'white',
      axis: { labelFontSize: 11, labelLimit: 640 },
    },
    title: 'B / A per cell, with its interval (log scale)',
    width: 420,
    height: { step: 22 },
    data: { values },
    layer: [
      {
        mark: { type: 'rule', color: '#888888', strokeDash: [4, 3] },
        data: { values: [{ one: 1 }] },
        encoding: { x: { field: 'one', type: 'quantitative' } },
      },
      {
        transform: [{ filter: 'datum.low != null && datum.high != null' }],
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: {
          y,
          x: { field: 'low', type: 'quantitative', scale: { type: 'log' }, title: 'ratio B / A' },
          x2: { field: 'high' },
          color: {
            field: 'outcome',
            type: 'nominal',
            legend: null,
            scale: {
              domain: ['better', 'worse', 'same', 'unknown'],
              range: ['#2e7d32', '#c62828', '#777777', '#bbbbbb'],
            },
          },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 70, tooltip: true },
        encoding: {
          y,
          x: { field: 'ratio', type: 'quantitative', scale: { type: 'log' }, title: 'ratio B / A' },
          color: {
            field: 'outcome',
            type: 'nominal',
            title: 'B vs A',
            scale: {
              domain: ['better', 'worse', 'same', 'unknown'],
              range: ['#2e7d32', '#c62828', '#777777', '#bbbbbb'],
            },
          },
        },
      },
    ],
  };
}

export async function renderCompareHtml(comparison: RunComparison, runs: RunData[]): Promise<string> {
  const names = labels(runs);
  const rows = comparison.cells
    .map((cell) => {
      const outcome = direction(cell);
      return `<tr class="${outcome}" data-cell-key="${escapeHtml(cell.cellKey)}" data-significant="${cell.mark === '*' || cell.mark === '**'}">
<td>${escapeHtml(names.get(cell.cellKey) ?? cell.cellKey)}</td><td>${escapeHtml(metricName(cell))}</td>
<td class="num">${escapeHtml(value(cell, cell.a.mean))}</td><td class="num">${escapeHtml(value(cell, cell.b.mean))}</td>
<td class="num">${escapeHtml(ratioText(cell))}</td><td class="num">${escapeHtml(pText(cell.p))}</td><td>${escapeHtml(cell.mark)}</td><td>${escapeHtml(cell.verdict)}</td></tr>`;
    })
    .join('\n');
  const svg = comparison.cells.length > 0 ? await renderSvg(forestSpec(comparison, names)) : '';
  const extra = [
    ...comparison.onlyInA.map((key) => `only in A: ${names.get(key) ?? key}`),
    ...comparison.onlyInB.map((key) => `only in B: ${names.get(key) ?? key}`),
    ...comparison.notComparable.map(
      (item) => `not comparable: ${names.get(item.cellKey) ?? item.cellKey} (${item.reason})`,
    ),
  ];
  const title = `conlab comparison: ${comparison.runA} vs ${comparison.runB}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body { font-family: 'DejaVu Sans', Arial, sans-serif; max-width: 1200px; margin: 0 auto; padding: 16px 24px; color: #1d1d1d; }
table { border-collapse: collapse; font-size: 0.85em; }
th, td { padding: 3px 8px; border-bottom: 1px solid #e6e6e6; text-align: left; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.better td { background: #e3f4e4; font-weight: bold; }
tr.worse td { background: #fde3e1; font-weight: bold; }
tr.unknown td { color: #888; }
p.warning { border-left: 4px solid #e15759; background: #fff4f3; padding: 6px 10px; }
figure svg { max-width: 100%; height: auto; }
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<ul><li>A = <strong>${escapeHtml(comparison.runA)}</strong>: ${escapeHtml(describeRun(runs[0]))}</li><li>B = <strong>${escapeHtml(comparison.runB)}</strong>: ${escapeHtml(describeRun(runs[1]))}</li></ul>
${environmentWarning(runs) ? `<p class="warning"><strong>Warning:</strong> ${escapeHtml(environmentWarning(runs) ?? '')}.</p>` : ''}
<p>Per cell matched by its key: the headline metric (batch: wall time, lower is better; server: verified req/s, higher is better; pipeline: MiB/s written, higher is better), the ratio B/A with its ${Math.round(comparison.level * 100)}% interval, and Welch's p-value across repetitions. Green: B significantly better; red: significantly worse.</p>
${comparison.cells.length === 0 ? '<p class="missing">No cell measured ok in both runs: nothing to compare.</p>' : ''}
${svg ? `<figure class="chart" data-chart="compare-forest">${svg}</figure>` : ''}
<table class="cells" id="compare-cells"><thead><tr><th>cell</th><th>metric</th><th>A</th><th>B</th><th>B/A [interval]</th><th>p</th><th>sig</th><th>verdict</th></tr></thead><tbody>
${rows}
</tbody></table>
${extra.length > 0 ? `<ul>${extra.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}
