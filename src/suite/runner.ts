/**
 * Runs a suite's planned repetitions in order, each in a fresh subject
 * process (through the batch and server runners), and writes each record to
 * the store the moment it ends. Resumable: steps already stored are skipped,
 * so each (cellKey, repetition) is measured exactly once across a run and
 * its resumes. The in-flight cell of an interrupted run is never stored.
 */
import { errorText } from '../core/errors.ts';
import { emptyBatchCell } from '../batch/driver/run-cell.ts';
import type { CellRecord } from '../results/record.ts';
import type { ResultStore } from '../results/store.ts';
import { emptyServerCell } from '../servers/driver/record.ts';
import { estimateRepSeconds } from './estimate.ts';
import type { CellPlan, PlannedRep } from './types.ts';

export type CellExecutor = (cell: CellPlan, repetition: number) => Promise<CellRecord>;

export interface ProgressEvent {
  /** 1-based index of this step among the run's planned steps. */
  index: number;
  total: number;
  cell: CellPlan;
  repetition: number;
  repetitions: number;
  /** Steps still to run after this one started (this run or resume), and their estimated seconds. */
  etaS: number;
  elapsedS: number;
}

export interface RunSuiteOptions {
  store: ResultStore;
  runId: string;
  cells: readonly CellPlan[];
  plan: readonly PlannedRep[];
  repetitions: number;
  execute: CellExecutor;
  timeBudgetS: number | null;
  onStart?(event: ProgressEvent): void;
  onEnd?(event: ProgressEvent, record: CellRecord): void;
  /** Polled between and after cells: true stops the run (Ctrl-C). */
  stopRequested?(): boolean;
}

export interface RunOutcome {
  status: 'complete' | 'interrupted';
  note: string | null;
  measured: number;
  remaining: number;
}

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

/**
 * Seconds the remaining steps should take: a cell measured in this run
 * counts its own mean; others count their estimate scaled by how far off
 * the estimates have been so far.
 */
function etaSeconds(
  remaining: readonly PlannedRep[],
  cells: Map<string, CellPlan>,
  measured: Map<string, number[]>,
): number {
  let estimatedDone = 0;
  let actualDone = 0;
  for (const [key, seconds] of measured) {
    const cell = cells.get(key);
    if (!cell) continue;
    estimatedDone += estimateRepSeconds(cell).seconds * seconds.length;
    actualDone += seconds.reduce((sum, s) => sum + s, 0);
  }
  const correction = estimatedDone > 0 ? actualDone / estimatedDone : 1;
  let eta = 0;
  for (const step of remaining) {
    const own = measured.get(step.cellKey);
    const cell = cells.get(step.cellKey);
    if (own && own.length > 0) eta += own.reduce((sum, s) => sum + s, 0) / own.length;
    else if (cell) eta += estimateRepSeconds(cell).seconds * correction;
  }
  return eta;
}

export async function runSuiteSteps(options: RunSuiteOptions): Promise<RunOutcome> {
  const { store, runId } = options;
  const cells = new Map(options.cells.map((cell) => [cell.cellKey, cell]));
  const stored = store.storedSteps(runId);
  const todo = options.plan.filter((step) => !stored.has(`${step.cellKey}#${step.repetition}`));
  const startedMs = performance.now();
  const measuredS = new Map<string, number[]>();
  const skipped = new Map<string, CellRecord>();
  for (const record of store.loadCells(runId, { withParts: false })) {
    if (record.status === 'skipped') skipped.set(record.cellKey, record);
  }
  let measured = 0;
  let note: string | null = null;
  for (let i = 0; i < todo.length; i++) {
    const step = todo[i] as PlannedRep;
    const cell = cells.get(step.cellKey);
    if (!cell) throw new Error(`planned step names an unknown cell ${step.cellKey}`);
    const elapsedS = (performance.now() - startedMs) / 1000;
    if (options.stopRequested?.()) {
      note = 'stopped by the user';
      break;
    }
    if (options.timeBudgetS !== null && elapsedS >= options.timeBudgetS) {
      note = `time budget of ${options.timeBudgetS}s used up`;
      break;
    }
    const event: ProgressEvent = {
      index: stored.size + i + 1,
      total: options.plan.length,
      cell,
      repetition: step.repetition,
      repetitions: options.repetitions,
      etaS: etaSeconds(todo.slice(i), cells, measuredS),
      elapsedS,
    };
    options.onStart?.(event);
    const cellStartMs = performance.now();
    let record: CellRecord;
    const unsupported = skipped.get(cell.cellKey);
    if (unsupported) {
      // "Unsupported on this runtime" is a property of the runtime, not luck: later repetitions need no new subject.
      record = { ...unsupported, startedAt: new Date().toISOString() };
    } else {
      try {
        record = await options.execute(cell, step.repetition);
      } catch (error) {
        record = failedRecord(cell, cell.runtime, step.repetition, errorText(error));
      }
    }
    // A cell cut short by Ctrl-C is not a measurement (nor a failure): it is left for --resume.
    if (options.stopRequested?.()) {
      note = 'stopped by the user';
      break;
    }
    // The suite's key and repetition index are what resume and merging match on.
    record.cellKey = cell.cellKey;
    record.repetitions = [step.repetition];
    store.addCell(runId, record);
    if (record.status === 'skipped') skipped.set(cell.cellKey, record);
    measured++;
    const seconds = (performance.now() - cellStartMs) / 1000;
    measuredS.set(cell.cellKey, [...(measuredS.get(cell.cellKey) ?? []), seconds]);
    options.onEnd?.({ ...event, elapsedS: (performance.now() - startedMs) / 1000 }, record);
  }
  const remaining = todo.length - measured;
  const status = remaining === 0 ? 'complete' : 'interrupted';
  store.markRun(runId, status, note);
  return { status, note, measured, remaining };
}
