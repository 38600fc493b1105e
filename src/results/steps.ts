/**
 * The one loop that measures a run's planned steps and writes each record
 * to the store the moment its cell ends. Every command that stores results
 * goes through it: `conlab run` (src/suite/runner.ts adds the suite's
 * estimates and failed records), the seed presets, `conlab pipeline` and
 * `conlab batch --preset` (through recordRun). Resumable: steps already
 * stored are skipped, so each (cellKey, repetition) is measured exactly once
 * across a run and its resumes. The in-flight cell of an interrupted run is
 * never stored.
 */
import { performance } from 'node:perf_hooks';
import { errorText } from '../core/errors.ts';
import type { CellRecord } from './record.ts';
import type { PlannedStep, ResultStore } from './store.ts';

/** What the loop needs to know of a cell: its key (what the store matches on) and a label for progress lines. */
export interface StepCell {
  cellKey: string;
  label: string;
}

export interface StepEvent<Cell extends StepCell = StepCell> {
  /** 1-based index of this step among the run's planned steps. */
  index: number;
  total: number;
  cell: Cell;
  repetition: number;
  repetitions: number;
  /** Steps still to run after this one started (this run or resume), and their estimated seconds. */
  etaS: number;
  elapsedS: number;
}

export interface RunStepsOptions<Cell extends StepCell> {
  store: ResultStore;
  runId: string;
  cells: readonly Cell[];
  plan: readonly PlannedStep[];
  repetitions: number;
  /** Measures one repetition of a cell; never expected to throw for a cell problem (a throw becomes a failed record). */
  execute(cell: Cell, repetition: number): Promise<CellRecord>;
  /** The record of a cell whose executor threw: its lab's own empty record, failed with the reason. */
  failedRecord(cell: Cell, repetition: number, reason: string): CellRecord;
  /** Seconds a repetition of the cell should take, for the ETA before it has been measured. */
  estimateSeconds: (cell: Cell) => number;
  timeBudgetS: number | null;
  onStart?(event: StepEvent<Cell>): void;
  onEnd?(event: StepEvent<Cell>, record: CellRecord): void;
  /** Polled between and after cells: true stops the run (Ctrl-C). */
  stopRequested?(): boolean;
  /**
   * Steps decided by what was measured (a capacity search's next rate):
   * called after each record is stored; the cells and steps it returns join
   * the run's stored plan (so a resume runs them) and are measured after
   * those already planned.
   */
  extend?(cell: Cell, record: CellRecord): { cells: Cell[]; steps: PlannedStep[] } | undefined;
}

export interface RunOutcome {
  status: 'complete' | 'interrupted';
  note: string | null;
  measured: number;
  remaining: number;
}

/**
 * Seconds the remaining steps should take: a cell measured in this run
 * counts its own mean; others count their estimate scaled by how far off
 * the estimates have been so far.
 */
function etaSeconds<Cell extends StepCell>(
  remaining: readonly PlannedStep[],
  cells: Map<string, Cell>,
  measured: Map<string, number[]>,
  estimate: (cell: Cell) => number,
): number {
  let estimatedDone = 0;
  let actualDone = 0;
  for (const [key, seconds] of measured) {
    const cell = cells.get(key);
    if (!cell) continue;
    estimatedDone += estimate(cell) * seconds.length;
    actualDone += seconds.reduce((sum, s) => sum + s, 0);
  }
  const correction = estimatedDone > 0 ? actualDone / estimatedDone : 1;
  let eta = 0;
  for (const step of remaining) {
    const own = measured.get(step.cellKey);
    const cell = cells.get(step.cellKey);
    if (own && own.length > 0) eta += own.reduce((sum, s) => sum + s, 0) / own.length;
    else if (cell) eta += estimate(cell) * correction;
  }
  return eta;
}

export async function runSteps<Cell extends StepCell>(options: RunStepsOptions<Cell>): Promise<RunOutcome> {
  const { store, runId } = options;
  const cells = new Map(options.cells.map((cell) => [cell.cellKey, cell]));
  const stored = store.storedSteps(runId);
  const todo = options.plan.filter((step) => !stored.has(`${step.cellKey}#${step.repetition}`));
  let planned = options.plan.length;
  const startedMs = performance.now();
  const measuredS = new Map<string, number[]>();
  const skipped = new Map<string, CellRecord>();
  for (const record of store.loadCells(runId, { withParts: false })) {
    if (record.status === 'skipped') skipped.set(record.cellKey, record);
  }
  let measured = 0;
  let note: string | null = null;
  for (let i = 0; i < todo.length; i++) {
    const step = todo[i] as PlannedStep;
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
    const event: StepEvent<Cell> = {
      index: stored.size + i + 1,
      total: planned,
      cell,
      repetition: step.repetition,
      repetitions: options.repetitions,
      etaS: etaSeconds(todo.slice(i), cells, measuredS, options.estimateSeconds),
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
        record = options.failedRecord(cell, step.repetition, errorText(error));
      }
    }
    // A cell cut short by Ctrl-C is not a measurement (nor a failure): it is left for --resume.
    if (options.stopRequested?.()) {
      note = 'stopped by the user';
      break;
    }
    // The plan's key and repetition index are what resume and merging match on.
    record.cellKey = cell.cellKey;
    record.repetitions = [step.repetition];
    store.addCell(runId, record);
    if (record.status === 'skipped') skipped.set(cell.cellKey, record);
    measured++;
    const seconds = (performance.now() - cellStartMs) / 1000;
    measuredS.set(cell.cellKey, [...(measuredS.get(cell.cellKey) ?? []), seconds]);
    const more = options.extend?.(cell, record);
    if (more && more.steps.length > 0) {
      store.extendPlan(runId, more.cells, more.steps);
      for (const added of more.cells) cells.set(added.cellKey, added);
      todo.push(...more.steps);
      planned += more.steps.length;
    }
    options.onEnd?.({ ...event, elapsedS: (performance.now() - startedMs) / 1000 }, record);
  }
  const remaining = todo.length - measured;
  const status = remaining === 0 ? 'complete' : 'interrupted';
  store.markRun(runId, status, note);
  return { status, note, measured, remaining };
}
