/**
 * Repetitions → one display record per cell. A suite stores one record per
 * repetition (each a fresh process); this merges the records that share a
 * cellKey: per-repetition values are concatenated and the mean and stdev
 * recomputed from them, latency histograms are merged and the percentiles
 * read from the merged histogram (percentiles are never averaged), counts
 * are summed, peaks take the maximum.
 */
import { Hdr, summarizeLatency } from '../stats/hdr.ts';
import type { BatchCell, CellRecord, CellStatus, ErrorKind, PipelineCell, ServerCell } from './record.ts';
import { isNoisy } from '../monitor/verdicts.ts';
import { mean, stdev } from '../stats/descriptive.ts';
import { fillBatchSpeedups } from './speedup.ts';
import { primaryMetric } from './primary.ts';
import { precisionPercent } from '../stats/precision.ts';

const unique = <T>(values: Iterable<T>): T[] => [...new Set(values)];
const meanOr0 = (values: readonly number[]): number => (values.length === 0 ? 0 : mean(values));
const stdevOr0 = (values: readonly number[]): number => (values.length < 2 ? 0 : stdev(values));

/** Any failed repetition makes the cell failed: a cell that crashed once is not a clean measurement. */
function mergedStatus(records: readonly CellRecord[]): CellStatus {
  const statuses = new Set(records.map((record) => record.status));
  if (statuses.has('failed')) return 'failed';
  if (statuses.has('invalid')) return 'invalid';
  if (statuses.has('ok')) return 'ok';
  return 'skipped';
}

function mergeBase(records: readonly CellRecord[]) {
  const first = records[0] as CellRecord;
  const reasons = unique(records.flatMap((record) => (record.reason ? [record.reason] : [])));
  const failedReps = records.filter((record) => record.status !== 'ok').length;
  const reason =
    reasons.length === 0
      ? undefined
      : failedReps < records.length
        ? `${failedReps} of ${records.length} repetitions not ok: ${reasons.join('; ')}`
        : reasons.join('; ');
  return {
    schemaVersion: first.schemaVersion,
    cellKey: first.cellKey,
    runtime: first.runtime,
    status: mergedStatus(records),
    ...(reason === undefined ? {} : { reason }),
    verdicts: unique(records.flatMap((record) => record.verdicts)),
    pids: unique(records.flatMap((record) => record.pids)),
    startedAt: records.map((record) => record.startedAt).sort()[0] ?? first.startedAt,
    repetitions: unique(records.flatMap((record) => record.repetitions)).sort((x, y) => x - y),
    ...(records.findLast((record) => record.monitor)?.monitor
      ? { monitor: records.findLast((record) => record.monitor)?.monitor }
      : {}),
  };
}

function mergeBatch(records: readonly BatchCell[]): BatchCell {
  const first = records[0] as BatchCell;
  const ok = records.filter((record) => record.status === 'ok');
  const durationsMs = ok.flatMap((record) => record.durationsMs);
  // Older records have no windows of their own: their window was their one pass.
  const windowsMs = ok.flatMap((record) => record.windowsMs ?? record.durationsMs);
  const durationMs = meanOr0(durationsMs);
  const base = mergeBase(records);
  const answers = unique(ok.map((record) => JSON.stringify(record.answer)));
  const lastProgress = ok.findLast((record) => record.progress)?.progress;
  const merged: BatchCell = {
    ...first,
    ...base,
    durationsMs,
    windowsMs,
    durationMs,
    durationStdevMs: stdevOr0(durationsMs),
    itemsPerSec: durationMs > 0 ? (first.items * 1000) / durationMs : 0,
    // Recomputed against the merged baseline by fillBatchSpeedups(); a per-repetition value means little.
    speedup: null,
    efficiency: null,
    cpuPercent: meanOr0(ok.map((record) => record.cpuPercent)),
    peakRssBytes: Math.max(0, ...ok.map((record) => record.peakRssBytes)),
    answer: ok[0]?.answer ?? first.answer,
  };
  // A suite measures one repetition per record, so spread across repetitions is only visible here.
  if (isNoisy(durationsMs) && !merged.verdicts.includes('noisy')) merged.verdicts.push('noisy');
  if (lastProgress) merged.progress = lastProgress;
  else delete merged.progress;
  if (answers.length > 1 && merged.status === 'ok') {
    // Every repetition runs the same items; different answers mean a model is wrong, whatever its speed.
    merged.status = 'invalid';
    merged.reason = `repetitions disagree on the answer: ${answers.join(' vs ')}`;
  }
  return merged;
}

