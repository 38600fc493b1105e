/**
 * A command's cells as a stored run, the way `conlab run` stores a suite:
 * the run is created with its plan and environment, every cell goes through
 * the one step loop (src/results/steps.ts) that writes its record the moment
 * it ends, and the run is marked complete at the end. The seed presets,
 * `conlab pipeline` and `conlab batch --preset` store through here, so
 * `conlab results`, `compare` and `report` work on them like on suite runs.
 */
import { atExit } from '../core/subject/exit-hook.ts';
import { captureEnvironment } from '../monitor/environment.ts';
import type { CellRecord, RunCommand } from './record.ts';
import { runSteps, type RunOutcome, type RunStepsOptions, type StepCell } from './steps.ts';
import type { ResultStore } from './store.ts';

export interface RecordRunOptions<Cell extends StepCell> extends Pick<
  RunStepsOptions<Cell>,
  'execute' | 'failedRecord' | 'estimateSeconds' | 'onStart' | 'onEnd' | 'extend' | 'stopRequested'
> {
  store: ResultStore;
  /** The run's name: which preset or command it was (`preset seed004`, `pipeline`). */
  name: string;
  command: Exclude<RunCommand, 'run'>;
  /** The command's settings as resolved (every default filled in), stored as the run's suite. */
  settings: unknown;
  /** `name@version` of every runtime the cells run on, for the run's environment. */
  runtimeLabels: string[];
  cells: readonly Cell[];
  /** Repetitions of every cell, run back to back in the cells' order; default 1. */
  repetitions?: number;
  /** Stops the run (interrupted) once this many seconds have passed; default none. */
  timeBudgetS?: number | null;
}

export interface RecordedRun {
  runId: string;
  outcome: RunOutcome;
  /** The records as stored (one per distinct cell and repetition), in the order they were measured. */
  records: CellRecord[];
}

export async function recordRun<Cell extends StepCell>(
  options: RecordRunOptions<Cell>,
): Promise<RecordedRun> {
  const { store } = options;
  const repetitions = options.repetitions ?? 1;
  // A cell asked for twice (`--clients 4,4`) is one cell: the store keeps one record per key and repetition.
  const cells = [...new Map(options.cells.map((cell) => [cell.cellKey, cell])).values()];
  const plan = cells.flatMap((cell) =>
    Array.from({ length: repetitions }, (_, repetition) => ({ cellKey: cell.cellKey, repetition })),
  );
  const runId = store.createRun({
    suiteName: options.name,
    command: options.command,
    env: captureEnvironment(options.runtimeLabels),
    suite: options.settings,
    cells,
    plan,
  });
  // Whatever ends the process early (Ctrl-C, a thrown error) leaves the run marked interrupted rather
  // than running: a cleanup of the driver's one exit hook (node:sqlite is synchronous, as cleanups must be).
  const markInterrupted = (): void => {
    try {
      store.markRun(runId, 'interrupted', 'the command ended before its last cell');
    } catch {
      // The store went away first: the run stays 'running' with a dead owner, which lists as unfinished.
    }
  };
  const cancelMark = atExit(markInterrupted);
  const records: CellRecord[] = [];
  try {
    const outcome = await runSteps({
      ...options,
      store,
      runId,
      cells,
      plan,
      repetitions,
      timeBudgetS: options.timeBudgetS ?? null,
      onEnd: (event, record) => {
        records.push(record);
        options.onEnd?.(event, record);
      },
    });
    return { runId, outcome, records };
  } catch (error) {
    markInterrupted();
    throw error;
  } finally {
    cancelMark();
  }
}
