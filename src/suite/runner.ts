/**
 * Runs a suite's planned repetitions through the store's one step loop
 * (src/results/steps.ts: each record written the moment its cell ends,
 * resumable), with what only the suite knows: how long a planned cell
 * should take and how a cell whose runner threw is recorded.
 */
import { emptyBatchCell } from '../batch/driver/run-cell.ts';
import type { CellRecord } from '../results/record.ts';
import { runSteps, type RunOutcome, type RunStepsOptions, type StepEvent } from '../results/steps.ts';
import { emptyServerCell } from '../servers/driver/record.ts';
import { estimateRepSeconds } from './estimate.ts';
import type { CellPlan } from './types.ts';

export type { RunOutcome };

export type CellExecutor = (cell: CellPlan, repetition: number) => Promise<CellRecord>;

export type ProgressEvent = StepEvent<CellPlan>;

export type RunSuiteOptions = Omit<RunStepsOptions<CellPlan>, 'failedRecord' | 'estimateSeconds'>;

/** A record for a cell whose runner threw instead of returning a failed record: the labs' own empty record, failed. */
export function failedRecord(
  cell: CellPlan,
  runtime: string,
  repetition: number,
  reason: string,
): CellRecord {
  const empty =
    cell.kind === 'batch'
      ? emptyBatchCell(cell, cell.cellKey, runtime)
      : emptyServerCell(cell, cell.cellKey, runtime);
  return { ...empty, status: 'failed', reason, repetitions: [repetition] };
}

export function runSuiteSteps(options: RunSuiteOptions): Promise<RunOutcome> {
  return runSteps({
    ...options,
    failedRecord: (cell, repetition, reason) => failedRecord(cell, cell.runtime, repetition, reason),
    estimateSeconds: (cell) => estimateRepSeconds(cell).seconds,
  });
}
