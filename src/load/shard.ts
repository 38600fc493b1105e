/**
 * Load beyond one machine, the generator's side: which part of the whole
 * load one process runs (`--shard I/N`) and when its measured window begins
 * (`--start-at`). conlab brings no coordinator: shards agree on the split
 * because they all run the same arithmetic on the same options (the one the
 * generator threads use: 10 connections over 3 shards → 4, 3, 3), and on
 * the start because they are given the same wall-clock instant.
 */
import { ErrorCodes, LabError } from '../core/errors.ts';
import { splitEvenly, splitProportional, type ResolvedLoadOptions } from './options.ts';
import type { RunClock, ShardShare, ShardSpec } from './types.ts';

/** More shards than this is a typo, not a fleet. */
export const MAX_SHARDS = 10_000;
/** A start further ahead than this is refused: a shard would hold its machine idle that long, and a wrong time zone or unit is the likelier cause. */
export const START_AT_MAX_AHEAD_MS = 60 * 60 * 1000;
/** Time between the threads saying ready and the earliest start, so every thread has the start message in hand. */
const START_MARGIN_MS = 20;

function badShard(message: string, hint: string): LabError {
  return new LabError(ErrorCodes.BAD_SHARD, message, { hint });
}

/**
 * `I/N` → the shard. `firstIndex` 1 for `--shard` (2/4 is the second of
 * four), 0 for `--shard-index` (Kubernetes' $JOB_COMPLETION_INDEX counts from 0).
 */
export function parseShard(text: string, firstIndex: 0 | 1, flag: string): ShardSpec {
  const allowed = firstIndex === 1 ? 'I/N with 1 ≤ I ≤ N' : 'K/N with 0 ≤ K < N';
  const match = /^\s*(\d{1,9})\s*\/\s*(\d{1,9})\s*$/.exec(text);
  if (!match) {
    const unexpanded = text.includes('$');
    throw badShard(
      `--${flag} '${text}' is not ${firstIndex === 1 ? 'I/N' : 'K/N'} → allowed: ${allowed}`,
      unexpanded
        ? 'the shell or Kubernetes did not expand the variable; in a Job use $(JOB_COMPLETION_INDEX) inside args'
        : `e.g. --${flag} ${firstIndex === 1 ? '2/4' : '1/4'}`,
    );
  }
  const given = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > MAX_SHARDS) {
    throw badShard(
      `--${flag} '${text}' splits the load into ${count} shards → allowed: N from 1 to ${MAX_SHARDS}`,
      `e.g. --${flag} ${firstIndex}/4`,
    );
  }
  if (given < firstIndex || given > count - 1 + firstIndex) {
    throw badShard(
      `--${flag} '${text}': there is no shard ${given} of ${count} → allowed: ${allowed}`,
      firstIndex === 1
        ? `shards are numbered 1..${count}; for 0-based numbering (Kubernetes' JOB_COMPLETION_INDEX) use --shard-index ${Math.max(0, given - 1)}/${count}`
        : `--shard-index counts 0..${count - 1}; for 1-based numbering use --shard`,
    );
  }
  return { index: given - firstIndex + 1, count };
}

/** What this process runs: the whole load, or its shard's share of it. */
export interface LoadShare {
  connections: number;
  requests: number | undefined;
  rateRps: number | undefined;
  /** Open loop: offset of this shard's first send, so shards interleave like threads do. */
  phaseMs: number;
  shard: ShardShare | undefined;
}

/**
 * This process's share. Shard I of N takes the I-th of `splitEvenly(c, N)`
 * connections, the same part of -n (in proportion to connections, largest
 * remainder) and of -R (in proportion to connections); shard I's schedule
 * starts (I−1)/R late, so with equal shares the shards' sends interleave.
 */
export function planShare(options: ResolvedLoadOptions): LoadShare {
  const { shard } = options;
  if (shard === undefined) {
    return {
      connections: options.connections,
      requests: options.requests,
      rateRps: options.rateRps,
      phaseMs: 0,
      shard: undefined,
    };
  }
  if (
    !Number.isInteger(shard.count) ||
    !Number.isInteger(shard.index) ||
    shard.index < 1 ||
    shard.index > shard.count
  ) {
    throw badShard(
      `shard ${shard.index}/${shard.count} does not exist → allowed: I/N with 1 ≤ I ≤ N`,
      'e.g. shard { index: 2, count: 4 }',
    );
  }
  if (shard.count > options.connections) {
    throw badShard(
      `${shard.count} shards for ${options.connections} connections leaves shards idle → allowed: N ≤ connections`,
      'raise -c or use fewer shards',
    );
  }
  const perShard = splitEvenly(options.connections, shard.count);
  const i = shard.index - 1;
  const connections = perShard[i] ?? 0;
  if (options.threads > connections) {
    throw new LabError(
      ErrorCodes.BAD_PARAM,
      `${options.threads} threads for shard ${shard.index}/${shard.count}'s ${connections} connections leaves threads idle → allowed: threads ≤ connections per shard`,
      { hint: 'lower -t or raise -c' },
    );
  }
  const requests =
    options.requests === undefined ? undefined : splitProportional(options.requests, perShard)[i];
  const rateRps =
    options.rateRps === undefined ? undefined : (options.rateRps * connections) / options.connections;
  return {
    connections,
    requests,
    rateRps,
    phaseMs: options.rateRps === undefined ? 0 : (i * 1000) / options.rateRps,
    shard: {
      index: shard.index,
      count: shard.count,
      connections,
      ...(rateRps === undefined ? {} : { rateRps }),
      ...(requests === undefined ? {} : { requests }),
    },
  };
}

