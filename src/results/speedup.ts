/**
 * Speedup and parallel efficiency of batch cells against the sequential
 * cell of the same group, in the same list of records.
 */
import { baselineModel, coresUsed } from '../models/registry.ts';
import { efficiency, speedup } from '../stats/descriptive.ts';
import type { BatchCell } from './record.ts';

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
 * null when there is none or the cell is not ok.
 */
export function fillBatchSpeedups(cells: BatchCell[]): void {
  const baselines = new Map<string, number>();
  for (const cell of cells) {
    if (cell.model === baselineModel.name && cell.status === 'ok' && cell.durationMs > 0) {
      baselines.set(speedupGroupKey(cell), cell.durationMs);
    }
  }
  for (const cell of cells) {
    const baseline = baselines.get(speedupGroupKey(cell));
    if (baseline === undefined || cell.status !== 'ok' || !(cell.durationMs > 0)) {
      cell.speedup = null;
      cell.efficiency = null;
      continue;
    }
    cell.speedup = speedup(baseline, cell.durationMs);
    const workers = workersUsed(cell);
    cell.efficiency = workers === null ? null : efficiency(cell.speedup, workers);
  }
}
