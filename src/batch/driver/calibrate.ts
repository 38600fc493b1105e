/**
 * The calibration pass of one group of batch cells (same runtime,
 * workload, params and items): one subject process under the group's
 * runtime builds each cell's model in turn, times a few passes over the
 * items, and stops it; sizeGroup (../sizing.ts) turns those times into the
 * rounds every cell of the group runs. Nothing here is a measurement: the
 * pass only sizes the windows that are.
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { launchSubject } from '../../core/subject/launcher.ts';
import type { BatchSizing } from '../../results/record.ts';
import type { RuntimeSpec } from '../../runtimes/registry.ts';
import { isFromSubject, type FromSubject, type ToSubject } from '../protocol.ts';
import { batchIdentityOf, type ResolvedBatchSpec } from '../spec.ts';
import { WINDOW_MARGIN, sizeGroup } from '../sizing.ts';

const subjectScriptPath = fileURLToPath(new URL('../subject/main.ts', import.meta.url));

/** Each model's calibration is a short pass: a fifth of the minimum, within [20 ms, 1 s]. */
export function calibrationTargetMs(minWindowMs: number): number {
  return Math.min(1000, Math.max(20, minWindowMs / 5));
}

/** Time for the calibration subject to start one model (pools, workers): the batch start timeout. */
const START_ALLOWANCE_MS = 120_000;
/** A pass that ends just at the share still counts: the reply takes a moment to arrive. */
const PASS_SLACK_MS = 200;
/** Stopping a subject and its pool, and its last reply: measured 50–150 ms on 2 cores. */
const STOP_AND_REPLY_MS = 100;
/** Start-up of a repetition when the calibration subject never got a model started (it then sizes nothing anyway). */
const DEFAULT_STARTUP_MS = 1000;
const STOP_GRACE_MS = 5000;

export interface CalibrateOptions {
  minWindowMs: number;
  /** The group's share of the run's time budget for its minimum repetitions, start-up included, ms; null without a budget. */
  groupBudgetMs?: number | null;
  /** Repetitions every cell will get at least. */
  repetitions: number;
}

/**
 * The most parallel models first (workers × threads, then fewer items per
 * task): they are the likely fastest, and once a fast pass fills the
 * minimum window the slow ones need not be waited out. Stable otherwise.
 */
export function calibrationOrder(specs: readonly ResolvedBatchSpec[]): ResolvedBatchSpec[] {
  const width = (spec: ResolvedBatchSpec): number => spec.concurrency * spec.threadsPerProcess;
  return specs.toSorted((a, b) => width(b) - width(a) || a.itemsPerTask - b.itemsPerTask);
}

/** "processes c=2", "hybrid c=2x2 ipt=5": a cell as the record's sizing names it. */
export function sizingLabel(spec: ResolvedBatchSpec): string {
  const shape =
    spec.threadsPerProcess > 1 ? `${spec.concurrency}x${spec.threadsPerProcess}` : `${spec.concurrency}`;
  return `${spec.model} c=${shape}${spec.itemsPerTask > 1 ? ` ipt=${spec.itemsPerTask}` : ''}`;
}

/**
 * One model's calibration as the sizing sees it: ms per pass; for a pass
 * cut off at the time share, that share (a lower bound, which already
 * allows only one round); null when the model could not run.
 */
interface Timed {
  roundMs: number | null;
}

/**
 * Runs the calibration subject, model by model (in the order given: the
 * most parallel first, see calibrationOrder): each may take its start-up
 * allowance to start and the time share for its passes. A pass that
 * outlasts the share ends the calibration there: the group cannot afford
 * more than one round anyway, so the rest need not be timed. So does a pass
 * slower than a fastest pass that already fills the minimum window (with
 * its margin): the group runs one round whatever the rest take, and seed
 * 003's sequential io.sleep batch need not be waited out (22 s) to learn it.
 * A subject that cannot run at all leaves every cell uncalibrated (one
 * round); its cells then fail or skip with their own reasons.
 */
