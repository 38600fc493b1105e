/**
 * The columns of the cell table, defined once so that the terminal table
 * and the HTML table show the same things. Each column gives its text, a
 * sort key (the HTML table sorts on it) and whether it belongs in the
 * narrow (80-column) terminal view.
 */
import { fmt } from '../core/text-table.ts';
import { accountingFigures, type AccountingFigures } from '../monitor/causes.ts';
import type { ReportRow } from './rows.ts';
import type { Verdict } from '../results/record.ts';

export interface CellColumn {
  header: string;
  /** Shown in the 80-column terminal view (the HTML table and --wide show all). */
  narrow: boolean;
  align: 'left' | 'right';
  text(row: ReportRow): string;
  /** What the HTML table sorts on; numbers sort numerically, missing values last. */
  sortKey(row: ReportRow): number | string | null;
  /** Tooltip for the header. */
  title: string;
  /** How a value every row of a terminal table shares reads in the table's heading line; default: text(). */
  heading?(row: ReportRow): string;
}

const verdictShort: Record<Verdict, string> = {
  'client-saturated': 'client-sat',
  'schedule-drift': 'drift',
  'machine-busy': 'busy',
  'too-short': 'short',
  noisy: 'noisy',
  underpowered: 'underpowered',
  'monitor-unavailable': 'no-monitor',
  stalled: 'stalled',
  'window-short': 'short',
  'unit-restarted': 'restarted',
};

/**
 * Status, verdicts and reasons in one cell: what to be careful about for
 * this row. The short form (narrow terminal) abbreviates verdicts and, when
 * given `reasonRef`, replaces each reason by a footnote mark.
 */
export function notesText(row: ReportRow, short: boolean, reasonRef?: (reason: string) => string): string {
  const parts: string[] = [];
  if (row.status !== 'ok') parts.push(row.status.toUpperCase());
  else if (row.okReps < row.totalReps)
    parts.push(`${row.totalReps - row.okReps}/${row.totalReps} reps failed`);
  for (const verdict of row.verdicts) parts.push(short ? verdictShort[verdict] : verdict);
  const target = row.precisionTargetPercent;
  if (target !== null && row.precisionPercent !== null && row.precisionPercent > target) {
    // repetitions: auto stopped (most repetitions, or its time share) before the target.
    parts.push(short ? `>±${target}%` : `precision not reached (target ±${target}%)`);
  }
  parts.push(...row.reasons.map((reason) => (reasonRef ? reasonRef(reason) : reason)));
  return parts.join(' ');
}

function speedupInterval(row: ReportRow): string {
  if (row.speedupLow === null || row.speedupHigh === null) return '-';
  return `${row.speedupLow.toFixed(2)}-${row.speedupHigh.toFixed(2)}`;
}

function rowOk(row: ReportRow): boolean {
  return row.okReps > 0;
}

const rel = (row: ReportRow): number | null => row.precisionPercent;

function num(value: number | null | undefined): number | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : value;
}

