/**
 * Stored step records → one summary per capacity search: the capacity with
 * its interval, how the search ended, and every step (the latency against
 * offered load: the "knee"). Read by `conlab capacity`, the report and
 * anything else that reads a run; the records hold everything needed.
 */
import type { CapacityStatus, CellRecord, ServerCell } from '../../results/record.ts';
import { cellGateValues } from '../../results/thresholds.ts';
import { checkThresholds, type Threshold, type ThresholdCheck } from '../../stats/thresholds.ts';

export interface CapacityStepSummary {
  step: number;
  phase: string;
  cellKey: string;
  status: ServerCell['status'];
  /** Offered open-loop rate; null for the closed-loop probe. */
  offeredRps: number | null;
  /** Verified replies per second actually measured. */
  achievedRps: number;
  /** The search's percentile at this step, µs. */
  valueUs: number;
  errorRate: number;
  passed: boolean | null;
  why: string[];
  verdicts: string[];
}

export interface CapacitySummary {
  search: string;
  architecture: string;
  workers: number;
  threads: number;
  endpoint: string;
  runtime: string;
  percentile: string;
  targetUs: number;
  maxErrorRate: number;
  /** How it ended; 'interrupted' when the run stopped before the search did (Ctrl-C, a kill, a run's time budget). */
  status: CapacityStatus | 'interrupted';
  /** The highest offered rate that passed, req/s. */
  capacityRps: number | null;
  /** The interval: the last passing and the first failing rate. */
  lowRps: number | null;
  highRps: number | null;
  idleUs: number | null;
  probeRps: number | null;
  reason: string;
  /** Wall time of the search's steps, s. */
  spentS: number;
  steps: CapacityStepSummary[];
}

type StepRecord = ServerCell & { capacity: NonNullable<ServerCell['capacity']> };

function isStep(record: CellRecord): record is StepRecord {
  return record.kind === 'server' && record.capacity !== undefined;
}

/** Every search in a run's records, in the order their first step was stored. */
export function summarizeCapacity(records: readonly CellRecord[]): CapacitySummary[] {
  const bySearch = new Map<string, StepRecord[]>();
  for (const record of records) {
    if (!isStep(record)) continue;
    const steps = bySearch.get(record.capacity.search) ?? [];
    steps.push(record);
    bySearch.set(record.capacity.search, steps);
  }
  return [...bySearch.values()].map((steps) => {
    steps.sort((a, b) => a.capacity.steps - b.capacity.steps);
    const last = steps[steps.length - 1] as StepRecord;
    const info = last.capacity;
    const result = info.result;
    return {
      search: info.search,
      architecture: last.architecture,
      workers: last.workers,
      threads: last.threads,
      endpoint: last.endpoint,
      runtime: last.runtime,
      percentile: info.percentile,
      targetUs: info.targetUs,
      maxErrorRate: info.maxErrorRate,
      status: result?.status ?? 'interrupted',
      capacityRps: result ? result.capacityRps : info.lastPassRps,
      lowRps: info.lastPassRps,
      highRps: info.firstFailRps,
      idleUs: info.idleUs,
      probeRps: info.probeRps,
      reason:
        result?.reason ??
        `the run stopped after step ${info.steps}, before step ${info.steps + 1} (${info.next?.phase ?? '?'} at ${info.next?.rateRps ?? 'closed loop'} req/s) ran`,
      spentS: info.spentS,
      steps: steps.map((step) => ({
        step: step.capacity.steps,
        phase: step.capacity.phase,
        cellKey: step.cellKey,
        status: step.status,
        offeredRps: step.capacity.offeredRps,
        achievedRps: step.rps,
        valueUs: step.capacity.valueUs,
        errorRate: step.capacity.errorRate,
        passed: step.capacity.passed,
        why: step.capacity.why,
        verdicts: step.verdicts,
      })),
    };
  });
}

/** The record of the step a search's capacity was measured at (its last passing step), for gates on it. */
export function capacityRecord(
  records: readonly CellRecord[],
  summary: CapacitySummary,
): ServerCell | undefined {
  return records
    .filter(isStep)
    .find(
      (record) =>
        record.capacity.search === summary.search &&
        record.capacity.passed === true &&
        record.capacity.offeredRps === summary.capacityRps,
    );
}

/**
 * A search's gates: rps on the capacity found, every other metric on the
 * step measured at it. A gate that cannot be checked (no capacity found)
 * counts as crossed.
 */
export function checkCapacityGates(
  summary: CapacitySummary,
  records: readonly CellRecord[],
  thresholds: readonly Threshold[],
): ThresholdCheck[] {
  const record = capacityRecord(records, summary);
  const values = record ? cellGateValues(record) : {};
  if (summary.capacityRps !== null) values.rps = summary.capacityRps;
  else delete values.rps;
  return checkThresholds(thresholds, values).map((check) =>
    check.passed === null ? { ...check, passed: false, text: `${check.text} (no capacity found)` } : check,
  );
}
