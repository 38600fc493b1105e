/**
 * Estimated duration of a cell repetition, for `suite show`, the time
 * budget check and the ETA before the first cell ends. A batch cell's work
 * cannot be known before it runs, so the estimate uses the same cell's
 * mean time in earlier runs of the store when there is one, else a guess.
 * During a run the ETA switches to the measured time per cell.
 */
import type { CellRecord } from '../results/record.ts';
import type { CellPlan } from './types.ts';

/** Start-up of a fresh subject process, its pools, readiness and teardown: measured ~0.5–1 s on 2 cores. */
const SUBJECT_OVERHEAD_S = 1;
/** A batch cell with no history: the quick suite's cells take 0.5–2 s. */
const UNKNOWN_BATCH_WORK_S = 2;

export interface CellEstimate {
  seconds: number;
  /** True when nothing backs it: a batch cell never measured in this store. */
  guessed: boolean;
}

export function estimateRepSeconds(cell: CellPlan, history?: ReadonlyMap<string, CellRecord>): CellEstimate {
  if (cell.kind === 'server') {
    // Server cells run for a fixed time; only start-up and warmup vary.
    const stepS = SUBJECT_OVERHEAD_S + cell.warmupS + cell.durationS;
    // A capacity step stands for the rest of its search (its next step is planned only when it ends): at most this.
    if (cell.capacity) {
      return {
        seconds: stepS * Math.max(1, cell.capacity.settings.maxSteps - cell.capacity.steps),
        guessed: true,
      };
    }
    return { seconds: stepS, guessed: false };
  }
  const previous = history?.get(cell.cellKey);
  if (previous?.kind === 'batch' && previous.status === 'ok' && previous.durationMs > 0) {
    return { seconds: SUBJECT_OVERHEAD_S + previous.durationMs / 1000, guessed: false };
  }
  return { seconds: SUBJECT_OVERHEAD_S + UNKNOWN_BATCH_WORK_S, guessed: true };
}
