/**
 * The capacity section of a report: for every group of comparable capacity
 * searches (same endpoint, percentile, target and error limit) one chart of
 * the chosen percentile against offered load, every architecture a line,
 * the target a horizontal rule (the "knee" is where a line crosses it), and
 * a table of the capacities with their intervals and how each search ended.
 * Pure: records in, specs and markup out.
 */
import type { TopLevelSpec } from 'vega-lite';
import { fmt } from '../core/text-table.ts';
import type { CellRecord } from '../results/record.ts';
import { summarizeCapacity, type CapacitySummary } from '../servers/capacity/summary.ts';
import { capacityText } from '../servers/capacity/table.ts';
import { config, palette, slug, VEGA_LITE_SCHEMA, type ChartSpec } from './charts.ts';

interface CapacityGroup {
  endpoint: string;
  percentile: string;
  targetUs: number;
  maxErrorRate: number;
  searches: CapacitySummary[];
}

export function capacityGroups(summaries: readonly CapacitySummary[]): CapacityGroup[] {
  const groups = new Map<string, CapacityGroup>();
  for (const summary of summaries) {
    const key = `${summary.endpoint}|${summary.percentile}|${summary.targetUs}|${summary.maxErrorRate}`;
    const group = groups.get(key) ?? {
      endpoint: summary.endpoint,
      percentile: summary.percentile,
      targetUs: summary.targetUs,
      maxErrorRate: summary.maxErrorRate,
      searches: [],
    };
    group.searches.push(summary);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** What names a search on a chart: the architecture, with the runtime and counts when they tell searches apart. */
function subjectOf(summary: CapacitySummary, group: CapacityGroup): string {
  const runtimes = new Set(group.searches.map((s) => s.runtime));
  const sameArch = group.searches.filter((s) => s.architecture === summary.architecture);
  const counts = new Set(sameArch.map((s) => `${s.workers}×${s.threads}`));
  return [
    summary.architecture,
    counts.size > 1 ? `${summary.workers}×${summary.threads}` : '',
    runtimes.size > 1 ? `on ${summary.runtime}` : '',
  ]
    .filter((part) => part !== '')
    .join(' ');
}

function capacityChart(group: CapacityGroup, index: number): ChartSpec {
  const values = group.searches.flatMap((summary) =>
    summary.steps
      // An overloaded step (no reply in its window) failed the cell but is a point of the curve: at least the window.
      .filter((step) => step.offeredRps !== null && (step.status === 'ok' || step.passed === false))
      .map((step) => ({
        subject: subjectOf(summary, group),
        rate: step.offeredRps,
        ms: Math.max(step.valueUs, 1) / 1000,
        outcome: step.passed ? 'pass' : 'fail',
        step: step.step,
      })),
  );
  const subjects = [...new Set(values.map((value) => value.subject))].sort();
  const targetMs = group.targetUs / 1000;
  const y = {
    field: 'ms',
    type: 'quantitative' as const,
    title: `${group.percentile} latency (ms, log)`,
    scale: { type: 'log' as const },
  };
  const spec: TopLevelSpec = {
    $schema: VEGA_LITE_SCHEMA,
    config,
    width: 560,
    height: 300,
    layer: [
      {
        data: { values },
        mark: { type: 'line', opacity: 0.7 },
        transform: [{ calculate: 'datum.rate', as: 'order' }],
        encoding: {
          x: { field: 'rate', type: 'quantitative', title: 'offered load (req/s)' },
          y,
          color: {
            field: 'subject',
            type: 'nominal',
            title: 'architecture',
            scale: {
              domain: subjects,
              range: subjects.map((_, i) => palette[i % palette.length] ?? '#333333'),
            },
          },
          order: { field: 'order', type: 'quantitative' },
        },
      },
      {
        data: { values },
        mark: { type: 'point', filled: true, size: 60, tooltip: true },
        encoding: {
          x: { field: 'rate', type: 'quantitative' },
          y,
          color: { field: 'subject', type: 'nominal' },
          shape: {
            field: 'outcome',
            type: 'nominal',
            title: 'step',
            scale: { domain: ['pass', 'fail'], range: ['circle', 'cross'] },
          },
        },
      },
      {
        data: { values: [{ ms: targetMs, label: `target ${fmt.latencyUs(group.targetUs)}` }] },
        mark: { type: 'rule', color: '#d62728', strokeDash: [6, 4], strokeWidth: 2 },
        encoding: { y: { field: 'ms', type: 'quantitative' } },
      },
      {
        data: { values: [{ ms: targetMs, label: `target ${fmt.latencyUs(group.targetUs)}` }] },
        mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: '#d62728', x: 0 },
        encoding: { y: { field: 'ms', type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
  };
  return {
    id: `capacity-${index + 1}-${slug(`${group.endpoint} ${group.percentile}`)}`,
    title: `Capacity: ${group.percentile} against offered load, ${group.endpoint}`,
    caption: `Every step of every search (open loop, latency from the scheduled send time): a dot passed (${group.percentile} under the target and errors ≤ ${fmt.fixed(group.maxErrorRate * 100, 2)}%), a cross failed. The dashed line is the target; where a line crosses it is the knee. Log scale.`,
    section: 'capacity',
    spec,
  };
}

/** Every capacity chart of a run's records (none when the run has no capacity steps). */
export function capacityCharts(cells: readonly CellRecord[]): ChartSpec[] {
  return capacityGroups(summarizeCapacity(cells)).map(capacityChart);
}

/** The table of capacities, one row per search, as text cells (the page escapes and lays them out). */
export function capacityTable(summaries: readonly CapacitySummary[]): {
  head: string[];
  rows: { status: string; cells: string[] }[];
} {
  const head = [
    'architecture',
    'w×t',
    'endpoint',
    'runtime',
    'target',
    'capacity',
    'interval (req/s)',
    'ended',
    'steps',
    'time',
    'why',
  ];
  const rows = summaries.map((summary) => ({
    status: summary.status,
    cells: [
      summary.architecture,
      `${summary.workers}×${summary.threads}`,
      summary.endpoint,
      summary.runtime,
      `${summary.percentile} < ${fmt.latencyUs(summary.targetUs)}`,
      capacityText(summary),
      `${fmt.rate(summary.lowRps)} – ${summary.highRps === null ? '?' : fmt.rate(summary.highRps)}`,
      summary.status,
      String(summary.steps.length),
      `${Math.round(summary.spentS)} s`,
      summary.reason,
    ],
  }));
  return { head, rows };
}