/**
 * `--start-at`: `+2s` / `+500ms` / `+1m` (from now, rounded up to the next
 * whole second, so shards launched together agree on the same instant), an
 * RFC 3339 time with its zone (`2026-11-26T15:04:05.000Z`), or epoch ms.
 */
export function parseStartAt(text: string, nowEpochMs: number): number {
  const value = text.trim();
  const relative = /^\+(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value);
  let epochMs: number;
  if (relative) {
    const scale = relative[2] === 'ms' ? 1 : relative[2] === 'm' ? 60_000 : 1000;
    epochMs = Math.ceil((nowEpochMs + Number(relative[1]) * scale) / 1000) * 1000;
  } else if (/^\d+$/.test(value)) {
    if (value.length < 12) {
      throw new LabError(ErrorCodes.BAD_START, `--start-at ${value} is too small for epoch milliseconds`, {
        hint: `epoch seconds? give milliseconds (${value}000), an RFC 3339 time or +10s`,
      });
    }
    epochMs = Number(value);
  } else if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(value)) {
    epochMs = Date.parse(value.replace(' ', 'T'));
  } else {
    epochMs = Number.NaN;
  }
  if (!Number.isFinite(epochMs)) {
    throw new LabError(
      ErrorCodes.BAD_START,
      `--start-at '${text}' is not a time → allowed: +10s (from now), RFC 3339 with a zone, or epoch ms`,
      { hint: `e.g. --start-at +10s or --start-at ${new Date(nowEpochMs + 60_000).toISOString()}` },
    );
  }
  checkStartAt(epochMs, nowEpochMs);
  return epochMs;
}

/** A start days ahead is refused; one in the past is allowed (the run starts at once and says how late). */
export function checkStartAt(epochMs: number, nowEpochMs: number): void {
  if (!Number.isFinite(epochMs)) {
    throw new LabError(ErrorCodes.BAD_START, `start time ${epochMs} is not a number of epoch ms`, {
      hint: 'give startAtEpochMs as epoch milliseconds',
    });
  }
  const aheadMs = epochMs - nowEpochMs;
  if (aheadMs > START_AT_MAX_AHEAD_MS) {
    throw new LabError(
      ErrorCodes.BAD_START,
      `start time ${new Date(epochMs).toISOString()} is ${(aheadMs / 3_600_000).toFixed(1)} h ahead → allowed: at most ${START_AT_MAX_AHEAD_MS / 60_000} min ahead`,
      {
        hint: 'check the date and the time zone (RFC 3339 needs Z or ±hh:mm), or give a relative time like +60s',
      },
    );
  }
}

/** When the threads start, and the clock facts it implies. */
export interface StartPlan {
  /** When the threads begin (warm-up first), epoch ms. */
  threadsStartEpochMs: number;
  clock: Pick<RunClock, 'requestedStartEpochMs' | 'startEpochMs' | 'startLateMs'>;
}

/**
 * The measured window starts at the requested instant, or as soon as the
 * threads can start when that has passed (then `startLateMs` says by how
 * much). The warm-up runs before it, so it needs the warm-up's length of
 * time in hand too.
 */
export function planStart(options: ResolvedLoadOptions, readyEpochMs: number): StartPlan {
  const warmupMs = options.warmupS * 1000;
  const earliest = readyEpochMs + START_MARGIN_MS;
  const requested = options.startAtEpochMs;
  if (requested === undefined) {
    return { threadsStartEpochMs: earliest, clock: { startEpochMs: earliest + warmupMs, startLateMs: 0 } };
  }
  const threadsStartEpochMs = Math.max(requested - warmupMs, earliest);
  const startEpochMs = threadsStartEpochMs + warmupMs;
  return {
    threadsStartEpochMs,
    clock: { requestedStartEpochMs: requested, startEpochMs, startLateMs: startEpochMs - requested },
  };
}
