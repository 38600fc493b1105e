/**
 * Expands what `conlab batch` was asked (models × concurrency levels ×
 * items-per-task × runtimes, or a preset) into the list of cells to run, in
 * the order they run: per runtime, the sequential baseline first.
 */
import { getModel } from '../../models/index.ts';
import { resolveBatchSpec, type BatchCellSpec, type ResolvedBatchSpec } from '../spec.ts';

export interface BatchGrid {
  workload: string;
  params: Record<string, unknown>;
  models: string[];
  concurrency: number[];
  itemsPerTask: number[];
  threadsPerProcess: number;
  items: number;
  repetitions: number;
  timeoutMs: number;
  inFlightPerWorker: number;
}

/** Resolves every cell up front, so bad input fails before anything runs. */
export function expandGrid(grid: BatchGrid): ResolvedBatchSpec[] {
  const specs: BatchCellSpec[] = [];
  const seen = new Set<string>();
  // The baseline goes first, and is added when not asked for: speedup needs it.
  const models = ['sequential', ...grid.models.filter((name) => name !== 'sequential')];
  for (const name of models) {
    const model = getModel(name);
    const levels = model.usesConcurrency ? grid.concurrency : [1];
    const chunks = model.usesItemsPerTask ? grid.itemsPerTask : [1];
    for (const itemsPerTask of chunks) {
      for (const concurrency of levels) {
        const key = `${name}|${concurrency}|${itemsPerTask}`;
        if (seen.has(key)) continue;
        seen.add(key);
        specs.push({
          workload: grid.workload,
          params: grid.params,
          model: name,
          concurrency,
          threadsPerProcess: grid.threadsPerProcess,
          itemsPerTask,
          items: grid.items,
          repetitions: grid.repetitions,
          timeoutMs: grid.timeoutMs,
          inFlightPerWorker: grid.inFlightPerWorker,
        });
      }
    }
  }
  return specs.map(resolveBatchSpec);
}
