/**
 * A fetch app's request and response as plain data, and the conversions
 * around the app's handler. Plain data because a request handled on a pool
 * thread or in a spawned child has to cross a thread or process boundary:
 * the accepting event loop turns it into a WireRequest, the thread (or
 * child) builds a Request from it, calls the app's fetch and sends back a
 * WireResponse (status, headers, the whole body), which the accepting loop
 * writes out. Every failure of the app becomes a 500 here, never a throw.
 */
import { ErrorCodes } from '../../../core/errors.ts';
import type { FetchHandler } from './app-module.ts';

export interface WireRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  /** Header names and values, alternating, as received (duplicates kept): the shape of node:http's rawHeaders. */
  headers: string[];
  /** null when the request has no body (GET and HEAD never have one). */
  body: Uint8Array | null;
}

export interface WireResponse {
  status: number;
  /** Names and values, alternating. */
  headers: string[];
  body: Uint8Array;
}

const NO_BODY_METHODS = new Set(['GET', 'HEAD']);

/** The request's origin for the app's `request.url` (apps parse it); the Host header, as a browser would send it. */
export function originOf(headers: readonly string[]): string {
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i]?.toLowerCase() === 'host') return `http://${headers[i + 1] ?? 'localhost'}`;
  }
  return 'http://localhost';
}

/** A Request for the app, from the parts a server received. */
export function buildRequest(
  method: string,
  url: string,
  headers: readonly string[],
  body: Uint8Array | null,
): Request {
  const init = new Headers();
  for (let i = 0; i + 1 < headers.length; i += 2) init.append(headers[i] ?? '', headers[i + 1] ?? '');
  return new Request(`${originOf(headers)}${url}`, {
    method,
    headers: init,
    // A Request refuses a body on GET/HEAD; an empty one is no body.
    body: NO_BODY_METHODS.has(method) || body === null || body.length === 0 ? null : body,
  });
}

/** The app threw, rejected or returned something that is not a Response: a 500 the load counts as an error. */
export function appFailure(error: unknown): { status: number; contentType: string; body: string } {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    status: 500,
    contentType: 'application/json',
    body: JSON.stringify({
      error: {
        code: ErrorCodes.APP_ERROR,
        message: `the app failed while answering (${detail.slice(0, 300)}) → a Response from its handler → fix the app; every such reply counts as an error`,
      },
    }),
  };
}

export function notAResponse(value: unknown): Error {
  const what =
    value === null ? 'null' : typeof value === 'object' ? 'an object that is not a Response' : typeof value;
  return new TypeError(`the app's fetch returned ${what}, not a Response`);
}

/** Calls the app's fetch; resolves to its Response, or rejects with why there is none. */
export async function callFetch(fetch: FetchHandler, request: Request): Promise<Response> {
  const response: unknown = await fetch(request);
  if (!(response instanceof Response)) throw notAResponse(response);
  return response;
}

export async function wireFromResponse(response: Response): Promise<WireResponse> {
  const headers: string[] = [];
  response.headers.forEach((value, name) => headers.push(name, value));
  return { status: response.status, headers, body: new Uint8Array(await response.arrayBuffer()) };
}

/** Runs the app on a wire request (on a pool thread or in a child); never rejects: a failing app is a 500. */
export async function answerOnWire(
  fetch: FetchHandler,
  wire: WireRequest,
  onAppError: (error: unknown) => void,
): Promise<WireResponse> {
  try {
    const response = await callFetch(fetch, buildRequest(wire.method, wire.url, wire.headers, wire.body));
    return await wireFromResponse(response);
  } catch (error) {
    onAppError(error);
    const failure = appFailure(error);
    return {
      status: failure.status,
      headers: ['content-type', failure.contentType],
      body: new TextEncoder().encode(failure.body),
    };
  }
}

/** A Response (for Bun.serve / Deno.serve) from a wire answer. */
export function responseFromWire(wire: WireResponse): Response {
  const headers = new Headers();
  for (let i = 0; i + 1 < wire.headers.length; i += 2)
    headers.append(wire.headers[i] ?? '', wire.headers[i + 1] ?? '');
  // 204/304 and friends must not carry a body.
  const empty = wire.status === 204 || wire.status === 205 || wire.status === 304;
  return new Response(empty ? null : wire.body, { status: wire.status, headers });
}

/** Where a request that crossed to a thread or child comes back from: a pool, a spawner. */
export type WireBackend = (request: WireRequest) => Promise<WireResponse>;

/**
 * The first failure of an app in this unit is logged with its stack (the
 * user needs it to fix the app); later ones are only counted, so a broken
 * route under load does not flood stderr. The load's error counts are the
 * measurement; this is for the human.
 */
export function appErrorLogger(where: string): { log: (error: unknown) => void; count: () => number } {
  let failures = 0;
  return {
    log(error) {
      failures++;
      if (failures > 1) return;
      const text =
        error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
      process.stderr.write(
        `conlab ${where}: the app failed (answered 500; later failures are counted, not shown): ${text}\n`,
      );
    },
    count: () => failures,
  };
}
