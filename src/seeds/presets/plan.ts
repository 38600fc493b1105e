/**
 * Helpers shared by the server presets: validating --archs against the
 * preset's allowed list, a preset cell under its store key, turning a cell's
 * record into the figures every preset row shows (with units in the names,
 * converted here once), and the table columns and CSV fields those figures
 * get in every preset.
 */
import { ErrorCodes, unknownName } from '../../core/errors.ts';
import { fmt, type Column } from '../../core/text-table.ts';
import type { CellStatus, ServerCell } from '../../results/record.ts';
import type { RuntimeSpec } from '../../runtimes/registry.ts';
import { serverCellKey, type ServerCellSpec } from '../../servers/driver/run-cell.ts';
import { resolveCellServerConfig } from '../../servers/resolve.ts';
import { csvLine, round, type PresetCell } from './types.ts';

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

/**
 * A preset's cells, each with the identity its table row starts from, and
 * the rows again once the cells have records: identity, the figures every
 * preset shows, and what `extra` takes from the record. Cells are keyed like
 * any server cell (runtime by the name the user gave, so runs compare across
 * runtime updates); resolving the server here makes a bad shape a LabError
 * before anything starts.
 */
export interface PlannedCells<Identity> {
  add(identity: Identity, label: string, spec: ServerCellSpec): void;
  readonly cells: PresetCell[];
  rows<Extra>(
    records: readonly ServerCell[],
    extra: (record: ServerCell) => Extra,
  ): (Identity & Extra & CellFigures)[];
}

export function plannedCells<Identity>(runtime: RuntimeSpec): PlannedCells<Identity> {
  const planned: { identity: Identity; cell: PresetCell }[] = [];
  return {
    add(identity, label, spec) {
      planned.push({
        identity,
        cell: { cellKey: serverCellKey(spec, resolveCellServerConfig(spec), runtime.name), label, spec },
      });
    },
    get cells() {
      return planned.map(({ cell }) => cell);
    },
    rows(records, extra) {
      return planned.map(({ identity }, i) => {
        const record = records[i];
        // The runner returns one record per planned cell, in order; anything else is a bug, not a result.
        if (!record) throw new Error(`preset cell ${i + 1} has no record (${records.length} recorded)`);
        return { ...identity, ...extra(record), ...figuresOf(record) };
      });
    },
  };
}

export interface CellFigures {
  status: CellStatus;
  reason: string | undefined;
  rps: number | null;
  requests: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Server process tree CPU over the measured window, % of one core. */
  cpuPercent: number | null;
  /** Server process tree peak RSS over the measured window, MiB. */
  memoryMiB: number | null;
  clientCpuPercent: number | null;
  pids: number[];
}

export function figuresOf(record: ServerCell): CellFigures {
  // A cell that failed before its load ran has no numbers; one whose load ran (even with no reply) has.
  const measured = record.rpsPerRep.length > 0;
  const monitored = measured && record.monitor?.available === true;
  return {
    status: record.status,
    reason: record.reason,
    rps: measured ? record.rps : null,
    requests: record.requests,
    errors: Object.values(record.errors).reduce((sum, n) => sum + (n ?? 0), 0),
    p50Ms: measured ? record.latencyUs.p50 / 1000 : null,
    p95Ms: measured ? record.latencyUs.p95 / 1000 : null,
    p99Ms: measured ? record.latencyUs.p99 / 1000 : null,
    cpuPercent: monitored ? record.serverCpuPercent : null,
    memoryMiB: monitored ? record.serverPeakRssBytes / (1024 * 1024) : null,
    clientCpuPercent: measured ? record.clientCpuPercent : null,
    pids: record.pids,
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
