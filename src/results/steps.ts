/**
 * The one loop that measures a run's planned steps and writes each record
 * to the store the moment its cell ends. Every command that stores results
 * goes through it: `conlab run` (src/suite/runner.ts adds the suite's
 * estimates and failed records), the seed presets, `conlab pipeline` and
 * `conlab batch --preset` (through recordRun). Resumable: steps already
 * stored are skipped, so each (cellKey, repetition) is measured exactly once
 * across a run and its resumes. The in-flight cell of an interrupted run is
 * never stored.
 *
 * With an adaptive rule (`repetitions: auto`) the planned steps are the
 * minimum repetitions of every cell; after them come extra rounds, each
 * one more repetition of every cell whose primary metric is not yet
 * precise enough (src/stats/precision.ts), in the caller's order (the
 * suite's seeded shuffle), appended to the stored plan before they run so
 * a resume finishes them. A cell takes part in a round only if its next
 * repetition fits its share of the time budget left: the budget left,
 * split equally between the cells still wanting more. Rounds end when no
 * cell wants more or none fits; the run is then complete, and the record
 * of each cell's last repetition carries the precision it reached.
 */
import { performance } from 'node:perf_hooks';
import { errorText } from '../core/errors.ts';
import { adaptiveDecision, precisionPercent, type AdaptiveRule } from '../stats/precision.ts';
import { primaryMetric } from './primary.ts';
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
  /** Planned steps so far (adaptive rounds add to it as they are planned). */
  total: number;
  cell: Cell;
  repetition: number;
  /** The planned count, or 'auto' (adaptive: the rule decides). */
  repetitions: number | 'auto';
  /** Steps still to run after this one started (this run or resume), and their estimated seconds. */
  etaS: number;
  elapsedS: number;
}

export interface AdaptiveSteps<Cell extends StepCell = StepCell> {
  rule: AdaptiveRule;
  /** A cell's own rule when its experiment sets one (its own maximum); default: `rule`. */
  ruleFor?(cell: Cell): AdaptiveRule;
  /** The order in which one extra round runs its cells (round 0 is the first extra round); default: as given. */
  order?(cellKeys: readonly string[], round: number): string[];
}

/** The rule a cell's repetitions follow: its own when it has one, else the run's. */
function ruleOf<Cell extends StepCell>(adaptive: AdaptiveSteps<Cell>, cell: Cell): AdaptiveRule {
  return adaptive.ruleFor?.(cell) ?? adaptive.rule;
}

export interface RunStepsOptions<Cell extends StepCell> {
  store: ResultStore;
  runId: string;
  cells: readonly Cell[];
  plan: readonly PlannedStep[];
  repetitions: number;
  /** Repetitions until precise (the plan holds the minimum of every cell); absent: the plan is all. */
  adaptive?: AdaptiveSteps<Cell>;
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
  /** Milliseconds on a monotonic clock (default performance.now); tests give a clock that steps exactly. */
  clock?: () => number;
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

/** Per cell: its primary metric over its ok repetitions, whether any repetition was not ok, its repetition indices. */
class CellHistory {
  readonly values = new Map<string, number[]>();
  readonly notOk = new Set<string>();
  readonly indices = new Map<string, number[]>();

  add(record: CellRecord, repetition: number): void {
    const key = record.cellKey;
    this.indices.set(key, [...(this.indices.get(key) ?? []), repetition]);
    if (record.status !== 'ok') this.notOk.add(key);
    else this.values.set(key, [...(this.values.get(key) ?? []), ...primaryMetric(record).values]);
  }

