/**
 * Batch tables as pure functions (cells in, text out): the `conlab batch`
 * table, and the seed 003 table with its title and platform footer (the
 * seeds engineer renders presets with it).
 */
import { models } from '../../models/registry.ts';
import { fmt, renderTextTable, type Column } from '../../core/text-table.ts';
import type { BatchCell, EnvironmentInfo } from '../../results/record.ts';
import { findWorkload, workloadLabel } from '../../workloads/index.ts';
import { precisionPercent } from '../../stats/precision.ts';

/** Seed 003's benchmark name, e.g. "Threaded CPU heavy processing (2 threads, 1 item per task)". */
export function benchmarkName(cell: BatchCell): string {
  const model = models.find(cell.model);
  // A stored record may name a model this build lacks, or a workload module this process never checked.
  const kind = findWorkload(cell.workload)?.kind;
  if (!model || !kind) return `${cell.model} ${workloadLabel(cell.workload)}`;
  return model.label(kind, cell);
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

function timeText(cell: BatchCell): string {
  if (cell.durationsMs.length === 0) return '-';
  const mean = seconds(cell.durationMs);
  return cell.durationsMs.length > 1 ? `${mean} ± ${seconds(cell.durationStdevMs)}` : mean;
}

function statusText(cell: BatchCell): string {
  const flags = cell.verdicts.length > 0 ? ` (${cell.verdicts.join(', ')})` : '';
  return `${cell.status}${flags}`;
}

export interface BatchTableOptions {
  /** Show the runtime column (more than one runtime in the run). */
  showRuntime?: boolean;
  /** Show the workload column (more than one workload, e.g. a preset). */
  showWorkload?: boolean;
  /** Show the passes column (some cell's window ran its items more than once). */
  showPasses?: boolean;
  /** Show the likely cause of a model that fell short of its workers (default: when a cell has one). */
  showCause?: boolean;
}

/** The precision reached: half-width of the 95% interval of the mean time, in % ("±3.1%"). */
function precisionText(cell: BatchCell): string {
  const precision = cell.durationsMs.length > 0 ? precisionPercent(cell.durationsMs) : null;
  return precision === null ? '-' : `±${precision < 10 ? precision.toFixed(1) : Math.round(precision)}%`;
}

export function batchColumns(options: BatchTableOptions = {}): Column<BatchCell>[] {
  const columns: Column<BatchCell>[] = [{ header: 'Benchmark', value: benchmarkName }];
  if (options.showWorkload) columns.push({ header: 'Workload', value: (c) => workloadLabel(c.workload) });
  if (options.showRuntime) columns.push({ header: 'Runtime', value: (c) => c.runtime });
  columns.push(
    { header: 'Mean time (sec)', value: timeText, align: 'right' },
    { header: '±95%', value: precisionText, align: 'right' },
  );
  if (options.showPasses) {
    // The time is per pass; a window ran this many passes over the same items.
    columns.push({ header: 'Passes', value: (c) => String(c.sizing?.rounds ?? 1), align: 'right' });
  }
  columns.push(
    {
      header: 'Memory',
      value: (c) => (c.durationsMs.length > 0 ? fmt.bytes(c.peakRssBytes) : '-'),
      align: 'right',
    },
    {
      header: 'Items/s',
      value: (c) => (c.durationsMs.length > 0 ? fmt.rate(c.itemsPerSec) : '-'),
      align: 'right',
    },
    {
      header: 'Speedup',
      value: (c) => (c.speedup === null ? '-' : `${c.speedup.toFixed(2)}x`),
      align: 'right',
    },
    {
      header: 'Efficiency',
      value: (c) => fmt.percent(c.efficiency === null ? null : c.efficiency * 100),
      align: 'right',
    },
    {
      header: 'CPU',
      value: (c) => (c.durationsMs.length > 0 ? fmt.percent(c.cpuPercent) : '-'),
      align: 'right',
    },
    { header: 'Answer', value: (c) => (c.answer === null ? '-' : String(c.answer)), align: 'right' },
  );
  if (options.showCause) columns.push({ header: 'Why', value: (c) => c.likelyCause?.label ?? '' });
  columns.push({ header: 'Status', value: statusText });
  return columns;
}

/** The likely cause of each model that fell short, in full, under the table (src/monitor/causes.ts). */
function causeLines(cells: BatchCell[]): string {
  const lines = cells.flatMap((cell) =>
    cell.likelyCause && cell.speedup !== null
      ? [`  ${benchmarkName(cell)} [${cell.runtime}]: ${cell.speedup.toFixed(2)}x: ${cell.likelyCause.text}`]
      : [],
  );
  return lines.length > 0 ? `\nWhy a model fell short of its workers:\n${lines.join('\n')}\n` : '';
}

/** Reasons of cells that are not ok, one line each, under the table. */
function notes(cells: BatchCell[]): string {
  const lines = cells
    .filter((cell) => cell.status !== 'ok' && cell.reason)
    .map((cell) => `  ${benchmarkName(cell)} [${cell.runtime}]: ${cell.status}: ${cell.reason ?? ''}`);
  return lines.length > 0 ? `\n${lines.join('\n')}\n` : '';
}

export function renderBatchTable(cells: BatchCell[], options: BatchTableOptions = {}): string {
  const runtimes = new Set(cells.map((cell) => cell.runtime));
  const workloads = new Set(cells.map((cell) => cell.workload));
  const columns = batchColumns({
    showRuntime: options.showRuntime ?? runtimes.size > 1,
    showWorkload: options.showWorkload ?? workloads.size > 1,
    showPasses: options.showPasses ?? cells.some((cell) => (cell.sizing?.rounds ?? 1) > 1),
    showCause: options.showCause ?? cells.some((cell) => cell.likelyCause !== undefined),
  });
  return `${renderTextTable(columns, cells)}${notes(cells)}${causeLines(cells)}`;
}

/**
 * Seed 003's report: title, table, footer naming platform, CPU count and
 * versions. Memory is the process tree's peak RSS (the seed's column is
 * pyperf's per-benchmark peak); speedup is vs the sequential row.
 */
export function renderSeed003Table(
  cells: BatchCell[],
  env: EnvironmentInfo,
  title = 'Concurrency/asynchronicity benchmark',
): string {
  const runtimes = [...new Set(cells.map((cell) => cell.runtime))];
  const footer = [
    `Platform: ${env.os} (kernel ${env.kernel})`,
    `CPU: ${env.cpuModel}`,
    `CPU Count: ${env.cores}`,
    `Runtime versions: ${runtimes.join(', ') || env.runtimes.join(', ')}`,
    `conlab version: ${env.conlabVersion}${env.conlabCommit ? ` (${env.conlabCommit})` : ''}`,
  ];
  return `${title}\n\n\n${renderBatchTable(cells)}\n${footer.join('\n')}\n`;
}
