/**
 * The merge of shard results (src/load/merge.ts, src/load/result-input.ts)
 * on synthetic shards whose every latency is known: merged percentiles must
 * equal those of one histogram of all values, seconds align on wall-clock
 * time, and results that do not belong together are refused, never summed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeShards } from '../../src/load/merge.ts';
import {
  asShardResult,
  parseShardResults,
  splitJsonDocuments,
  type ShardInput,
} from '../../src/load/result-input.ts';
import { renderLoadText } from '../../src/load/render.ts';
import type { LoadResult } from '../../src/load/types.ts';
import { Hdr, summarizeLatency } from '../../src/stats/hdr.ts';
import { syntheticShard } from './shard-fixtures.ts';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);

function inputs(...results: LoadResult[]): ShardInput[] {
  return results.map((result, i) => ({ source: `s${i + 1}.json`, result }));
}

/** Round-trips through JSON, as a shard's result does between processes. */
function viaJson(result: LoadResult): LoadResult {
  return asShardResult(JSON.parse(JSON.stringify(result)), 'test');
}

test('merged percentiles are those of one histogram of every recorded value, never an average', () => {
  // Shard 1: fast (100-199 µs), many; shard 2: slow (20-29 ms), few. Averaging p50s would give ~10 ms.
  const fast = Array.from({ length: 900 }, (_, i) => 100 + (i % 100));
  const slow = Array.from({ length: 100 }, (_, i) => 20_000 + i * 100);
  const a = syntheticShard({
    index: 1,
    count: 2,
    valuesPerSecond: [fast.slice(0, 450), fast.slice(450)],
    startEpochMs: T0,
  });
  const b = syntheticShard({
    index: 2,
    count: 2,
    valuesPerSecond: [slow.slice(0, 50), slow.slice(50)],
    startEpochMs: T0,
  });
  const merged = mergeShards(inputs(viaJson(a), viaJson(b)));

  const all = new Hdr();
  for (const value of [...fast, ...slow]) all.record(value);
  assert.deepEqual(merged.latencyUs, summarizeLatency(all));
  assert.equal(merged.requests, 1000);
  assert.ok(merged.latencyUs.p50 < 200, `p50 ${merged.latencyUs.p50} µs comes from the fast majority`);
  assert.ok(merged.latencyUs.p99 >= 20_000, `p99 ${merged.latencyUs.p99} µs comes from the slow tail`);
  const averagedP50 = (a.latencyUs.p50 + b.latencyUs.p50) / 2;
  assert.notEqual(merged.latencyUs.p50, averagedP50, 'an average of percentiles would differ');
  assert.equal(Hdr.decode(merged.histogram).totalCount, 1000);
  // Per second too: second 0 holds 450 fast + 50 slow values.
  const second0 = new Hdr();
  for (const value of [...fast.slice(0, 450), ...slow.slice(0, 50)]) second0.record(value);
  assert.equal(merged.timeline[0]?.p99Us, second0.percentile(99));
  assert.equal(merged.timeline[0]?.requests, 500);
  assert.deepEqual(merged.merge?.missingShards, []);
  assert.equal(merged.merge?.shardCount, 2);
  assert.equal(merged.merge?.clockSkew, 'none');
  assert.equal(merged.durationS, 2);
  assert.equal(merged.rps, 500);
});

test('seconds align on wall-clock time; errors, CPU and threads add up; the start spread is stated', () => {
  const values = [[1000], [1000], [1000]];
  const a = syntheticShard({
    index: 1,
    count: 3,
    valuesPerSecond: values,
    startEpochMs: T0,
    errors: { timeout: 2 },
  });
  // 300 ms late: its seconds still land on the same merged seconds; 700 ms late: one second later.
  const b = syntheticShard({
    index: 2,
    count: 3,
    valuesPerSecond: values,
    startEpochMs: T0 + 300,
    host: 'host-b',
    errors: { timeout: 1, reset: 4 },
  });
  const c = syntheticShard({
    index: 3,
    count: 3,
    valuesPerSecond: values,
    startEpochMs: T0 + 700,
    host: 'host-c',
  });
  const merged = mergeShards(inputs(a, b, c));
  assert.deepEqual(
    merged.timeline.map((point) => [point.second, point.requests]),
    [
      [0, 2],
      [1, 3],
      [2, 3],
      [3, 1],
    ],
  );
  assert.deepEqual(merged.errors, { timeout: 3, reset: 4 });
  assert.equal(merged.errorsTotal, 7);
  assert.equal(merged.merge?.startSpreadMs, 700);
  assert.deepEqual(merged.merge?.hosts, ['host-a', 'host-b', 'host-c']);
  assert.equal(merged.merge?.clockSkew, 'unmeasured');
  assert.equal(merged.threads.length, 3);
  assert.deepEqual(
    merged.threads.map((t) => [t.threadIndex, t.shard]),
    [
      [0, 1],
      [1, 2],
      [2, 3],
    ],
  );
  assert.equal(merged.clientCpuPercent, 90);
  assert.equal(merged.durationS, 3.7, 'the merged window is the union of the shards');
  assert.ok(merged.warningDetails?.some((line) => line.startsWith('start-spread:')));
});

