/**
 * Helpers shared by the server presets: validating --archs against the
 * preset's allowed list, and turning a cell outcome into the figures every
 * preset row shows (with units in the names, converted here once).
 */
import { ErrorCodes, unknownName } from '../../core/errors.ts';
import type { SeedCellOutcome } from '../shared/server-cell.ts';

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
