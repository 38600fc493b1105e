/**
 * `conlab merge`'s logic: shard results → one LoadResult of the same shape
 * as a single run's. Histograms are merged count by count (never averaged
 * percentiles), per-second points are aligned on wall-clock seconds, errors
 * summed, and what qualifies the merge is stated: shards present and
 * missing, hosts, the spread of their starts, client-saturated shards.
 * Results that do not belong together are refused, never summed.
 */
import { ErrorCodes, LabError, errorText } from '../core/errors.ts';
import type { Verdict } from '../monitor/verdicts.ts';
import { HDR_PRECISION, Hdr, summarizeLatency } from '../stats/hdr.ts';
import type { ShardInput } from './result-input.ts';
import type {
  CensoredInfo,
  ErrorKind,
  LoadResult,
  MergeInfo,
  MergedShard,
  RunClock,
  ThreadUsage,
  TimelinePoint,
} from './types.ts';

/**
 * A start spread above this share of the window is worth a warning: the
 * merged window is the union of the shards', so its rate is diluted and its
 * percentiles mix periods that ran at different load.
 */
export const START_SPREAD_WARN_SHARE = 0.01;
/** ... but never below this many ms (timer lateness alone is ~1 ms). */
export const START_SPREAD_WARN_MIN_MS = 100;

function mismatch(message: string, hint: string): LabError {
  return new LabError(ErrorCodes.MERGE_MISMATCH, message, { hint });
}

/** Option fields that differ between shards by design. */
const perShardOptions = new Set(['shard', 'startAtEpochMs', 'allowRemote']);

/** The whole load's options, as one comparable text per field. */
function loadFingerprint(result: LoadResult): Map<string, string> {
  const fields = new Map<string, string>();
  for (const [key, value] of Object.entries(result.options)) {
    if (!perShardOptions.has(key)) fields.set(`options.${key}`, JSON.stringify(value));
  }
  fields.set('mode', result.mode);
  fields.set('protocol', result.protocol);
  return fields;
}

function describeShard(input: ShardInput): string {
  return `${input.source} (shard ${input.result.shard?.index}/${input.result.shard?.count} on ${input.result.host ?? '?'})`;
}

/** Refuses shards that are not parts of one load: target, mode, options, shard count, precision, or a shard twice. */
function checkBelongTogether(inputs: ShardInput[]): void {
  const first = inputs[0] as ShardInput;
  const reference = loadFingerprint(first.result);
  const count = first.result.shard?.count;
  const seen = new Map<number, ShardInput>();
  for (const input of inputs) {
    const { result } = input;
    const precision = result.histogramPrecision;
    if (
      precision === undefined ||
      precision.significantDigits !== HDR_PRECISION.significantDigits ||
      precision.lowestDiscernibleUs !== HDR_PRECISION.lowestDiscernibleUs ||
      precision.encodingVersion !== HDR_PRECISION.encodingVersion
    ) {
      throw mismatch(
        `${input.source} holds histograms of another precision (${JSON.stringify(precision)}) → allowed: ${JSON.stringify(HDR_PRECISION)}`,
        'merge only results of the same conlab version; rerun the odd shard with it',
      );
    }
    if (result.options.target !== first.result.options.target) {
      throw mismatch(
        `${describeShard(input)} loaded ${result.options.target}, ${describeShard(first)} loaded ${first.result.options.target} → allowed: shards of one target`,
        'merge the shards of one run only',
      );
    }
    if (result.mode !== first.result.mode) {
      throw mismatch(
        `${describeShard(input)} ran the ${result.mode} loop, ${describeShard(first)} the ${first.result.mode} loop → allowed: shards of one mode`,
        'merge the shards of one run only',
      );
    }
    if (result.shard?.count !== count) {
      throw mismatch(
        `${describeShard(input)} is one of ${result.shard?.count} shards, ${describeShard(first)} one of ${count} → allowed: one shard count`,
        'merge the shards of one run only',
      );
    }
    for (const [field, value] of loadFingerprint(result)) {
      if (reference.get(field) !== value) {
        throw mismatch(
          `${describeShard(input)} and ${describeShard(first)} ran different loads: ${field} ${value} vs ${reference.get(field) ?? 'absent'}`,
          'every shard must run the same conlab load command, differing only in --shard',
        );
      }
    }
    const index = result.shard?.index ?? 0;
    const twin = seen.get(index);
    if (twin !== undefined) {
      throw mismatch(
        `shard ${index}/${count} is given twice: ${describeShard(twin)} and ${describeShard(input)} → allowed: each shard once`,
        'drop the duplicate (summing it twice would double its requests)',
      );
    }
    seen.set(index, input);
  }
}

function sumBy<T>(items: readonly T[], value: (item: T) => number): number {
  return items.reduce((sum, item) => sum + value(item), 0);
}

