/**
 * Step two of the typed configuration: LoadOptions as the caller wrote them →
 * validated, with every default filled in, and the work divided among the
 * generator threads. Everything a user can get wrong throws a LabError here,
 * before any thread or socket exists.
 */
import { ErrorCodes, LabError } from '../core/errors.ts';
import type { LoadOptions, ShardSpec } from './types.ts';

export const LOAD_DEFAULTS = {
  connections: 10,
  durationS: 10,
  pipelining: 1,
  threads: 1,
  timeoutMs: 10_000,
  warmupS: 0,
  method: 'GET',
  tcpPayload: 'ping',
  expectStatus: 2,
} as const;

export const LOAD_LIMITS = {
  connections: [1, 20_000],
  threads: [1, 256],
  rateRps: [0.1, 10_000_000],
  durationS: [0.01, 86_400],
  requests: [1, 1e12],
  pipelining: [1, 1024],
  timeoutMs: [1, 600_000],
  warmupS: [0, 3600],
} as const;

/** Every option with its effective value; what the result reports and what threads receive. */
export interface ResolvedLoadOptions {
  target: string;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array | undefined;
  connections: number;
  rateRps: number | undefined;
  durationS: number | undefined;
  requests: number | undefined;
  pipelining: number;
  threads: number;
  connectionPerRequest: boolean;
  tcpPayload: string;
  tcpExpect: string;
  expectStatus: number;
  expectBody: string | undefined;
  expectBodyRegex: string | undefined;
  timeoutMs: number;
  warmupS: number;
  allowRemote: boolean;
  /** Checked and divided by src/load/shard.ts. */
  shard: ShardSpec | undefined;
  startAtEpochMs: number | undefined;
}

function bad(message: string, hint: string): LabError {
  return new LabError(ErrorCodes.BAD_PARAM, message, { hint });
}

function checkRange(name: keyof typeof LOAD_LIMITS, value: number | undefined, integer: boolean): void {
  if (value === undefined) return;
  const [min, max] = LOAD_LIMITS[name];
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw bad(
      `${name} ${value} is out of range → allowed: ${integer ? 'a whole number' : 'a number'} in ${min}..${max}`,
      `give ${name} a value from ${min} to ${max}`,
    );
  }
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function resolveLoadOptions(options: LoadOptions, protocol: 'http' | 'tcp'): ResolvedLoadOptions {
  checkRange('connections', options.connections, true);
  checkRange('threads', options.threads, true);
  checkRange('rateRps', options.rateRps, false);
  checkRange('durationS', options.durationS, false);
  checkRange('requests', options.requests, true);
  checkRange('pipelining', options.pipelining, true);
  checkRange('timeoutMs', options.timeoutMs, true);
  checkRange('warmupS', options.warmupS, false);

  const connections = options.connections;
  const threads = options.threads ?? LOAD_DEFAULTS.threads;
  if (threads > connections) {
    throw bad(
      `${threads} threads for ${connections} connections leaves threads idle → allowed: threads ≤ connections`,
      'lower -t or raise -c',
    );
  }
  const pipelining = options.pipelining ?? LOAD_DEFAULTS.pipelining;
  if (protocol === 'tcp' && pipelining !== 1) {
    throw bad(
      'pipelining is HTTP only: the TCP protocol answers every chunk received, so pipelined pings would merge',
      'drop --pipelining for tcp:// targets',
    );
  }
  if (options.connectionPerRequest && pipelining !== 1) {
    throw bad('a new connection per request cannot pipeline', 'drop --pipelining or --new-connection');
  }

  const method = (options.method ?? LOAD_DEFAULTS.method).toUpperCase();
  if (!TOKEN.test(method)) throw bad(`method '${method}' is not an HTTP token`, 'e.g. --method POST');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (!TOKEN.test(name) || /[\r\n\0]/.test(value)) {
      throw bad(
        `header '${name}' is malformed (no spaces in names, no line breaks in values)`,
        "e.g. -H 'x-a: 1'",
      );
    }
    const lower = name.toLowerCase();
    if (lower === 'content-length' || lower === 'transfer-encoding' || lower === 'host') {
      throw bad(
        `header '${name}' is set by conlab itself`,
        'remove it; conlab derives it from the URL and body',
      );
    }
    headers[name] = value;
  }

  const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;

  const expectStatus = options.expectStatus ?? LOAD_DEFAULTS.expectStatus;
  if (
    !Number.isInteger(expectStatus) ||
    !((expectStatus >= 1 && expectStatus <= 5) || (expectStatus >= 100 && expectStatus <= 599))
  ) {
    throw bad(
      `expected status ${expectStatus} is neither a class (1..5) nor a status (100..599)`,
      'e.g. --expect-status 2 (any 2xx) or --expect-status 404',
    );
  }
  if (options.expectBodyRegex !== undefined) {
    try {
      new RegExp(options.expectBodyRegex);
    } catch (error) {
      throw bad(
        `body regex '${options.expectBodyRegex}' does not compile: ${(error as Error).message}`,
        'fix the regular expression',
      );
    }
  }

  const tcpPayload = options.tcpPayload ?? LOAD_DEFAULTS.tcpPayload;
  if (protocol === 'tcp' && tcpPayload.length === 0) throw bad('the TCP payload is empty', "e.g. 'ping'");
  const durationS =
    options.durationS ?? (options.requests === undefined ? LOAD_DEFAULTS.durationS : undefined);

  return {
    target: options.target,
    method,
    headers,
    body,
    connections,
    rateRps: options.rateRps,
    durationS,
    requests: options.requests,
    pipelining,
    threads,
    connectionPerRequest: options.connectionPerRequest ?? false,
    tcpPayload,
    tcpExpect: options.tcpExpect ?? tcpPayload,
    expectStatus,
    expectBody: options.expectBody,
    expectBodyRegex: options.expectBodyRegex,
    timeoutMs: options.timeoutMs ?? LOAD_DEFAULTS.timeoutMs,
    warmupS: options.warmupS ?? LOAD_DEFAULTS.warmupS,
    allowRemote: options.allowRemote ?? false,
    shard: options.shard,
    startAtEpochMs: options.startAtEpochMs,
  };
}

/** Splits `total` whole units into `parts` shares that differ by at most one and sum to `total` (10/3 → 4,3,3). */
export function splitEvenly(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const extra = total - base * parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

/** Splits `total` whole units in proportion to `weights` (largest remainder), summing exactly to `total`. */
export function splitProportional(total: number, weights: number[]): number[] {
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / weightSum);
  const shares = exact.map(Math.floor);
  let left = total - shares.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => ({ i, frac: x - Math.floor(x) }))
    .sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    shares[i] = (shares[i] ?? 0) + 1;
    left--;
  }
  return shares;
}
