/**
 * Runs a list of resolved cells on a list of runtimes, one after another
 * (cells never overlap: they would measure each other), then checks answers
 * across cells and fills speedups. Used by `conlab batch`; runBatchStored
 * does the same as a stored run (`conlab batch --preset`); a suite runs
 * cells itself through runBatchCell.
 */
import { recordRun } from '../../results/record-run.ts';
import { workloadLabel } from '../../workloads/index.ts';
import { mergeRepetitions } from '../../results/merge.ts';
import type { BatchCell } from '../../results/record.ts';
import type { ResultStore } from '../../results/store.ts';
import type { StepCell } from '../../results/steps.ts';
import type { RuntimeSpec } from '../../runtimes/registry.ts';
import { fillBatchSpeedups } from '../../results/speedup.ts';
import { emptyBatchCell, runBatchCell, type RunCellOptions } from './run-cell.ts';
import { batchCellKey, type ResolvedBatchSpec } from '../spec.ts';
import { checkAnswers } from './verify.ts';

export interface RunBatchOptions extends Omit<RunCellOptions, 'onProgress'> {
  /** Progress text: which cell of how many, and what it is doing. */
  onProgress?(text: string): void;
}

function cellLabel(spec: ResolvedBatchSpec, runtime: RuntimeSpec): string {
  return `${runtime.label} ${workloadLabel(spec.workload)} ${spec.model} c=${spec.concurrency}${spec.itemsPerTask > 1 ? ` ipt=${spec.itemsPerTask}` : ''}`;
}

export async function runBatch(
  specs: ResolvedBatchSpec[],
  runtimes: RuntimeSpec[],
  options: RunBatchOptions = {},
): Promise<BatchCell[]> {
  const cells: BatchCell[] = [];
  const total = specs.length * runtimes.length;
  let index = 0;
  for (const runtime of runtimes) {
    for (const spec of specs) {
      index++;
      const what = `[${index}/${total}] ${cellLabel(spec, runtime)}`;
      const cell = await runBatchCell(spec, runtime, {
        ...options,
        onProgress: (text) => options.onProgress?.(`${what}: ${text}`),
      });
      options.onProgress?.(
        `${what}: ${cell.status}${cell.status === 'ok' ? ` ${(cell.durationMs / 1000).toFixed(3)} s` : ` (${cell.reason ?? ''})`}`,
      );
      cells.push(cell);
    }
  }
  checkAnswers(cells);
  fillBatchSpeedups(cells);
  return cells;
}

interface BatchStep extends StepCell {
  spec: ResolvedBatchSpec;
  runtime: RuntimeSpec;
}

/** A batch cell with no history takes about this long (start-up included): the ETA's first guess. */
const UNKNOWN_CELL_S = 3;

/**
 * The same cells as a stored run named `name`: each repetition a fresh
 * subject through runBatchCell, its record written the moment it ends (the
 * store keeps one record per repetition, as for a suite), then the
 * repetitions merged, answers checked across cells and speedups filled, as
 * runBatch returns them.
 */
export async function runBatchStored(
  specs: ResolvedBatchSpec[],
  runtimes: RuntimeSpec[],
  options: RunBatchOptions & { store: ResultStore; name: string },
): Promise<{ runId: string; cells: BatchCell[] }> {
  const { store, name, ...cellOptions } = options;
  const repetitions = specs[0]?.repetitions ?? 1;
  if (specs.some((spec) => spec.repetitions !== repetitions)) {
    throw new Error('a stored batch run takes one repetition count for every cell');
  }
  const cells: BatchStep[] = runtimes.flatMap((runtime) =>
    specs.map((spec) => ({
      cellKey: batchCellKey(spec, runtime.name),
      label: cellLabel(spec, runtime),
      spec,
      runtime,
    })),
  );
  const { runId, records } = await recordRun<BatchStep>({
    store,
    name,
    command: 'batch',
    settings: { runtimes: runtimes.map((runtime) => runtime.label), cells: specs },
    runtimeLabels: runtimes.map((runtime) => runtime.label),
    cells,
    repetitions,
    execute: (cell, repetition) => {
      const what = `${cell.label} rep ${repetition + 1}/${repetitions}`;
      return runBatchCell({ ...cell.spec, repetitions: 1 }, cell.runtime, {
        ...cellOptions,
        onProgress: (text) => options.onProgress?.(`${what}: ${text}`),
      });
    },
    failedRecord: (cell, repetition, reason) => ({
      ...emptyBatchCell(cell.spec, cell.cellKey, cell.runtime.label),
      status: 'failed',
      reason,
      repetitions: [repetition],
    }),
    estimateSeconds: () => UNKNOWN_CELL_S,
    onEnd: (event, record) =>
      options.onProgress?.(
        `[${event.index}/${event.total}] ${event.cell.label}: ${record.status}${record.status === 'ok' && record.kind === 'batch' ? ` ${(record.durationMs / 1000).toFixed(3)} s` : ` (${record.reason ?? ''})`}`,
      ),
  });
  const merged = mergeRepetitions(records).filter((cell): cell is BatchCell => cell.kind === 'batch');
  checkAnswers(merged);
  fillBatchSpeedups(merged);
  return { runId, cells: merged };
}