async function calibrationPasses(
  specs: readonly ResolvedBatchSpec[],
  runtime: RuntimeSpec,
  options: { targetMs: number; maxWindowMs: number; oneRoundMs: number },
): Promise<{ timed: Timed[]; startupMs: number }> {
  const { targetMs, maxWindowMs } = options;
  const timed: Timed[] = specs.map(() => ({ roundMs: null }));
  let startupMs = DEFAULT_STARTUP_MS;
  const launchedMs = performance.now();
  const subject = launchSubject<FromSubject, ToSubject>({
    command: runtime.binPath,
    args: runtime.scriptArgs(subjectScriptPath),
    label: 'calibration subject',
    accepts: isFromSubject,
  });
  try {
    subject.send({
      t: 'calibrate',
      specs: specs.map((spec) => ({
        ...batchIdentityOf(spec),
        inFlightPerWorker: spec.inFlightPerWorker,
        rounds: 1,
      })),
      targetMs,
    });
    for (let index = 0; index < specs.length; index++) {
      let reply = await subject.next(START_ALLOWANCE_MS, `model ${index + 1} of the calibration to start`);
      // A measured repetition starts a subject and its pool the same way, and stops them after.
      if (index === 0 && reply.t === 'progress')
        startupMs = performance.now() - launchedMs + STOP_AND_REPLY_MS;
      if (reply.t === 'progress') {
        // At least one pass, and passes up to the target: whichever is longer, within the share.
        const fastestMs = Math.min(
          Infinity,
          ...timed.flatMap((t) => (t.roundMs === null ? [] : [t.roundMs])),
        );
        const oneRound = Number.isFinite(fastestMs) && fastestMs >= options.oneRoundMs;
        const passMs =
          Math.min(Math.max(maxWindowMs, targetMs), oneRound ? fastestMs : Infinity) + PASS_SLACK_MS;
        try {
          reply = await subject.next(passMs, 'a calibration pass');
        } catch (error) {
          // Still running: the pass outlasted the share (or the fastest, when one round is settled).
          // Gone: the model took the subject down (not timed).
          if (!subject.hasExited() && !oneRound) timed[index] = { roundMs: maxWindowMs };
          throw error;
        }
      }
      if (reply.t !== 'calibrated') break;
      timed[index] = { roundMs: reply.result.roundMs };
    }
  } catch {
    // Not calibrated: what was timed so far still sizes the group.
  } finally {
    await subject.stop({ message: { t: 'stop' }, graceMs: STOP_GRACE_MS });
  }
  return { timed, startupMs };
}

/**
 * The size of a group's windows: rounds for the fastest cell to fill the
 * minimum window, capped by the slowest cell's time share (half its
 * timeout: a repetition must never time out because of calibration) and
 * by the group's share of the time budget (with each repetition's start-up
 * as the calibration subject measured its own).
 */
export async function calibrateGroup(
  specs: readonly ResolvedBatchSpec[],
  runtime: RuntimeSpec,
  options: CalibrateOptions,
): Promise<BatchSizing> {
  const maxWindowMs = Math.min(...specs.map((spec) => spec.timeoutMs)) / 2;
  const ordered = calibrationOrder(specs);
  const { timed, startupMs } = await calibrationPasses(ordered, runtime, {
    targetMs: calibrationTargetMs(options.minWindowMs),
    maxWindowMs,
    oneRoundMs: options.minWindowMs * WINDOW_MARGIN,
  });
  return sizeGroup({
    minWindowMs: options.minWindowMs,
    cells: ordered.map((spec, i) => ({ label: sizingLabel(spec), roundMs: timed[i]?.roundMs ?? null })),
    maxWindowMs,
    groupBudgetMs: options.groupBudgetMs ?? null,
    startupMs,
    repetitions: options.repetitions,
  });
}