const common = {
  subject: (header: string, title: string): CellColumn => ({
    header,
    narrow: true,
    align: 'left',
    title,
    text: (row) => row.subject,
    sortKey: (row) => row.subject,
  }),
  workload: (header: string): CellColumn => ({
    header,
    narrow: false,
    align: 'left',
    title: header === 'endpoint' ? 'protocol and endpoint served' : 'workload and its parameters',
    text: (row) => row.workload,
    sortKey: (row) => row.workload,
  }),
  runtime: {
    header: 'runtime',
    narrow: false,
    align: 'left',
    title: 'runtime name@version the subject ran on',
    text: (row) => row.runtime,
    sortKey: (row) => row.runtime,
  } satisfies CellColumn,
  reps: {
    header: 'reps',
    narrow: false,
    align: 'right',
    title: 'repetitions ok / run',
    text: (row) => `${row.okReps}/${row.totalReps}`,
    sortKey: (row) => row.okReps,
  } satisfies CellColumn,
  throughput: (header: string): CellColumn => ({
    header,
    narrow: true,
    align: 'right',
    title: 'mean throughput over the ok repetitions',
    // MiB/s are small numbers where the decimals matter; rates of items and requests are shown k/M-scaled.
    text: (row) =>
      rowOk(row)
        ? row.throughputUnit === 'MiB/s'
          ? fmt.fixed(row.throughput.mean, 2)
          : fmt.rate(row.throughput.mean)
        : '-',
    sortKey: (row) => (rowOk(row) ? num(row.throughput.mean) : null),
  }),
  ci: {
    header: '±95%',
    narrow: true,
    align: 'right',
    title:
      'precision: half-width of the 95% confidence interval of the mean of the primary metric (batch: time per pass; server: req/s; pipeline: MiB/s), in % of the mean (needs 2+ repetitions)',
    text: (row) => {
      const value = rel(row);
      return value === null ? '-' : `±${value < 10 ? value.toFixed(1) : Math.round(value)}%`;
    },
    sortKey: (row) => rel(row),
  } satisfies CellColumn,
  cpu: {
    header: 'cpu',
    narrow: true,
    align: 'right',
    title: 'CPU of the subject process tree, % of one core (200% = two cores busy)',
    text: (row) => fmt.percent(row.cpuPercent),
    sortKey: (row) => num(row.cpuPercent),
  } satisfies CellColumn,
  rss: {
    header: 'peak rss',
    narrow: true,
    align: 'right',
    title: 'peak resident memory of the subject process tree',
    text: (row) => fmt.bytes(row.peakRssBytes),
    sortKey: (row) => num(row.peakRssBytes),
  } satisfies CellColumn,
  notes: {
    header: 'notes',
    narrow: true,
    align: 'left',
    title: 'status when not ok, verdicts that qualify the numbers, and reasons',
    text: (row) => notesText(row, false),
    sortKey: (row) => notesText(row, false),
  } satisfies CellColumn,
};

function figuresOf(row: ReportRow): AccountingFigures | null {
  const accounting = row.okReps > 0 ? row.monitor?.accounting : undefined;
  return accounting ? accountingFigures(accounting) : null;
}

/** A wide-view column of one accounting figure: a share shown in %, or a count. */
function accountingColumn(
  header: string,
  title: string,
  pick: (figures: AccountingFigures) => number | null,
  kind: 'share' | 'count',
): CellColumn {
  const value = (row: ReportRow): number | null => {
    const figures = figuresOf(row);
    return figures ? pick(figures) : null;
  };
  return {
    header,
    narrow: false,
    align: 'right',
    title,
    text: (row) => {
      const figure = value(row);
      if (figure === null) return '-';
      return kind === 'share' ? `${Math.round(figure * 100)}%` : String(figure);
    },
    sortKey: value,
  };
}

/** Where the time went (src/monitor/accounting.ts, last repetition): the wide view's evidence for the likely cause. */
const accountingColumns: CellColumn[] = [
  accountingColumn(
    'sys',
    "system (kernel) time's share of the subject tree's CPU over the measured window (last repetition)",
    (figures) => figures.systemShare,
    'share',
  ),
  accountingColumn(
    'rq wait',
    'run-queue wait of the threads doing the items (workers, or the main thread) as a share of the time they ran: waiting for a free CPU',
    (figures) => figures.workingWaitShare,
    'share',
  ),
  accountingColumn(
    'ivcs',
    'involuntary context switches of the whole tree over the window: threads taken off a CPU that they wanted',
    (figures) => figures.involuntarySwitches,
    'count',
  ),
  {
    header: 'why',
    narrow: false,
    align: 'left',
    title:
      'likely cause when the model fell short of its workers (speedup below 85% of them): baseline >1 core, starved, cores, driver, contention, unequal, ?',
    text: (row) => row.likelyCause?.label ?? '',
    sortKey: (row) => row.likelyCause?.label ?? null,
  },
];

