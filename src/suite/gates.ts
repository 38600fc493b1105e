/**
 * A suite run's gates, checked on what it stored: every cell against its
 * experiment's `thresholds:` and the command line's --threshold (merged over
 * its repetitions, histograms merged, never percentiles averaged), every
 * capacity search against its experiment's and the command line's (rps on
 * the capacity found, the rest on the step measured at it). A cell that
 * does not measure a metric (a batch cell has no p99) is not checked on it.
 */
import { mergeRepetitions } from '../results/merge.ts';
import type { CellRecord, RunData } from '../results/record.ts';
import { batchMetrics, checkCell, serverMetrics } from '../results/thresholds.ts';
import { checkCapacityGates, summarizeCapacity } from '../servers/capacity/summary.ts';
import {
  parseThreshold,
  type Threshold,
  type ThresholdCheck,
  type ThresholdMetric,
} from '../stats/thresholds.ts';
import type { CellPlan } from './types.ts';

export interface GateResult {
  /** The cell key, or the capacity search's key. */
  key: string;
  checks: ThresholdCheck[];
}

/** The metrics some cell of these plans measures: a --threshold on anything else checks nothing. */
export function metricsOfPlans(cells: readonly CellPlan[]): ThresholdMetric[] {
  const kinds = new Set(cells.map((cell) => cell.kind));
  return [
    ...new Set([...(kinds.has('server') ? serverMetrics : []), ...(kinds.has('batch') ? batchMetrics : [])]),
  ];
}

function searchOf(record: CellRecord): string | undefined {
  return record.kind === 'server' ? record.capacity?.search : undefined;
}

export function checkRunGates(
  data: RunData,
  plans: readonly CellPlan[],
  extra: readonly Threshold[],
): GateResult[] {
  const own = new Map<string, Threshold[]>();
  for (const plan of plans) {
    if (plan.thresholds === undefined) continue;
    const key = plan.kind === 'server' && plan.capacity ? plan.capacity.search : plan.cellKey;
    own.set(
      key,
      plan.thresholds.map((text) => parseThreshold(text)),
    );
  }
  const results: GateResult[] = [];
  for (const record of mergeRepetitions(data.cells.filter((cell) => searchOf(cell) === undefined))) {
    const thresholds = [...(own.get(record.cellKey) ?? []), ...extra];
    const checks = checkCell(record, thresholds).filter((check) => check.passed !== null);
    if (checks.length > 0) results.push({ key: record.cellKey, checks });
  }
  for (const summary of summarizeCapacity(data.cells)) {
    const thresholds = [...(own.get(summary.search) ?? []), ...extra];
    if (thresholds.length > 0) {
      results.push({ key: summary.search, checks: checkCapacityGates(summary, data.cells, thresholds) });
    }
  }
  return results;
}
