/** The capacity searches as text: a headline per search and its steps (the knee), summaries in, a string out. */
import { fmt, renderTextTable, type Column } from '../../core/text-table.ts';
import type { CapacityStepSummary, CapacitySummary } from './summary.ts';

const percentText = (fraction: number): string => `${Number((fraction * 100).toPrecision(3))}%`;

/** `412 req/s` / `at least 1000 req/s` / `none`: the capacity as the search left it. */
export function capacityText(summary: CapacitySummary): string {
  if (summary.capacityRps === null) return 'none';
  const rate = `${fmt.rate(summary.capacityRps)} req/s`;
  return summary.status === 'at-ceiling' || summary.status === 'generator-limited'
    ? `at least ${rate}`
    : rate;
}

function stepColumns(percentile: string): Column<CapacityStepSummary>[] {
  return [
    { header: 'step', value: (s) => String(s.step), align: 'right' },
    { header: 'phase', value: (s) => s.phase },
    {
      header: 'offered req/s',
      value: (s) => (s.offeredRps === null ? 'closed' : fmt.rate(s.offeredRps)),
      align: 'right',
    },
    { header: 'achieved', value: (s) => (s.status === 'ok' ? fmt.rate(s.achievedRps) : '-'), align: 'right' },
    {
      header: percentile,
      value: (s) =>
        s.offeredRps === null || (s.status !== 'ok' && s.passed !== false)
          ? '-'
          : `${s.status === 'ok' ? '' : '≥'}${fmt.latencyUs(s.valueUs)}`,
      align: 'right',
    },
    { header: 'errors', value: (s) => (s.status === 'ok' ? percentText(s.errorRate) : '-'), align: 'right' },
    {
      header: 'verdict',
      value: (s) => {
        if (s.status !== 'ok' && s.passed !== false) return s.status;
        const notes = s.verdicts.length > 0 ? ` (${s.verdicts.join(', ')})` : '';
        if (s.passed === null) return `probe${notes}`;
        return `${s.passed ? 'pass' : `fail: ${s.why.join('; ')}`}${notes}`;
      },
    },
  ];
}

export function renderCapacityText(summaries: readonly CapacitySummary[]): string {
  return summaries
    .map((summary) => {
      const interval =
        summary.highRps === null
          ? ''
          : `passed ${fmt.rate(summary.lowRps)}, failed ${fmt.rate(summary.highRps)} req/s; `;
      const head =
        `${summary.architecture} (${summary.workers}×${summary.threads}) ${summary.endpoint} on ${summary.runtime}: ` +
        `${capacityText(summary)} with ${summary.percentile} < ${fmt.latencyUs(summary.targetUs)}, errors ≤ ${percentText(summary.maxErrorRate)}\n` +
        `  ${summary.status}: ${interval}${summary.steps.length} steps, ${Math.round(summary.spentS)} s\n` +
        `  ${summary.reason}\n`;
      const table = renderTextTable(stepColumns(summary.percentile), summary.steps)
        .split('\n')
        .map((line) => (line === '' ? line : `  ${line}`))
        .join('\n');
      return `${head}\n${table}`;
    })
    .join('\n');
}
