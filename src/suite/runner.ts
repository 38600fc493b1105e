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
import { failedStepRecord, stateAfter } from '../servers/capacity/steps.ts';
import { estimateRepSeconds } from './estimate.ts';
import { capacityStepPlan, serverSpecOf } from './expand.ts';
import type { CellPlan } from './types.ts';

export type { RunOutcome };

export type CellExecutor = (cell: CellPlan, repetition: number) => Promise<CellRecord>;

export type ProgressEvent = StepEvent<CellPlan>;

export type RunSuiteOptions = Omit<RunStepsOptions<CellPlan>, 'failedRecord' | 'estimateSeconds' | 'extend'>;

/** A record for a cell whose runner threw instead of returning a failed record: the labs' own empty record, failed. */
export function failedRecord(
  cell: CellPlan,
  runtime: string,
  repetition: number,
  reason: string,
): CellRecord {
  // A capacity step that threw ends its search there, saying why.
  if (cell.kind === 'server' && cell.capacity) {
    return {
      ...failedStepRecord(serverSpecOf(cell), cell.runtime, cell.capacity, reason),
      repetitions: [repetition],
    };
  }
  const empty =
    cell.kind === 'batch'
      ? emptyBatchCell(cell, cell.cellKey, runtime)
      : emptyServerCell(cell, cell.cellKey, runtime);
  return { ...empty, status: 'failed', reason, repetitions: [repetition] };
}

/** A capacity search's next step, planned from the step just stored; nothing for any other cell. */
export function nextSuiteStep(
  cell: CellPlan,
  record: CellRecord,
): { cells: CellPlan[]; steps: { cellKey: string; repetition: number }[] } | undefined {
  if (cell.kind !== 'server' || !cell.capacity || record.kind !== 'server' || !record.capacity)
    return undefined;
  const state = stateAfter(cell.capacity, record.capacity);
  if (state === null) return undefined;
  const { cellKey: _key, label: _label, rateRps: _rate, capacity: _state, ...first } = cell;
  const next = capacityStepPlan(first, state);
  return { cells: [next], steps: [{ cellKey: next.cellKey, repetition: 0 }] };
}

export function runSuiteSteps(options: RunSuiteOptions): Promise<RunOutcome> {
  return runSteps({
    ...options,
    failedRecord: (cell, repetition, reason) => failedRecord(cell, cell.runtime, repetition, reason),
    estimateSeconds: (cell) => estimateRepSeconds(cell).seconds,
    extend: nextSuiteStep,
  });
}
