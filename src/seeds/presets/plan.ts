/**
 * Helpers shared by the server presets: validating --archs against the
 * preset's allowed list, turning a cell outcome into the figures every
 * preset row shows (with units in the names, converted here once), and the
 * table columns and CSV fields those figures get in every preset.
 */
import { ErrorCodes, unknownName } from '../../core/errors.ts';
import { fmt, type Column } from '../../core/text-table.ts';
import type { SeedCellOutcome } from '../shared/server-cell.ts';
import { csvLine, round } from './types.ts';

export function pickArchs<T extends string>(
  requested: string[] | undefined,
  allowed: readonly T[],
  defaults: readonly T[],
): T[] {
  if (requested === undefined) return [...defaults];
  return requested.map((name) => {
    if (!(allowed as readonly string[]).includes(name)) {
      throw unknownName(ErrorCodes.UNKNOWN_ARCH, 'architecture for this preset', name, allowed);
    }
    return name as T;
  });
}

export interface CellFigures {
  status: SeedCellOutcome['status'];
  reason: string | undefined;
  rps: number | null;
  requests: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Server process tree CPU over the measured window, % of one core. */
  cpuPercent: number | null;
  /** Server process tree peak RSS, MiB. */
  memoryMiB: number | null;
  clientCpuPercent: number | null;
  pids: number[];
}

export function figuresOf(outcome: SeedCellOutcome): CellFigures {
  const { load, monitor } = outcome;
  const monitored = monitor?.available === true;
  return {
    status: outcome.status,
    reason: outcome.reason,
    rps: load ? load.rps : null,
    requests: load?.requests ?? 0,
    errors: load?.errorsTotal ?? 0,
    p50Ms: load ? load.latencyUs.p50 / 1000 : null,
    p95Ms: load ? load.latencyUs.p95 / 1000 : null,
    p99Ms: load ? load.latencyUs.p99 / 1000 : null,
    cpuPercent: monitored ? monitor.summary.treeCpuPercent : null,
    memoryMiB: monitored ? monitor.summary.treePeakRssBytes / (1024 * 1024) : null,
    clientCpuPercent: load ? load.clientCpuPercent : null,
    pids: outcome.pids,
  };
}

export function statusText(figures: Pick<CellFigures, 'status' | 'reason'>): string {
  return figures.status === 'ok' ? 'ok' : `${figures.status}: ${figures.reason ?? ''}`;
}

/** A latency in ms, shown like every other latency in conlab's tables. */
export function fmtMs(value: number | null): string {
  return fmt.latencyUs(value === null ? null : value * 1000);
}

/** The columns every preset table ends with: the server tree's CPU and memory, then the cell's status. */
export function resourceColumns<Row extends CellFigures>(): Column<Row>[] {
  return [
    { header: 'server CPU', value: (r) => fmt.percent(r.cpuPercent), align: 'right' },
    {
      header: 'memory',
      value: (r) => (r.memoryMiB === null ? '-' : `${r.memoryMiB.toFixed(1)}MiB`),
      align: 'right',
    },
    { header: 'status', value: statusText },
  ];
}

/**
 * A preset's CSV: the header, then a line per ok cell that has a rate (the
 * others are in the JSON with their reason). `fields` gives the preset's own
 * leading fields; every header ends with cpu_percent and memory_mb, added here.
 */
export function presetCsv<Row extends CellFigures>(
  header: string,
  rows: readonly Row[],
  fields: (row: Row, rps: number) => (string | number)[],
): string {
  let csv = `${header}\n`;
  for (const row of rows) {
    if (row.status !== 'ok' || row.rps === null) continue;
    csv += csvLine([
      ...fields(row, row.rps),
      row.cpuPercent === null ? '' : round(row.cpuPercent, 1),
      row.memoryMiB === null ? '' : round(row.memoryMiB, 1),
    ]);
  }
  return csv;
}
