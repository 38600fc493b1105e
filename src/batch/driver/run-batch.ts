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
import { calibrateGroup } from './calibrate.ts';
import { checkAnswers } from './verify.ts';
import type { BatchSizing } from '../../results/record.ts';
import { speedupGroupKey } from '../../results/speedup.ts';

export interface RunBatchOptions extends Omit<RunCellOptions, 'onProgress'> {
  /** Progress text: which cell of how many, and what it is doing. */
  onProgress?(text: string): void;
  /**
   * The shortest a measured window may be: each group of cells is
   * calibrated first and runs that many passes over its items
   * (src/batch/sizing.ts). Absent: one pass, uncalibrated.
   */
  minWindowMs?: number;
}

/**
 * The group's size, calibrated once when its first cell is about to run:
 * every cell of the group (same runtime, workload, params and items, as
 * speedup groups them) gets the same rounds.
 */
export function groupSizer(
  specs: readonly ResolvedBatchSpec[],
  options: { minWindowMs: number | undefined; repetitions: number; onProgress?: (text: string) => void },
): (spec: ResolvedBatchSpec, runtime: RuntimeSpec) => Promise<BatchSizing | null> {
  const sizes = new Map<string, Promise<BatchSizing>>();
  const groupOf = (spec: ResolvedBatchSpec, runtime: RuntimeSpec): string =>
    speedupGroupKey({ ...spec, runtime: runtime.label });
  return (spec, runtime) => {
    const minWindowMs = options.minWindowMs;
    if (minWindowMs === undefined) return Promise.resolve(null);
    const key = groupOf(spec, runtime);
    let size = sizes.get(key);
    if (!size) {
      const group = specs.filter((other) => groupOf(other, runtime) === key);
      options.onProgress?.(
        `calibrating ${runtime.label} ${spec.workload} (${group.length} cells) for a ${minWindowMs / 1000} s window`,
      );
      size = calibrateGroup(group, runtime, { minWindowMs, repetitions: options.repetitions });
      sizes.set(key, size);
    }
    return size;
  };
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
  const sizeOf = groupSizer(specs, {
    minWindowMs: options.minWindowMs,
    repetitions: Math.min(...specs.map((spec) => spec.adaptive?.minRepetitions ?? spec.repetitions)),
    onProgress: (text) => options.onProgress?.(text),
  });
  let index = 0;
  for (const runtime of runtimes) {
    for (const spec of specs) {
      index++;
      const what = `[${index}/${total}] ${cellLabel(spec, runtime)}`;
      const sizing = await sizeOf(spec, runtime);
      const cell = await runBatchCell({ ...spec, sizing }, runtime, {
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
  const { store, name, minWindowMs, ...cellOptions } = options;
  const adaptive = specs[0]?.adaptive ?? null;
  // With --reps auto the plan holds the minimum; the step loop adds rounds until precise.
  const repetitions = adaptive?.minRepetitions ?? specs[0]?.repetitions ?? 1;
  if (
    specs.some(
      (spec) =>
        JSON.stringify(spec.adaptive) !== JSON.stringify(adaptive) ||
        (adaptive === null && spec.repetitions !== repetitions),
    )
  ) {
    throw new Error('a stored batch run takes one repetition count (or rule) for every cell');
  }
  const sizeOf = groupSizer(specs, {
    minWindowMs,
    repetitions,
    onProgress: (text) => options.onProgress?.(text),
  });
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
    ...(adaptive ? { adaptive: { rule: adaptive } } : {}),
    execute: async (cell, repetition) => {
      const what = `${cell.label} rep ${repetition + 1}/${adaptive ? 'auto' : repetitions}`;
      const sizing = await sizeOf(cell.spec, cell.runtime);
      return runBatchCell({ ...cell.spec, repetitions: 1, adaptive: null, sizing }, cell.runtime, {
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
