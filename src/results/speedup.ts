/**
 * Speedup and parallel efficiency of batch cells against the sequential
 * cell of the same group, in the same list of records.
 */
import { baselineModel, coresUsed } from '../models/registry.ts';
import { likelyCause } from '../monitor/causes.ts';
import { efficiency, speedup } from '../stats/descriptive.ts';
import type { BatchCell, LikelyCause } from './record.ts';

/**
 * Workers that can run JavaScript at once in a batch cell (the divisor of
 * efficiency), as the cell's model declares (ModelDefinition.cores); null for
 * a model this build does not know.
 */
export function workersUsed(
  cell: Pick<BatchCell, 'model' | 'concurrency' | 'threadsPerProcess' | 'itemsPerTask'>,
): number | null {
  return coresUsed(cell);
}

/** The baseline group: same runtime, workload, params and item count. itemsPerTask is deliberately not part of it: chunking is a property of the model being compared, not of the work. */
export function speedupGroupKey(cell: Pick<BatchCell, 'runtime' | 'workload' | 'params' | 'items'>): string {
  return `${cell.runtime}|${cell.workload}|${JSON.stringify(cell.params)}|${cell.items}`;
}

/**
 * Fills speedup and efficiency of every batch cell against the ok
 * sequential cell of the same group (see speedupGroupKey) in the same list;
 * null when there is none or the cell is not ok. A model that falls short of
 * its workers gets its likely cause (src/monitor/causes.ts) from the two
 * cells' accounting.
 */
export function fillBatchSpeedups(cells: BatchCell[]): void {
  const baselines = new Map<string, BatchCell>();
  for (const cell of cells) {
    if (cell.model === baselineModel.name && cell.status === 'ok' && cell.durationMs > 0) {
      baselines.set(speedupGroupKey(cell), cell);
    }
  }
  for (const cell of cells) {
    const baseline = baselines.get(speedupGroupKey(cell));
    delete cell.likelyCause;
    if (baseline === undefined || cell.status !== 'ok' || !(cell.durationMs > 0)) {
      cell.speedup = null;
      cell.efficiency = null;
      continue;
    }
    cell.speedup = speedup(baseline.durationMs, cell.durationMs);
    const workers = workersUsed(cell);
    cell.efficiency = workers === null ? null : efficiency(cell.speedup, workers);
    const cause = workers === null ? null : causeOf(cell, baseline, cell.speedup, workers);
    if (cause) cell.likelyCause = cause;
  }
}

function causeOf(
  cell: BatchCell,
  baseline: BatchCell,
  cellSpeedup: number,
  workers: number,
): LikelyCause | null {
  // The machine's cores as the monitor saw them where the cell ran (a record may be read elsewhere).
  const cores = cell.monitor?.cores;
  if (cores === undefined) return null;
  return likelyCause({
    speedup: cellSpeedup,
    workers,
    cores,
    baselineName: baselineModel.name,
    baselineCpuPercent: baseline.cpuPercent,
    cellCpuPercent: cell.cpuPercent,
    ...(baseline.monitor?.accounting ? { baseline: baseline.monitor.accounting } : {}),
    ...(cell.monitor?.accounting ? { cell: cell.monitor.accounting } : {}),
    ...(cell.monitor?.window ? { outsideCpuPercent: cell.monitor.window.outsideCpuPercent } : {}),
  });
}