test('a missing shard is named in the result, its text and never silently summed', () => {
  const values = [[500, 600]];
  const merged = mergeShards(
    inputs(
      syntheticShard({ index: 1, count: 4, valuesPerSecond: values, startEpochMs: T0 }),
      syntheticShard({
        index: 3,
        count: 4,
        valuesPerSecond: values,
        startEpochMs: T0,
        warnings: ['client-saturated'],
      }),
    ),
  );
  assert.deepEqual(merged.merge?.missingShards, [2, 4]);
  assert.deepEqual(merged.merge?.clientSaturatedShards, [3]);
  assert.equal(merged.requests, 4);
  const text = renderLoadText(merged);
  assert.match(text, /WARNING shards-missing: 2\/4, 4\/4 gave no result/);
  assert.match(text, /Merged 2 of 4 shards/);
  assert.match(text, /WARNING shard 3\/4 \(host-a\): client-saturated/);
});

test("the shards' unanswered requests add up; the oldest is the oldest of any shard", () => {
  const values = [[500, 600]];
  const stalledShard = syntheticShard({ index: 1, count: 3, valuesPerSecond: values, startEpochMs: T0 });
  stalledShard.censored = { requests: 3, share: 0.6, stalled: 2, stalledShare: 0.4, oldestAgeUs: 900_000 };
  const lateShard = syntheticShard({ index: 2, count: 3, valuesPerSecond: values, startEpochMs: T0 });
  lateShard.censored = { requests: 1, share: 1 / 3, stalled: 0, stalledShare: 0, oldestAgeUs: 1_200_000 };
  const quietShard = syntheticShard({ index: 3, count: 3, valuesPerSecond: values, startEpochMs: T0 });
  const merged = mergeShards(inputs(viaJson(stalledShard), viaJson(lateShard), viaJson(quietShard)));
  // 6 answered (2 per shard) + 4 unanswered = 10 measured requests.
  assert.deepEqual(merged.censored, {
    requests: 4,
    share: 0.4,
    stalled: 2,
    stalledShare: 0.2,
    oldestAgeUs: 1_200_000,
  });
  assert.equal(
    mergeShards(
      inputs(quietShard, syntheticShard({ index: 1, count: 3, valuesPerSecond: values, startEpochMs: T0 })),
    ).censored,
    undefined,
    'shards without unanswered requests add no censored figures',
  );
});

test('open loop: schedules and send lag merge; uncorrected latency is kept apart', () => {
  const [a, b] = [
    [900, 1100],
    [5000, 7000],
  ].map((values, i) =>
    syntheticShard({ index: i + 1, count: 2, valuesPerSecond: [values], startEpochMs: T0, rateRps: 4 }),
  ) as [LoadResult, LoadResult];
  const merged = mergeShards(inputs(a, b));
  assert.equal(merged.mode, 'open');
  assert.equal(merged.schedule?.targetRps, 4);
  assert.equal(merged.schedule?.scheduled, 4);
  assert.equal(merged.schedule?.backlogged, 2);
  assert.equal(Hdr.decode(merged.schedule?.sendLagHistogram ?? '').totalCount, 2);
  assert.equal(Hdr.decode(merged.histogramUncorrected ?? '').totalCount, 4);
});

/** `CODE: message (hint: …)` of what `fn` throws, or `done`. */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    const { code, hint } = error as { code?: string; hint?: string };
    return `${code}: ${(error as Error).message} (hint: ${hint})`;
  }
  return 'done';
}

function mergeError(results: LoadResult[]): string {
  return errorOf(() => mergeShards(inputs(...results)));
}

test('shards of different targets, modes, loads or shard counts, or a shard twice: LAB_E_MERGE_MISMATCH', () => {
  const v = [[100]];
  const one = syntheticShard({ index: 1, count: 2, valuesPerSecond: v, startEpochMs: T0 });
  const two = (extra: Partial<Parameters<typeof syntheticShard>[0]> = {}): LoadResult =>
    syntheticShard({ index: 2, count: 2, valuesPerSecond: v, startEpochMs: T0, ...extra });
  assert.equal(mergeError([one, two()]), 'done');
  assert.match(
    mergeError([one, two({ target: 'http://127.0.0.1:9999/' })]),
    /^LAB_E_MERGE_MISMATCH: .*loaded http:\/\/127.0.0.1:9999\//,
  );
  assert.match(mergeError([one, two({ rateRps: 100 })]), /^LAB_E_MERGE_MISMATCH: .*the open loop/);
  assert.match(mergeError([one, two({ count: 3 })]), /^LAB_E_MERGE_MISMATCH: .*one of 3 shards/);
  assert.match(
    mergeError([one, two({ connections: 16 })]),
    /^LAB_E_MERGE_MISMATCH: .*options.connections 16 vs 8/,
  );
  assert.match(mergeError([one, two(), viaJson(one)]), /^LAB_E_MERGE_MISMATCH: shard 1\/2 is given twice/);
});