export const batchColumns: CellColumn[] = [
  common.subject('model', 'concurrency model'),
  common.workload('workload'),
  common.runtime,
  {
    header: 'conc',
    narrow: true,
    align: 'right',
    title: 'concurrency: workers or items in flight',
    text: (row) => String(row.level),
    sortKey: (row) => row.level,
  },
  {
    header: 'size',
    // Shared by every row of a workload's table (one size per group), so usually named once in its heading.
    narrow: false,
    align: 'right',
    title:
      'items × passes over them in each measured window: the passes are calibrated once per workload so its fastest model fills the minimum window, and every model does the same work',
    text: (row) =>
      row.items === null
        ? '-'
        : row.rounds === null || row.rounds === 1
          ? String(row.items)
          : `${row.items}×${row.rounds}`,
    sortKey: (row) => (row.items === null ? null : row.items * (row.rounds ?? 1)),
    heading: (row) =>
      row.items === null
        ? '-'
        : `${row.items} items${row.rounds !== null && row.rounds > 1 ? ` × ${row.rounds} passes` : ''}`,
  },
  common.reps,
  common.throughput('items/s'),
  common.ci,
  {
    header: 'time',
    narrow: true,
    align: 'right',
    title: 'mean wall time of one pass over the items (the measured window ÷ its passes)',
    text: (row) => fmt.durationMs(row.durationMs),
    sortKey: (row) => num(row.durationMs),
  },
  {
    header: 'speedup',
    narrow: true,
    align: 'right',
    title: 'mean sequential time / mean time of this cell (same workload, params and runtime, same run)',
    text: (row) => (row.speedup === null ? '-' : `${row.speedup.toFixed(2)}x`),
    sortKey: (row) => num(row.speedup),
  },
  {
    header: 'speedup 95%',
    narrow: false,
    align: 'right',
    title: '95% interval of the speedup',
    text: speedupInterval,
    sortKey: (row) => num(row.speedupLow),
  },
  {
    header: 'eff',
    narrow: true,
    align: 'right',
    title: 'parallel efficiency: speedup / workers that run JavaScript at once (1.00 = ideal)',
    text: (row) => fmt.fixed(row.efficiency),
    sortKey: (row) => num(row.efficiency),
  },
  common.cpu,
  ...accountingColumns,
  common.rss,
  common.notes,
];

function latencyColumn(
  header: string,
  narrow: boolean,
  pick: (row: ReportRow) => number | undefined,
): CellColumn {
  return {
    header,
    narrow,
    align: 'right',
    title: `${header} latency of the last ok repetition (open loop: corrected for coordinated omission)`,
    text: (row) => (row.latencyUs ? fmt.latencyUs(pick(row)) : '-'),
    sortKey: (row) => (row.latencyUs ? num(pick(row)) : null),
  };
}

export const serverColumns: CellColumn[] = [
  common.subject('architecture', 'server architecture and its workers'),
  common.workload('endpoint'),
  common.runtime,
  {
    header: 'load',
    narrow: true,
    align: 'right',
    title: 'closed loop: connections; open loop: target rate',
    text: (row) => row.levelLabel,
    sortKey: (row) => row.level,
  },
  common.reps,
  common.throughput('req/s'),
  common.ci,
  latencyColumn('p50', true, (row) => row.latencyUs?.p50),
  latencyColumn('p95', false, (row) => row.latencyUs?.p95),
  latencyColumn('p99', true, (row) => row.latencyUs?.p99),
  latencyColumn('max', false, (row) => row.latencyUs?.max),
  {
    header: 'errors',
    narrow: true,
    align: 'right',
    title: 'failed or wrong replies (a wrong reply is an error, never a success)',
    text: (row) => String(row.errorsTotal),
    sortKey: (row) => row.errorsTotal,
  },
  common.cpu,
  common.rss,
  common.notes,
];

export const pipelineColumns: CellColumn[] = [
  common.subject('method', 'pipeline method: how the pipelines share threads and processes'),
  common.workload('workload'),
  common.runtime,
  {
    header: 'pipelines',
    narrow: true,
    align: 'right',
    title: 'pipelines running at once',
    text: (row) => String(row.level),
    sortKey: (row) => row.level,
  },
  common.reps,
  common.throughput('MiB/s'),
  common.ci,
  {
    header: 'time',
    narrow: true,
    align: 'right',
    title: 'from releasing the pipelines to the last one done (last ok repetition)',
    text: (row) => fmt.durationMs(row.durationMs),
    sortKey: (row) => num(row.durationMs),
  },
  common.cpu,
  common.rss,
  common.notes,
];
