/**
 * The calibration pass of one group of batch cells (same runtime,
 * workload, params and items): one subject process under the group's
 * runtime builds each cell's model in turn, times a few passes over the
 * items, and stops it; sizeGroup (../sizing.ts) turns those times into the
 * rounds every cell of the group runs. Nothing here is a measurement: the
 * pass only sizes the windows that are.
 */
import { fileURLToPath } from 'node:url';
import { errorText } from '../../core/errors.ts';
import { launchSubject } from '../../core/subject/launcher.ts';
import type { BatchSizing } from '../../results/record.ts';
import type { RuntimeSpec } from '../../runtimes/registry.ts';
import { isFromSubject, type CalibrationResult, type FromSubject, type ToSubject } from '../protocol.ts';
import { batchIdentityOf, type ResolvedBatchSpec } from '../spec.ts';
import { sizeGroup } from '../sizing.ts';

const subjectScriptPath = fileURLToPath(new URL('../subject/main.ts', import.meta.url));

/** Each model's calibration is a short pass: a fifth of the minimum, within [20 ms, 1 s]. */
export function calibrationTargetMs(minWindowMs: number): number {
  return Math.min(1000, Math.max(20, minWindowMs / 5));
}

/** Time for the calibration subject to start one model (pools, workers): the batch start timeout. */
const START_ALLOWANCE_MS = 120_000;
const STOP_GRACE_MS = 5000;

export interface CalibrateOptions {
  minWindowMs: number;
  /** The group's share of the run's time budget for its measured windows, ms; null without a budget. */
  groupWindowBudgetMs?: number | null;
  /** Repetitions every cell will get at least. */
  repetitions: number;
}

/** "processes c=2", "hybrid c=2x2 ipt=5": a cell as the record's sizing names it. */
export function sizingLabel(spec: ResolvedBatchSpec): string {
  const shape =
    spec.threadsPerProcess > 1 ? `${spec.concurrency}x${spec.threadsPerProcess}` : `${spec.concurrency}`;
  return `${spec.model} c=${shape}${spec.itemsPerTask > 1 ? ` ipt=${spec.itemsPerTask}` : ''}`;
}

/** Runs the calibration subject; a subject that cannot run at all leaves every cell uncalibrated (one round). */
async function calibrationPasses(
  specs: readonly ResolvedBatchSpec[],
  runtime: RuntimeSpec,
  targetMs: number,
): Promise<CalibrationResult[]> {
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
    // Each model may take its start-up allowance and one pass of at most its own timeout.
    const deadlineMs = specs.reduce((sum, spec) => sum + START_ALLOWANCE_MS + spec.timeoutMs, 0);
    const reply = await subject.next(deadlineMs, 'the calibration pass');
    if (reply.t === 'calibrated') return reply.results;
    const reason = reply.t === 'error' ? reply.reason : `subject said '${reply.t}'`;
    return specs.map(() => ({ roundMs: null, reason }));
  } catch (error) {
    return specs.map(() => ({ roundMs: null, reason: errorText(error) }));
  } finally {
    await subject.stop({ message: { t: 'stop' }, graceMs: STOP_GRACE_MS });
  }
}

/**
 * The size of a group's windows: rounds for the fastest cell to fill the
 * minimum window, capped by the slowest cell's time share (half its
 * timeout: a repetition must never time out because of calibration) and
 * by the group's share of the time budget.
 */
export async function calibrateGroup(
  specs: readonly ResolvedBatchSpec[],
  runtime: RuntimeSpec,
  options: CalibrateOptions,
): Promise<BatchSizing> {
  const results = await calibrationPasses(specs, runtime, calibrationTargetMs(options.minWindowMs));
  return sizeGroup({
    minWindowMs: options.minWindowMs,
    cells: specs.map((spec, i) => ({ label: sizingLabel(spec), roundMs: results[i]?.roundMs ?? null })),
    maxWindowMs: Math.min(...specs.map((spec) => spec.timeoutMs)) / 2,
    groupWindowBudgetMs: options.groupWindowBudgetMs ?? null,
    repetitions: options.repetitions,
  });
}
