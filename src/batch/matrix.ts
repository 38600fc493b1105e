/**
 * The batch lab's matrix: models × the axes each model declares → resolved
 * cells. Used by suites (src/suite/expand.ts), `conlab batch` and its
 * presets, so every front end expands the same way: an axis a model does not
 * declare is fixed at 1 (sequential runs once, only hybrid multiplies by
 * threads per process), a declared axis with no values given takes the
 * model's default, and duplicate cells are dropped.
 */
import { expandMatrix, uniqueBy } from '../core/matrix.ts';
import { baselineModel, models, type ModelAxisName } from '../models/registry.ts';
import type { AdaptiveRule } from '../stats/precision.ts';
import { batchCellKey, resolveBatchSpec, type ResolvedBatchSpec } from './spec.ts';

export interface BatchMatrix {
  workload: string;
  params: Record<string, unknown>;
  models: readonly string[];
  /** Values per axis; absent = each model's declared default. */
  axes: Partial<Record<ModelAxisName, readonly number[]>>;
  items: number;
  repetitions?: number;
  /** Repetitions until precise (`--reps auto`); replaces `repetitions`. */
  adaptive?: AdaptiveRule;
  timeoutMs?: number;
  inFlightPerWorker?: number;
  /** Put the baseline model first, adding it when not asked for (speedup needs it). */
  withBaseline?: boolean;
}

/**
 * Cell order within a model: items per task outermost, then concurrency,
 * then threads per process (a table then reads as one scaling curve per
 * chunk size).
 */
const expansionOrder: readonly ModelAxisName[] = ['itemsPerTask', 'concurrency', 'threadsPerProcess'];

function modelCells(matrix: BatchMatrix, name: string): ResolvedBatchSpec[] {
  const model = models.get(name);
  const axes = Object.fromEntries(
    expansionOrder.map((axis) => {
      const declared = model.axes[axis];
      return [axis, declared ? (matrix.axes[axis] ?? [declared.default]) : [1]];
    }),
  ) as Record<ModelAxisName, readonly number[]>;
  return expandMatrix(axes).map((shape) =>
    // Resolving here makes bad input fail before anything runs.
    resolveBatchSpec({
      workload: matrix.workload,
      params: matrix.params,
      model: name,
      ...shape,
      items: matrix.items,
      ...(matrix.repetitions === undefined ? {} : { repetitions: matrix.repetitions }),
      ...(matrix.adaptive === undefined ? {} : { adaptive: matrix.adaptive }),
      ...(matrix.timeoutMs === undefined ? {} : { timeoutMs: matrix.timeoutMs }),
      ...(matrix.inFlightPerWorker === undefined ? {} : { inFlightPerWorker: matrix.inFlightPerWorker }),
    }),
  );
}

/** Every distinct cell of the matrices, in order: matrix by matrix, model by model. */
export function expandBatchMatrix(matrices: readonly BatchMatrix[]): ResolvedBatchSpec[] {
  const cells = matrices.flatMap((matrix) => {
    const names = matrix.withBaseline
      ? [baselineModel.name, ...matrix.models.filter((name) => name !== baselineModel.name)]
      : matrix.models;
    return names.flatMap((name) => modelCells(matrix, name));
  });
  return uniqueBy(cells, (cell) => batchCellKey(cell, ''));
}
