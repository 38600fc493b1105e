/**
 * What a cell record or a load result measured, as the values thresholds
 * are checked against (src/stats/thresholds.ts), and which metrics each
 * source has. The error rate is errors ÷ (verified replies + errors): a
 * request still unanswered when the window closed is neither.
 */
import type { LoadResult } from '../load/types.ts';
import type { LatencySummaryUs } from '../stats/hdr.ts';
import {
  checkThresholds,
  latencyMetricNames,
  type GateValues,
  type Threshold,
  type ThresholdCheck,
  type ThresholdMetric,
} from '../stats/thresholds.ts';
import type { CellRecord } from './record.ts';

/**
 * When `conlab load` counts as failed without a gate of the user's: more
 * than 1% of the requests failed. The same 1% share beyond which a run's
 * unanswered requests mark it stalled: past it, the p99 every report leads
 * with may be made of failures, and a load that "succeeded" once in a
 * million requests must not exit 0.
 */
export const DEFAULT_LOAD_ERROR_GATE = 'errors<=1%';

/** Metrics a load measures (the generator's side only: no server CPU or memory). */
export const loadMetrics: readonly ThresholdMetric[] = [...latencyMetricNames, 'errors', 'rps'];
/** Metrics of a server cell: the load's, plus the server tree's CPU and memory. */
export const serverMetrics: readonly ThresholdMetric[] = [...loadMetrics, 'cpu', 'rss'];
/** Metrics of a batch cell (the time of its items, the subject's CPU and memory). */
export const batchMetrics: readonly ThresholdMetric[] = ['time', 'cpu', 'rss'];
/** Metrics any cell of a suite run may have: a threshold on one is checked on the cells that have it. */
export const cellMetrics: readonly ThresholdMetric[] = [...new Set([...serverMetrics, ...batchMetrics])];

function latencyValues(latencyUs: LatencySummaryUs): GateValues {
  const values: GateValues = {};
  for (const name of latencyMetricNames) values[name] = latencyUs[name];
  return values;
}

function errorValues(replies: number, errors: number): GateValues {
  const attempts = replies + errors;
  return { errors, ...(attempts > 0 ? { errorRate: errors / attempts } : {}) };
}

const sum = (counts: Partial<Record<string, number>>): number =>
  Object.values(counts).reduce<number>((total, n) => total + (n ?? 0), 0);

export function loadGateValues(result: LoadResult): GateValues {
  return {
    ...latencyValues(result.latencyUs),
    ...errorValues(result.requests, result.errorsTotal),
    rps: result.rps,
  };
}

/** A record's values; a merged record (src/results/merge.ts) gives the values over its repetitions. */
export function cellGateValues(record: CellRecord): GateValues {
  switch (record.kind) {
    case 'server': {
      const values: GateValues = {
        ...errorValues(record.requests, sum(record.errors)),
        rps: record.rps,
      };
      // A cell that measured nothing has a zeroed summary, which would pass every latency gate.
      if (record.requests > 0) Object.assign(values, latencyValues(record.latencyUs));
      // A load at a server conlab did not start measured no server: its CPU and memory are placeholders.
      if (record.external === undefined) {
        values.cpuPercent = record.serverCpuPercent;
        values.rssBytes = record.serverPeakRssBytes;
      }
      return values;
    }
    case 'batch':
      return { timeMs: record.durationMs, cpuPercent: record.cpuPercent, rssBytes: record.peakRssBytes };
    case 'pipeline': {
      const values: GateValues = {};
      if (record.cpuPercent !== null) values.cpuPercent = record.cpuPercent;
      if (record.peakRssBytes !== null) values.rssBytes = record.peakRssBytes;
      return values;
    }
  }
}

/** The checks of one ok record; a failed or skipped cell is judged by its status, not by gates. */
export function checkCell(record: CellRecord, thresholds: readonly Threshold[]): ThresholdCheck[] {
  if (record.status !== 'ok') return [];
  return checkThresholds(thresholds, cellGateValues(record));
}