test('histograms of another precision: LAB_E_MERGE_MISMATCH; a corrupt one: LAB_E_NOT_A_RESULT', () => {
  const v = [[100]];
  const one = syntheticShard({ index: 1, count: 2, valuesPerSecond: v, startEpochMs: T0 });
  const two = syntheticShard({ index: 2, count: 2, valuesPerSecond: v, startEpochMs: T0 });
  const coarse = {
    ...two,
    histogramPrecision: { significantDigits: 2, lowestDiscernibleUs: 1, encodingVersion: 1 },
  };
  assert.match(mergeError([one, coarse]), /^LAB_E_MERGE_MISMATCH: .*another precision/);
  const corrupt = { ...two, histogram: 'AZcB1MIB' };
  assert.match(
    mergeError([one, corrupt]),
    /^LAB_E_NOT_A_RESULT: s2.json holds a histogram that does not decode/,
  );
});

function parseError(text: string): string {
  return errorOf(() => parseShardResults(text, 'in.json', false));
}

test('inputs that are not shard results: LAB_E_NOT_A_RESULT naming the source and the reason', () => {
  const shard = syntheticShard({ index: 1, count: 1, valuesPerSecond: [[100]], startEpochMs: T0 });
  assert.equal(parseError(JSON.stringify(shard)), 'done');
  assert.match(
    parseError('{"name":"not a result"}'),
    /^LAB_E_NOT_A_RESULT: in.json is not a conlab load result/,
  );
  assert.match(parseError('hello world'), /^LAB_E_NOT_A_RESULT: in.json holds text that is not JSON/);
  assert.match(parseError(''), /^LAB_E_NOT_A_RESULT: in.json holds no JSON document/);
  assert.match(
    parseError('{"options": {'),
    /^LAB_E_NOT_A_RESULT: in.json holds text that is not JSON: .*unterminated/,
  );
  assert.match(parseError('{"options": {}, "histogram": "", "mode": "closed", }'), /is not valid JSON/);
  const { shard: _s, ...plain } = shard;
  assert.match(parseError(JSON.stringify(plain)), /is a conlab load result but not a shard/);
  const merged = mergeShards(inputs(shard));
  assert.match(parseError(JSON.stringify(merged)), /is already a merged result/);
  const broken = { ...shard, requests: -1 };
  assert.match(parseError(JSON.stringify(broken)), /is not a valid shard result: requests/);
  assert.match(
    parseError('SQLite format 3\u0000...'),
    /that is a results store; to store the merge in it write --store=PATH/,
  );
});

test('concatenated pretty JSON and NDJSON split into documents; stray lines are kept apart on stdin', () => {
  const a = syntheticShard({ index: 1, count: 2, valuesPerSecond: [[100]], startEpochMs: T0 });
  const b = syntheticShard({ index: 2, count: 2, valuesPerSecond: [[100]], startEpochMs: T0 });
  const logs = `${JSON.stringify(a, null, 2)}\nconlab: LAB_E_CONNECT: refused {oops}\n${JSON.stringify(b)}\n`;
  const split = splitJsonDocuments(logs);
  assert.equal(split.documents.length, 3, 'the brace inside the stray line opens a (bad) document');
  const clean = `${JSON.stringify(a, null, 2)}\nconlab: warning: late\n${JSON.stringify(b)}\n`;
  const parsed = parseShardResults(clean, 'stdin', true);
  assert.equal(parsed.inputs.length, 2);
  assert.deepEqual(parsed.stray, ['conlab: warning: late']);
  assert.deepEqual(
    parsed.inputs.map((input) => input.source),
    ['stdin#1', 'stdin#2'],
  );
  assert.match(parseError(clean), /holds text that is not JSON: 'conlab: warning: late'/);
  // Strings with braces and escaped quotes do not confuse the splitter.
  const tricky = `{"a":"}{\\"","b":[1,{"c":"]"}]}{"d":1}`;
  assert.deepEqual(splitJsonDocuments(tricky).documents, ['{"a":"}{\\"","b":[1,{"c":"]"}]}', '{"d":1}']);
});

test('a shard’s text names its share and a late start', () => {
  const shard = syntheticShard({ index: 1, count: 2, valuesPerSecond: [[100]], startEpochMs: T0 });
  const late = {
    ...shard,
    clock: { ...(shard.clock as NonNullable<LoadResult['clock']>), startLateMs: 1500 },
  };
  const text = renderLoadText(late);
  assert.match(text, /1 thread and 4 connections\n {2}Shard 1\/2: 4 of 8 connections on host-a\n/);
  assert.match(text, /Started 1500 ms after the requested --start-at/);
});