  nextRepetition(key: string): number {
    return Math.max(-1, ...(this.indices.get(key) ?? [])) + 1;
  }
}

export async function runSteps<Cell extends StepCell>(options: RunStepsOptions<Cell>): Promise<RunOutcome> {
  const { store, runId } = options;
  const cells = new Map(options.cells.map((cell) => [cell.cellKey, cell]));
  const stored = store.storedSteps(runId);
  const pending: PlannedStep[] = options.plan.filter(
    (step) => !stored.has(`${step.cellKey}#${step.repetition}`),
  );
  let total = options.plan.length;
  const now = options.clock ?? (() => performance.now());
  const startedMs = now();
  const elapsedS = (): number => (now() - startedMs) / 1000;
  const measuredS = new Map<string, number[]>();
  const skipped = new Map<string, CellRecord>();
  const history = new CellHistory();
  for (const record of store.loadCells(runId, { withParts: false })) {
    if (record.status === 'skipped') skipped.set(record.cellKey, record);
    history.add(record, record.repetitions[0] ?? 0);
  }
  let measured = 0;
  let note: string | null = null;
  let stopped = false;

  /** Measures and stores one step; false when the run must stop before it (Ctrl-C, the budget in the planned phase). */
  const runStep = async (step: PlannedStep, budgeted: boolean): Promise<boolean> => {
    const cell = cells.get(step.cellKey);
    if (!cell) throw new Error(`planned step names an unknown cell ${step.cellKey}`);
    if (options.stopRequested?.()) {
      note = 'stopped by the user';
      return false;
    }
    if (budgeted && options.timeBudgetS !== null && elapsedS() >= options.timeBudgetS) {
      note = `time budget of ${options.timeBudgetS}s used up`;
      return false;
    }
    const event: StepEvent<Cell> = {
      index: total - pending.length + 1,
      total,
      cell,
      repetition: step.repetition,
      repetitions: options.adaptive ? 'auto' : options.repetitions,
      etaS: etaSeconds(pending, cells, measuredS, options.estimateSeconds),
      elapsedS: elapsedS(),
    };
    options.onStart?.(event);
    const cellStartMs = now();
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
      return false;
    }
    // The plan's key and repetition index are what resume and merging match on.
    record.cellKey = cell.cellKey;
    record.repetitions = [step.repetition];
    history.add(record, step.repetition);
    if (record.status === 'ok') {
      // The precision reached so far, this repetition included: the last record of a cell carries the cell's.
      record.precisionPercent = precisionPercent(history.values.get(cell.cellKey) ?? []);
      if (options.adaptive) record.adaptive = ruleOf(options.adaptive, cell);
    }
    store.addCell(runId, record);
    pending.shift();
    if (record.status === 'skipped') skipped.set(cell.cellKey, record);
    measured++;
    const seconds = (now() - cellStartMs) / 1000;
    measuredS.set(cell.cellKey, [...(measuredS.get(cell.cellKey) ?? []), seconds]);
    const more = options.extend?.(cell, record);
    if (more && more.steps.length > 0) {
      store.extendPlan(runId, more.steps, more.cells);
      for (const added of more.cells) cells.set(added.cellKey, added);
      pending.push(...more.steps);
      total += more.steps.length;
    }
    options.onEnd?.({ ...event, elapsedS: elapsedS() }, record);
    return true;
  };

  while (pending.length > 0) {
    if (!(await runStep(pending[0] as PlannedStep, true))) {
      stopped = true;
      break;
    }
  }
  if (!stopped && options.adaptive) {
    const adaptive = options.adaptive;
    const stepSeconds = (cell: Cell): number => {
      const own = measuredS.get(cell.cellKey);
      return own && own.length > 0
        ? own.reduce((sum, s) => sum + s, 0) / own.length
        : options.estimateSeconds(cell);
    };
    for (let round = 0; !stopped; round++) {
      const wanting = [...cells.values()].filter(
        (cell) =>
          !history.notOk.has(cell.cellKey) &&
          adaptiveDecision(history.values.get(cell.cellKey) ?? [], ruleOf(adaptive, cell)).more,
      );
      if (wanting.length === 0) break;
      const shareS =
        options.timeBudgetS === null ? Infinity : (options.timeBudgetS - elapsedS()) / wanting.length;
      const fitting = wanting.filter((cell) => stepSeconds(cell) <= shareS).map((cell) => cell.cellKey);
      if (fitting.length === 0) {
        note = `precision not reached for ${wanting.length} cell${wanting.length === 1 ? '' : 's'} within the time budget of ${options.timeBudgetS ?? 0}s`;
        break;
      }
      const steps = (adaptive.order?.(fitting, round) ?? fitting).map((cellKey) => ({
        cellKey,
        repetition: history.nextRepetition(cellKey),
      }));
      store.extendPlan(runId, steps);
      pending.push(...steps);
      total += steps.length;
      while (pending.length > 0) {
        if (!(await runStep(pending[0] as PlannedStep, false))) {
          stopped = true;
          break;
        }
      }
    }
  }
  const remaining = pending.length;
  const status = remaining === 0 ? 'complete' : 'interrupted';
  store.markRun(runId, status, note);
  return { status, note, measured, remaining };
}
