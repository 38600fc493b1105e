/**
 * How big a batch cell's measured window is: `rounds` passes over the same
 * items, chosen once per group (runtime × workload × params × items) from
 * the group's calibration pass (driver/calibrate.ts). Pure: the numbers in,
 * the size out (test/batch/sizing.test.ts has exact fixtures).
 *
 * Why passes over the same items rather than more items: the cell stays the
 * experiment that was asked for (N items at concurrency C, with the same
 * tail where the last items leave workers idle), its answer stays the one
 * `expected(params, items)` and the sequential cell give, and every pass must
 * give that same answer, so a longer window is still verified. More items
 * would change the experiment (fewer idle tails, other io.sleep delays) and
 * its cellKey.
 *
 * Why one size per group, set by the group's fastest model: speedup is the
 * ratio of two times of the same work, so every model of the group must run
 * as many passes as its sequential baseline; and every model's window must
 * reach the minimum, so the fastest model decides. The baseline's window is
 * then the minimum × the best speedup (a 2× model on 1 s → sequential 2 s).
 */
import { ErrorCodes, LabError } from '../core/errors.ts';
import type { BatchSizing } from '../results/record.ts';
import { adaptiveRuleProblem, type AdaptiveRule } from '../stats/precision.ts';

/**
 * Bounds of the minimum window, in seconds. Below 10 ms a window is a few
 * scheduler ticks; above 10 minutes a suite of a dozen cells runs for days
 * (and the per-repetition timeout is 1 hour at most).
 */
export const MIN_WINDOW_LIMITS_S = { min: 0.01, max: 600 } as const;

/**
 * The default minimum window of a batch repetition, 1 s: the shortest at
 * which a cell's spread across repetitions stopped shrinking on this
 * machine kind (docs/PERFORMANCE.md, "Minimum window"), 10 samples of the
 * monitor's 100 ms interval, and ≥ 250 scheduler ticks, so one preemption or
 * GC pause moves the result by well under 1%.
 */
export const DEFAULT_MIN_WINDOW_S = 1;

/**
 * Rounds are chosen so the fastest model's window is this much above the
 * minimum: its measured windows run in a fresh process whose first pass
 * carries first-use costs the calibration left out (so they tend to be
 * longer), but a shared 2-core machine moves a parallel model by ±10%
 * between processes; 20% keeps its windows above the minimum.
 */
export const WINDOW_MARGIN = 1.2;

export const MAX_ROUNDS = 1_000_000;

/** One cell of the group as its calibration pass saw it. */
export interface CalibratedCell {
  /** "processes c=2": what the record names as the cell that set the rounds. */
  label: string;
  /** Time of one pass over the items; null when the model could not run (its own cell will say why). */
  roundMs: number | null;
}

export interface SizingInput {
  minWindowMs: number;
  cells: readonly CalibratedCell[];
  /** The longest window one repetition may have (the cell's time share: its timeout, with headroom). */
  maxWindowMs: number;
  /**
   * The group's share of the run's time budget, ms, for its minimum
   * repetitions, start-up included; null without a budget. Σ over the
   * group's cells of repetitions × (startupMs + rounds × pass) stays within it.
   */
  groupBudgetMs: number | null;
  /** What one repetition costs besides its window (subject and pool start, stop), ms; measured by the calibration pass. */
  startupMs: number;
  /** Repetitions every cell will get at least (the budget must hold them). */
  repetitions: number;
}

/** The group's size: enough rounds for the fastest cell to fill the minimum window, within the time shares. */
export function sizeGroup(input: SizingInput): BatchSizing {
  const timed = input.cells.filter(
    (cell): cell is { label: string; roundMs: number } => cell.roundMs !== null && cell.roundMs > 0,
  );
  const fastest = timed.toSorted((a, b) => a.roundMs - b.roundMs)[0];
  if (!fastest) {
    return { rounds: 1, minWindowMs: input.minWindowMs, fastestRoundMs: null, fastest: null, capped: false };
  }
  const slowestMs = Math.max(...timed.map((cell) => cell.roundMs));
  const totalMs = timed.reduce((sum, cell) => sum + cell.roundMs, 0);
  const needed = Math.ceil((input.minWindowMs * WINDOW_MARGIN) / fastest.roundMs);
  const caps = [MAX_ROUNDS, Math.floor(input.maxWindowMs / slowestMs)];
  if (input.groupBudgetMs !== null) {
    const repetitions = Math.max(1, input.repetitions);
    const windowsMs = input.groupBudgetMs - input.cells.length * repetitions * input.startupMs;
    caps.push(Math.floor(windowsMs / (repetitions * totalMs)));
  }
  const rounds = Math.max(1, Math.min(needed, ...caps));
  return {
    rounds,
    minWindowMs: input.minWindowMs,
    fastestRoundMs: fastest.roundMs,
    fastest: fastest.label,
    // Capped only when the cap cost the minimum itself, not just the margin.
    capped: rounds * fastest.roundMs < input.minWindowMs,
  };
}

/** A minimum window in seconds, checked; `what` names the key or flag in the error. */
export function checkMinWindowS(seconds: number, what: string): number {
  if (!Number.isFinite(seconds) || seconds < MIN_WINDOW_LIMITS_S.min || seconds > MIN_WINDOW_LIMITS_S.max) {
    throw new LabError(
      ErrorCodes.BAD_PARAM,
      `${what} ${String(seconds)} s is not a duration in ${MIN_WINDOW_LIMITS_S.min} s..${MIN_WINDOW_LIMITS_S.max} s`,
      {
        hint: `the shortest a measured window may be; the default is ${DEFAULT_MIN_WINDOW_S} s (e.g. 500ms, 2s)`,
      },
    );
  }
  return seconds;
}

export function checkAdaptiveRule(rule: AdaptiveRule): AdaptiveRule {
  const problem = adaptiveRuleProblem(rule);
  if (problem !== null) {
    throw new LabError(ErrorCodes.BAD_PARAM, `repetitions auto: ${problem.key} ${problem.text}`, {
      hint: 'e.g. --reps auto --precision 5% --max-reps 10',
    });
  }
  return rule;
}

/** A stored or handed-in size, checked like any input (a programmatic caller may build one). */
export function checkSizing(sizing: BatchSizing): BatchSizing {
  if (!Number.isSafeInteger(sizing.rounds) || sizing.rounds < 1 || sizing.rounds > MAX_ROUNDS) {
    throw new LabError(
      ErrorCodes.BAD_PARAM,
      `rounds ${sizing.rounds} is not a whole number in 1..${MAX_ROUNDS}`,
      {
        hint: 'rounds come from the calibration pass; pass a sizing from calibrateGroup()',
      },
    );
  }
  checkMinWindowS(sizing.minWindowMs / 1000, 'minimum window');
  return sizing;
}