/**
 * The shards' unanswered requests together: counts summed, shares over all
 * measured requests, the oldest age the largest. Each shard judged `stalled`
 * against its own completed p99 (the raw ages are not in a result); the
 * `stalled` warning itself comes through with the shards' warnings.
 */
function mergeCensored(results: readonly LoadResult[]): CensoredInfo | undefined {
  const parts = results.flatMap((result) => result.censored ?? []);
  if (parts.length === 0) return undefined;
  const requests = sumBy(parts, (part) => part.requests);
  const stalled = sumBy(parts, (part) => part.stalled);
  const total = sumBy(results, (result) => result.requests + result.errorsTotal) + requests;
  return {
    requests,
    share: total === 0 ? 0 : requests / total,
    stalled,
    stalledShare: total === 0 ? 0 : stalled / total,
    oldestAgeUs: Math.max(...parts.map((part) => part.oldestAgeUs)),
  };
}

/** Where each result was read from, for errors about its histograms. */
type Sources = ReadonlyMap<LoadResult, string>;

/** Adds a shard's encoded histogram into `target`; one that does not decode is LAB_E_NOT_A_RESULT naming its source. */
function addHistogram(target: Hdr, text: string | undefined, result: LoadResult, sources: Sources): void {
  if (text === undefined) return;
  try {
    target.addEncoded(text);
  } catch (error) {
    throw new LabError(
      ErrorCodes.NOT_A_RESULT,
      `${sources.get(result) ?? 'a shard'} holds a histogram that does not decode: ${errorText(error)}`,
      { hint: 'the file was truncated or edited; rerun that shard' },
    );
  }
}

function mergeHistograms(
  results: LoadResult[],
  pick: (result: LoadResult) => string | undefined,
  sources: Sources,
): Hdr {
  const merged = new Hdr();
  for (const result of results) addHistogram(merged, pick(result), result, sources);
  return merged;
}

/** When a shard's measuring began, by its own clock. */
function beganOf(result: LoadResult): number {
  const clock = result.clock as RunClock;
  return clock.beganEpochMs ?? clock.startEpochMs;
}

/**
 * Per-second points on one wall-clock axis: second 0 starts at the earliest
 * shard's start; a shard's second goes to the merged second whose start is
 * nearest to its own (a shard that started 300 ms late adds its first
 * second to second 0, one 600 ms late to second 1).
 */
function mergeTimelines(results: LoadResult[], startEpochMs: number, sources: Sources): TimelinePoint[] {
  const seconds = new Map<number, { hist: Hdr; requests: number; errors: number }>();
  for (const result of results) {
    for (const point of result.timeline) {
      const second = Math.max(0, Math.round(((point.atEpochMs ?? startEpochMs) - startEpochMs) / 1000));
      let entry = seconds.get(second);
      if (entry === undefined) {
        entry = { hist: new Hdr(), requests: 0, errors: 0 };
        seconds.set(second, entry);
      }
      addHistogram(entry.hist, point.histogram, result, sources);
      entry.requests += point.requests;
      entry.errors += point.errors;
    }
  }
  return [...seconds.entries()]
    .sort(([a], [b]) => a - b)
    .map(([second, entry]) => ({
      second,
      requests: entry.requests,
      errors: entry.errors,
      p50Us: entry.hist.percentile(50),
      p99Us: entry.hist.percentile(99),
      atEpochMs: startEpochMs + second * 1000,
      histogram: entry.hist.encode(),
    }));
}

function mergedShard(result: LoadResult): MergedShard {
  const clock = result.clock as RunClock;
  const share = result.shard as NonNullable<LoadResult['shard']>;
  return {
    ...share,
    host: result.host ?? 'unknown',
    requests: result.requests,
    errorsTotal: result.errorsTotal,
    rps: result.rps,
    clientCpuPercent: result.clientCpuPercent,
    warnings: result.warnings,
    startEpochMs: clock.startEpochMs,
    beganEpochMs: beganOf(result),
    startLateMs: clock.startLateMs,
    durationS: result.durationS,
  };
}

function missingList(missing: number[], count: number): string {
  return missing.map((index) => `${index}/${count}`).join(', ');
}