function mergeLatency(
  records: readonly ServerCell[],
): Pick<ServerCell, 'histogram' | 'latencyUs'> | undefined {
  const encoded = records.map((record) => record.histogram).filter((text) => text !== '');
  if (encoded.length === 0) return undefined;
  try {
    const merged = Hdr.mergeEncoded(encoded);
    return { histogram: merged.encode(), latencyUs: summarizeLatency(merged) };
  } catch {
    // An undecodable histogram must not take the other numbers down; the caller keeps the last repetition's latency.
    return undefined;
  }
}

function mergeServer(records: readonly ServerCell[]): ServerCell {
  const first = records[0] as ServerCell;
  const ok = records.filter((record) => record.status === 'ok');
  const rpsPerRep = ok.flatMap((record) => record.rpsPerRep);
  const errors: Partial<Record<ErrorKind, number>> = {};
  for (const record of records) {
    for (const [kind, count] of Object.entries(record.errors) as [ErrorKind, number | undefined][]) {
      errors[kind] = (errors[kind] ?? 0) + (count ?? 0);
    }
  }
  const last = ok.at(-1) ?? first;
  const merged: ServerCell = {
    ...first,
    ...mergeBase(records),
    requests: ok.reduce((sum, record) => sum + record.requests, 0),
    rpsPerRep,
    rps: meanOr0(rpsPerRep),
    rpsStdev: stdevOr0(rpsPerRep),
    latencyUs: last.latencyUs,
    histogram: last.histogram,
    ...(ok.length > 0 ? mergeLatency(ok) : undefined),
    errors,
    serverCpuPercent: meanOr0(ok.map((record) => record.serverCpuPercent)),
    serverPeakRssBytes: Math.max(0, ...ok.map((record) => record.serverPeakRssBytes)),
    clientCpuPercent: meanOr0(ok.map((record) => record.clientCpuPercent)),
    servedByPids: unique(records.flatMap((record) => record.servedByPids)),
  };
  if (isNoisy(rpsPerRep) && !merged.verdicts.includes('noisy')) merged.verdicts.push('noisy');
  if (last.timeline) merged.timeline = last.timeline;
  return merged;
}

function mergePipeline(records: readonly PipelineCell[]): PipelineCell {
  const first = records[0] as PipelineCell;
  const ok = records.filter((record) => record.status === 'ok');
  const aggregateMiBpsPerRep = ok.flatMap((record) => record.aggregateMiBpsPerRep);
  const aggregateMiBps = meanOr0(aggregateMiBpsPerRep);
  const last = ok.at(-1) ?? first;
  const nullableMean = (values: (number | null)[]): number | null => {
    const known = values.filter((value): value is number => value !== null);
    return known.length === 0 ? null : mean(known);
  };
  const peaks = ok.flatMap((record) => (record.peakRssBytes === null ? [] : [record.peakRssBytes]));
  const merged: PipelineCell = {
    ...first,
    ...mergeBase(records),
    aggregateMiBpsPerRep,
    aggregateMiBps,
    aggregateMiBpsStdev: stdevOr0(aggregateMiBpsPerRep),
    perPipelineMiBps: first.concurrency > 0 ? aggregateMiBps / first.concurrency : 0,
    // The last repetition's own figures: they describe one run, not a mean.
    elapsedS: last.elapsedS,
    bytesWritten: last.bytesWritten,
    iterations: last.iterations,
    seqComputeMiBps: last.seqComputeMiBps,
    coreBusyMeanPercent: last.coreBusyMeanPercent,
    cpuPercent: nullableMean(ok.map((record) => record.cpuPercent)),
    peakRssBytes: peaks.length === 0 ? null : Math.max(...peaks),
  };
  if (isNoisy(aggregateMiBpsPerRep) && !merged.verdicts.includes('noisy')) merged.verdicts.push('noisy');
  return merged;
}

function mergeKind(group: readonly CellRecord[]): CellRecord {
  switch (group[0]?.kind) {
    case 'batch':
      return mergeBatch(group as BatchCell[]);
    case 'pipeline':
      return mergePipeline(group as PipelineCell[]);
    default:
      return mergeServer(group as ServerCell[]);
  }
}

function mergeGroup(group: readonly CellRecord[]): CellRecord {
  const merged = mergeKind(group);
  // Over every ok repetition now, not the last stored record's "so far".
  merged.precisionPercent = precisionPercent(primaryMetric(merged).values);
  return merged;
}

/** One merged record per cellKey, in the order each cell first appears, with speedups filled. */
export function mergeRepetitions(records: readonly CellRecord[]): CellRecord[] {
  const groups = new Map<string, CellRecord[]>();
  for (const record of records) {
    const group = groups.get(record.cellKey);
    if (group) group.push(record);
    else groups.set(record.cellKey, [record]);
  }
  const merged = [...groups.values()].map(mergeGroup);
  fillBatchSpeedups(merged.filter((cell): cell is BatchCell => cell.kind === 'batch'));
  return merged;
}
