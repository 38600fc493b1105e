/**
 * Reading shard results back: text (a file, or the concatenated logs of
 * several pods on stdin) → JSON documents → checked shard results. Anything
 * that is not a conlab shard result is refused with LAB_E_NOT_A_RESULT,
 * naming where it came from and what is wrong, before any number is merged.
 */
import { z } from 'zod';
import { ErrorCodes, LabError } from '../core/errors.ts';
import type { LoadResult } from './types.ts';

/** One shard result and where it was read from (for messages). */
export interface ShardInput {
  source: string;
  result: LoadResult;
}

export interface JsonDocuments {
  /** The top-level JSON values, as text, in order. */
  documents: string[];
  /** Non-blank text outside any JSON value (e.g. an error line in a pod's log), one entry per line. */
  stray: string[];
}

/**
 * Splits concatenated JSON values (pretty-printed documents one after the
 * other, or NDJSON). Only objects and arrays are recognised as values; any
 * other text at the top level is returned as stray lines.
 */
export function splitJsonDocuments(text: string): JsonDocuments {
  const documents: string[] = [];
  const stray: string[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  let strayLine = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (depth > 0) {
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === '\\') escaped = true;
        else if (ch === '"') inString = false;
      } else if (ch === '"') inString = true;
      else if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        depth--;
        if (depth === 0) documents.push(text.slice(start, i + 1));
      }
      continue;
    }
    if (ch === '{' || ch === '[') {
      if (strayLine.trim() !== '') stray.push(strayLine.trim());
      strayLine = '';
      depth = 1;
      start = i;
    } else if (ch === '\n') {
      if (strayLine.trim() !== '') stray.push(strayLine.trim());
      strayLine = '';
    } else {
      strayLine += ch;
    }
  }
  if (depth > 0) stray.push(`${text.slice(start, start + 60).split('\n')[0] ?? ''}… (unterminated JSON)`);
  else if (strayLine.trim() !== '') stray.push(strayLine.trim());
  return { documents, stray };
}

const count = z.number().int().nonnegative();
const epochMs = z.number().positive();

/** The fields a merge reads; other fields pass through untouched. */
const shardResultSchema = z.looseObject({
  options: z.looseObject({
    target: z.string(),
    connections: count,
    threads: count,
    pipelining: count,
    timeoutMs: z.number(),
    rateRps: z.number().positive().optional(),
  }),
  mode: z.enum(['closed', 'open']),
  protocol: z.enum(['http', 'tcp']),
  durationS: z.number().nonnegative(),
  requests: count,
  bytesRead: z.number().nonnegative(),
  errors: z.record(z.string(), count),
  errorsTotal: count,
  histogram: z.string(),
  histogramUncorrected: z.string().optional(),
  timeline: z.array(
    z.looseObject({
      second: count,
      requests: count,
      errors: count,
      atEpochMs: epochMs,
      histogram: z.string(),
    }),
  ),
  threads: z.array(z.looseObject({ threadIndex: count, cpuPercent: z.number(), requests: count })),
  clientCpuPercent: z.number(),
  warnings: z.array(z.string()),
  host: z.string(),
  clock: z.looseObject({
    startEpochMs: epochMs,
    endEpochMs: epochMs,
    startLateMs: z.number().nonnegative(),
    beganEpochMs: epochMs.optional(),
  }),
  histogramPrecision: z.looseObject({
    significantDigits: count,
    lowestDiscernibleUs: z.number(),
    encodingVersion: count,
  }),
  shard: z.looseObject({ index: count, count: count, connections: count }),
});

function notAResult(source: string, what: string, hint: string): LabError {
  return new LabError(ErrorCodes.NOT_A_RESULT, `${source} ${what}`, { hint });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One parsed JSON value → a shard result, or LAB_E_NOT_A_RESULT saying why not. */
export function asShardResult(value: unknown, source: string): LoadResult {
  const hint = "give the output of 'conlab load … --shard I/N --json'";
  if (
    !isRecord(value) ||
    !isRecord(value.options) ||
    typeof value.histogram !== 'string' ||
    !('mode' in value)
  ) {
    throw notAResult(source, 'is not a conlab load result (no options, mode and histogram)', hint);
  }
  if (value.merge !== undefined) {
    throw notAResult(
      source,
      'is already a merged result',
      'merge the shard results themselves, not merges of them',
    );
  }
  if (value.shard === undefined) {
    throw notAResult(
      source,
      'is a conlab load result but not a shard (it carries no shard, clock or per-second histograms)',
      'run each generator with --shard I/N (or --shard 1/1 for a lone one) and --json',
    );
  }
  const parsed = shardResultSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`);
    throw notAResult(source, `is not a valid shard result: ${issues.join('; ')}`, hint);
  }
  // Validated: every field merge reads exists with its type; the rest is the producer's LoadResult.
  return value as unknown as LoadResult;
}

/**
 * Text → shard results. `lenient` (stdin: pod logs may hold a failed
 * shard's error line) returns stray text instead of refusing it.
 */
export function parseShardResults(
  text: string,
  source: string,
  lenient: boolean,
): { inputs: ShardInput[]; stray: string[] } {
  const { documents, stray } = splitJsonDocuments(text);
  if (stray.length > 0 && !lenient) {
    throw notAResult(
      source,
      `holds text that is not JSON: '${(stray[0] ?? '').slice(0, 80)}'`,
      text.startsWith('SQLite format 3')
        ? 'that is a results store; to store the merge in it write --store=PATH'
        : "give the output of 'conlab load … --shard I/N --json'",
    );
  }
  if (documents.length === 0) {
    throw notAResult(
      source,
      'holds no JSON document',
      "give the output of 'conlab load … --shard I/N --json'",
    );
  }
  const inputs = documents.map((document, i) => {
    const name = documents.length === 1 ? source : `${source}#${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(document);
    } catch (error) {
      throw notAResult(
        name,
        `is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
        'the file was truncated or edited; rerun that shard',
      );
    }
    return { source: name, result: asShardResult(value, name) };
  });
  return { inputs, stray };
}