/** Merges checked shard results (see result-input.ts) into one result. */
export function mergeShards(inputs: ShardInput[]): LoadResult {
  if (inputs.length === 0) {
    throw new LabError(ErrorCodes.USAGE, 'nothing to merge', {
      hint: 'give shard result files, or - for stdin',
    });
  }
  checkBelongTogether(inputs);
  const sources: Sources = new Map(inputs.map((input) => [input.result, input.source]));
  const results = inputs
    .map((input) => input.result)
    .sort((a, b) => (a.shard?.index ?? 0) - (b.shard?.index ?? 0));
  const first = results[0] as LoadResult;
  const shardCount = first.shard?.count ?? 1;
  const present = new Set(results.map((result) => result.shard?.index));
  const missingShards = Array.from({ length: shardCount }, (_, i) => i + 1).filter((i) => !present.has(i));

  const clocks = results.map((result) => result.clock as RunClock);
  const startEpochMs = Math.min(...clocks.map((clock) => clock.startEpochMs));
  const endEpochMs = Math.max(...clocks.map((clock) => clock.endEpochMs));
  const durationS = Math.max(0, endEpochMs - startEpochMs) / 1000;
  const began = results.map(beganOf);
  const startSpreadMs = Math.max(...began) - Math.min(...began);
  const requested = clocks.flatMap((clock) => clock.requestedStartEpochMs ?? []);

  const errors: Partial<Record<ErrorKind, number>> = {};
  for (const result of results) {
    for (const [kind, n] of Object.entries(result.errors) as [ErrorKind, number][]) {
      errors[kind] = (errors[kind] ?? 0) + n;
    }
  }
  const requests = sumBy(results, (result) => result.requests);
  const errorsTotal = sumBy(results, (result) => result.errorsTotal);
  const hist = mergeHistograms(results, (result) => result.histogram, sources);
  const censored = mergeCensored(results);

  let threadIndex = 0;
  const threads: ThreadUsage[] = results.flatMap((result) =>
    result.threads.map((thread) => ({ ...thread, threadIndex: threadIndex++, shard: result.shard?.index })),
  );

  const warnings: Verdict[] = [...new Set(results.flatMap((result) => result.warnings))];
  const details = results.flatMap((result) =>
    (result.warningDetails ?? result.warnings).map(
      (detail) => `shard ${result.shard?.index}/${shardCount} (${result.host ?? '?'}): ${detail}`,
    ),
  );
  if (missingShards.length > 0) {
    details.unshift(
      `shards-missing: ${missingList(missingShards, shardCount)} gave no result; their share of the load is in no number here (${present.size} of ${shardCount} merged)`,
    );
  }
  if (startSpreadMs > Math.max(START_SPREAD_WARN_MIN_MS, START_SPREAD_WARN_SHARE * durationS * 1000)) {
    details.push(
      `start-spread: shards began ${startSpreadMs.toFixed(0)} ms apart; the merged window is their union, so req/s is diluted and percentiles mix periods at different load`,
    );
  }

  const hosts = [...new Set(results.map((result) => result.host ?? 'unknown'))];
  const merge: MergeInfo = {
    shardCount,
    shards: results.map(mergedShard),
    missingShards,
    startSpreadMs,
    hosts,
    clockSkew: hosts.length === 1 ? 'none' : 'unmeasured',
    clientSaturatedShards: results
      .filter((result) => result.warnings.includes('client-saturated'))
      .map((result) => result.shard?.index ?? 0),
  };

  const { shard: _shard, ...options } = first.options;
  const merged: LoadResult = {
    options: {
      ...options,
      ...(requested.length > 0 ? { startAtEpochMs: Math.min(...requested) } : {}),
    },
    mode: first.mode,
    protocol: first.protocol,
    durationS,
    requests,
    rps: durationS > 0 ? requests / durationS : 0,
    bytesRead: sumBy(results, (result) => result.bytesRead),
    errors,
    errorsTotal,
    latencyUs: summarizeLatency(hist),
    histogram: hist.encode(),
    timeline: mergeTimelines(results, startEpochMs, sources),
    threads,
    clientCpuPercent: sumBy(results, (result) => result.clientCpuPercent),
    warnings,
    warningDetails: details,
    processCpuPercent: sumBy(results, (result) => result.processCpuPercent ?? 0),
    unfinished: sumBy(results, (result) => result.unfinished ?? 0),
    ...(censored === undefined ? {} : { censored }),
    errorSamples: [...new Set(results.flatMap((result) => result.errorSamples ?? []))].slice(0, 10),
    interrupted: results.some((result) => result.interrupted === true),
    clock: {
      ...(requested.length > 0 ? { requestedStartEpochMs: Math.min(...requested) } : {}),
      startEpochMs,
      endEpochMs,
      startLateMs: Math.max(...clocks.map((clock) => clock.startLateMs)),
      beganEpochMs: Math.max(...began),
    },
    histogramPrecision: { ...HDR_PRECISION },
    merge,
  };
  if (first.mode === 'open') {
    const uncorrected = mergeHistograms(results, (result) => result.histogramUncorrected, sources);
    merged.histogramUncorrected = uncorrected.encode();
    merged.latencyUncorrectedUs = summarizeLatency(uncorrected);
    const lag = mergeHistograms(results, (result) => result.schedule?.sendLagHistogram, sources);
    merged.schedule = {
      targetRps: first.options.rateRps ?? 0,
      scheduled: sumBy(results, (result) => result.schedule?.scheduled ?? 0),
      achievedRps: durationS > 0 ? (requests + errorsTotal) / durationS : 0,
      backlogged: sumBy(results, (result) => result.schedule?.backlogged ?? 0),
      sendLagUs: summarizeLatency(lag),
      sendLagHistogram: lag.encode(),
    };
  }
  return merged;
}
