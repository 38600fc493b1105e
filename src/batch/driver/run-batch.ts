/**
 * Runs a list of resolved cells on a list of runtimes, one after another
 * (cells never overlap: they would measure each other), then checks answers
 * across cells and fills speedups. Used by `conlab batch`; a suite runs
 * cells itself through runBatchCell.
 */
import type { BatchCell } from '../../results/record.ts';
import type { RuntimeSpec } from '../../runtimes/registry.ts';
import { fillBatchSpeedups } from '../../results/speedup.ts';
import { runBatchCell, type RunCellOptions } from './run-cell.ts';
import type { ResolvedBatchSpec } from '../spec.ts';
import { checkAnswers } from './verify.ts';

export interface RunBatchOptions extends Omit<RunCellOptions, 'onProgress'> {
  /** Progress text: which cell of how many, and what it is doing. */
  onProgress?(text: string): void;
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
      const what = `[${index}/${total}] ${runtime.label} ${spec.workload} ${spec.model} c=${spec.concurrency}${spec.itemsPerTask > 1 ? ` ipt=${spec.itemsPerTask}` : ''}`;
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
