/**
 * Step two of the typed configuration: LoadOptions as the caller wrote them →
 * validated, with every default filled in, and the work divided among the
 * generator threads. Everything a user can get wrong throws a LabError here,
 * before any thread or socket exists.
 */
import { ErrorCodes, LabError } from '../core/errors.ts';
import type { LoadOptions, LoadRequest, ShardSpec } from './types.ts';

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
  /** Requests in a mix, and each one's weight. */
  mixRequests: [1, 256],
  mixWeight: [1, 1000],
} as const;

/** One request of a mix with every default filled in. */
export interface ResolvedLoadRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Uint8Array | undefined;
  weight: number;
  expectStatus: number;
  expectBody: string | undefined;
  expectBodyRegex: string | undefined;
}

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
  /** Two or more requests sent in a weighted round-robin; undefined: every request is the one above. */
  mix: ResolvedLoadRequest[] | undefined;
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

  const mix = resolveMix(options, protocol);
  // One request of a mix is simply the request: the single-request path (one pre-built buffer) serves it.
  const only = mix?.length === 1 ? mix[0] : undefined;
  const request = only ?? resolveRequest({ ...options, path: '' });

  const tcpPayload = options.tcpPayload ?? LOAD_DEFAULTS.tcpPayload;
  if (protocol === 'tcp' && tcpPayload.length === 0) throw bad('the TCP payload is empty', "e.g. 'ping'");
  const durationS =
    options.durationS ?? (options.requests === undefined ? LOAD_DEFAULTS.durationS : undefined);

  return {
    target: only === undefined ? options.target : `${new URL(options.target).origin}${only.path}`,
    method: request.method,
    headers: request.headers,
    body: request.body,
    connections,
    rateRps: options.rateRps,
    durationS,
    requests: options.requests,
    pipelining,
    threads,
    connectionPerRequest: options.connectionPerRequest ?? false,
    tcpPayload,
    tcpExpect: options.tcpExpect ?? tcpPayload,
    expectStatus: request.expectStatus,
    expectBody: request.expectBody,
    expectBodyRegex: request.expectBodyRegex,
    mix: only === undefined ? mix : undefined,
    timeoutMs: options.timeoutMs ?? LOAD_DEFAULTS.timeoutMs,
    warmupS: options.warmupS ?? LOAD_DEFAULTS.warmupS,
    allowRemote: options.allowRemote ?? false,
    shard: options.shard,
    startAtEpochMs: options.startAtEpochMs,
  };
}

/** One request's method, headers, body and expectation, checked; `what` names it in errors ("request 2 of the mix"). */
function resolveRequest(request: LoadRequest, what?: string): ResolvedLoadRequest {
  // The single request's messages are as they always were; a mix entry's name which request.
  const at = what === undefined ? '' : `${what}: `;
  const method = (request.method ?? LOAD_DEFAULTS.method).toUpperCase();
  if (!TOKEN.test(method)) throw bad(`${at}method '${method}' is not an HTTP token`, 'e.g. --method POST');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (!TOKEN.test(name) || /[\r\n\0]/.test(value)) {
      throw bad(
        `${at}header '${name}' is malformed (no spaces in names, no line breaks in values)`,
        "e.g. -H 'x-a: 1'",
      );
    }
    const lower = name.toLowerCase();
    if (lower === 'content-length' || lower === 'transfer-encoding' || lower === 'host') {
      throw bad(
        `${at}header '${name}' is set by conlab itself`,
        'remove it; conlab derives it from the URL and body',
      );
    }
    headers[name] = value;
  }
  const expectStatus = request.expectStatus ?? LOAD_DEFAULTS.expectStatus;
  if (
    !Number.isInteger(expectStatus) ||
    !((expectStatus >= 1 && expectStatus <= 5) || (expectStatus >= 100 && expectStatus <= 599))
  ) {
    throw bad(
      `${at}expected status ${expectStatus} is neither a class (1..5) nor a status (100..599)`,
      'e.g. --expect-status 2 (any 2xx) or --expect-status 404',
    );
  }
  if (request.expectBodyRegex !== undefined) {
    try {
      new RegExp(request.expectBodyRegex);
    } catch (error) {
      throw bad(
        `${at}body regex '${request.expectBodyRegex}' does not compile: ${(error as Error).message}`,
        'fix the regular expression',
      );
    }
  }
  const weight = request.weight ?? 1;
  const [minWeight, maxWeight] = LOAD_LIMITS.mixWeight;
  if (!Number.isInteger(weight) || weight < minWeight || weight > maxWeight) {
    throw bad(`${at}weight ${weight} is not a whole number in ${minWeight}..${maxWeight}`, 'e.g. weight 3');
  }
  return {
    method,
    path: request.path,
    headers,
    body: typeof request.body === 'string' ? Buffer.from(request.body) : request.body,
    weight,
    expectStatus,
    expectBody: request.expectBody,
    expectBodyRegex: request.expectBodyRegex,
  };
}

const PER_REQUEST_OPTIONS = [
  'method',
  'headers',
  'body',
  'expectStatus',
  'expectBody',
  'expectBodyRegex',
] as const;

function resolveMix(options: LoadOptions, protocol: 'http' | 'tcp'): ResolvedLoadRequest[] | undefined {
  const mix = options.mix;
  if (mix === undefined) return undefined;
  if (protocol === 'tcp') throw bad('a request mix is HTTP only', 'drop the mix for tcp:// targets');
  const [min, max] = LOAD_LIMITS.mixRequests;
  if (mix.length < min || mix.length > max) {
    throw bad(
      `a request mix of ${mix.length} requests → allowed: ${min}..${max}`,
      'give at least one request',
    );
  }
  const both = PER_REQUEST_OPTIONS.filter((name) => options[name] !== undefined);
  if (both.length > 0) {
    throw bad(
      `${both.join(', ')} given beside a request mix → each request of the mix carries its own`,
      'move them into the mix entries',
    );
  }
  return mix.map((request, i) => {
    const what = `request ${i + 1} of the mix (${request.method ?? 'GET'} ${request.path})`;
    if (!/^\/[^\s]*$/.test(request.path)) {
      throw bad(
        `${what}: path '${request.path}' is not a path (it starts with / and has no spaces)`,
        'e.g. /hello?x=1',
      );
    }
    const resolved = resolveRequest(request, what);
    if (resolved.method === 'HEAD' && mix.length > 1) {
      throw bad(
        `${what}: HEAD in a mix → replies without a body cannot be told apart from the others in one stream`,
        'measure HEAD requests on their own',
      );
    }
    return resolved;
  });
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
