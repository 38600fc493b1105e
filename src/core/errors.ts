/**
 * One error class for everything a user can get wrong. The code is stable
 * (scripts and tests match on it); the message says what happened, what is
 * allowed and how to fix it. The CLI prints `code: message` without a stack.
 */
export const ErrorCodes = {
  USAGE: 'LAB_E_USAGE',
  UNKNOWN_COMMAND: 'LAB_E_UNKNOWN_COMMAND',
  UNKNOWN_WORKLOAD: 'LAB_E_UNKNOWN_WORKLOAD',
  /** A workload module (`--workload ./task.ts`) that is missing, does not load, or does not export a task function. */
  WORKLOAD_MODULE: 'LAB_E_WORKLOAD_MODULE',
  UNKNOWN_MODEL: 'LAB_E_UNKNOWN_MODEL',
  UNKNOWN_ARCH: 'LAB_E_UNKNOWN_ARCH',
  UNKNOWN_RUNTIME: 'LAB_E_UNKNOWN_RUNTIME',
  UNKNOWN_PRESET: 'LAB_E_UNKNOWN_PRESET',
  BAD_PARAM: 'LAB_E_BAD_PARAM',
  BAD_URL: 'LAB_E_BAD_URL',
  REMOTE_TARGET: 'LAB_E_REMOTE_TARGET',
  CONNECT: 'LAB_E_CONNECT',
  UNSUPPORTED: 'LAB_E_UNSUPPORTED',
  SUBJECT_FAILED: 'LAB_E_SUBJECT_FAILED',
  TIMEOUT: 'LAB_E_TIMEOUT',
  VERIFY: 'LAB_E_VERIFY',
  /** A load run in which more than a small share of the requests were never answered. */
  STALLED: 'LAB_E_STALLED',
  SUITE_INVALID: 'LAB_E_SUITE_INVALID',
  STORE: 'LAB_E_STORE',
  STORE_VERSION: 'LAB_E_STORE_VERSION',
  /** The store file is damaged (integrity check failed): conlab reads what it can and writes nothing into it. */
  STORE_DAMAGED: 'LAB_E_STORE_DAMAGED',
  NOT_FOUND: 'LAB_E_NOT_FOUND',
  IO: 'LAB_E_IO',
  INTERNAL: 'LAB_E_INTERNAL',
  /** A run stopped by its AbortSignal (Ctrl-C) before it measured anything. */
  ABORTED: 'LAB_E_ABORTED',
  // Load beyond one machine (shards, merge).
  /** --shard / --shard-index malformed or out of range. */
  BAD_SHARD: 'LAB_E_BAD_SHARD',
  /** --start-at malformed or too far ahead. */
  BAD_START: 'LAB_E_BAD_START',
  /** An input to `conlab merge` is not a conlab load shard result. */
  NOT_A_RESULT: 'LAB_E_NOT_A_RESULT',
  /** Shard results that cannot be merged: different target, mode, options, shard count or histogram precision, or a shard twice. */
  MERGE_MISMATCH: 'LAB_E_MERGE_MISMATCH',
  // HTTP errors the server lab answers with (PROTOCOL.md §2).
  BAD_JSON: 'LAB_E_BAD_JSON',
  BAD_REQUEST: 'LAB_E_BAD_REQUEST',
  METHOD: 'LAB_E_METHOD',
  TOO_LARGE: 'LAB_E_TOO_LARGE',
  MEDIA_TYPE: 'LAB_E_MEDIA_TYPE',
  HEADERS_TOO_LARGE: 'LAB_E_HEADERS_TOO_LARGE',
  WORKER_DIED: 'LAB_E_WORKER_DIED',
  // Gates and capacity search.
  /** A --threshold (or suite `thresholds:`) that does not parse, names an unknown metric or a unit that does not fit it. */
  BAD_THRESHOLD: 'LAB_E_BAD_THRESHOLD',
  /** A capacity target the server misses even at an idle rate: no rate can meet it. */
  TARGET_BELOW_IDLE: 'LAB_E_TARGET_BELOW_IDLE',
  /** A capacity search reached what the load generator can send: raising the rate would measure the generator. */
  GENERATOR_LIMITED: 'LAB_E_GENERATOR_LIMITED',
  // A user's server app (--app, `app:` in a suite).
  /** The app module's file does not exist (or is not a file). */
  APP_NOT_FOUND: 'LAB_E_APP_NOT_FOUND',
  /** The app module threw (or failed to parse) while it was imported. */
  APP_LOAD: 'LAB_E_APP_LOAD',
  /** The app module exports neither a fetch handler nor a Node request listener. */
  APP_NO_HANDLER: 'LAB_E_APP_NO_HANDLER',
  /** The 500 body a server answers when the app's handler threw or returned no Response. */
  APP_ERROR: 'LAB_E_APP_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class LabError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  /** Process exit status when this error ends the CLI: 2 for bad input, 1 otherwise. */
  readonly exitCode: number;

  constructor(
    code: ErrorCode,
    message: string,
    options: { hint?: string; exitCode?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LabError';
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 2;
  }

  /** The one-line (plus hint) form the CLI prints. */
  describe(): string {
    return this.hint
      ? `${this.code}: ${this.message}\n  hint: ${this.hint}`
      : `${this.code}: ${this.message}`;
  }
}

export function isLabError(error: unknown): error is LabError {
  return error instanceof LabError;
}

/** Best-effort text of any thrown value, for failure reasons stored in results. */
export function errorText(error: unknown): string {
  if (error instanceof LabError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** "did you mean" for typos in names and keys. */
export function closestName(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(input.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(input.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Error for a name that is not in a registry, listing what is allowed. */
export function unknownName(
  code: ErrorCode,
  what: string,
  input: string,
  allowed: readonly string[],
): LabError {
  const suggestion = closestName(input, allowed);
  return new LabError(code, `unknown ${what} '${input}' → allowed: ${allowed.join(', ')}`, {
    hint: suggestion ? `did you mean '${suggestion}'?` : `pick one of: ${allowed.join(', ')}`,
  });
}
