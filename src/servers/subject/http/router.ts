/**
 * The HTTP contract (PROTOCOL.md §2) as plain functions: `preflight` decides
 * from the request line and headers alone (404, 405, 415) before any body is
 * read; `handle` answers a fully read request. No sockets here, so the same
 * code runs inline, behind a thread pool, or in a process per request.
 */
import { threadId } from 'node:worker_threads';
import { ErrorCodes } from '../../../core/errors.ts';
import { httpError, isHttpError, type HttpError } from './http-error.ts';
import { parseScoreRequest } from './score-request.ts';

/** How a unit does the work behind /score: inline, on a thread pool, ... */
export interface Work {
  cpu(seed: string, iters: number): Promise<string> | string;
  /** undefined when the key is not in the store. */
  io(key: string): Promise<string | undefined> | string | undefined;
}

export interface PlainRequest {
  method: string;
  /** Path with query, as sent. */
  url: string;
  contentType: string | undefined;
  body: Buffer;
  remoteAddress: string;
}

export interface PlainResponse {
  kind: 'ok';
  status: number;
  contentType: string;
  body: string;
}

export interface RouterContext {
  work: Work;
  /** Body of GET /info (architecture, runtime, workers, restarts, ...). */
  info(): Record<string, unknown>;
}

const routes: Record<string, string> = {
  '/score': 'POST',
  '/hello': 'GET',
  '/whoami': 'GET',
  '/health': 'GET',
  '/info': 'GET',
};
const paths = Object.keys(routes);

export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function isJsonType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  return contentType.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/** Checks what can be checked before reading the body; null means "read it and call handle". */
export function preflight(method: string, url: string, contentType: string | undefined): HttpError | null {
  const path = pathOf(url);
  const allowed = routes[path];
  if (allowed === undefined) {
    return httpError(
      404,
      ErrorCodes.NOT_FOUND,
      `no route ${path.slice(0, 200)} → paths: ${paths.join(', ')} → use one of them`,
    );
  }
  if (method !== allowed) {
    return httpError(
      405,
      ErrorCodes.METHOD,
      `${method} ${path} is not allowed → ${path} takes ${allowed} → send a ${allowed} request`,
      { allow: allowed },
    );
  }
  if (path === '/score' && !isJsonType(contentType)) {
    return httpError(
      415,
      ErrorCodes.MEDIA_TYPE,
      `content-type is ${contentType === undefined ? 'missing' : `'${contentType.slice(0, 100)}'`} → /score takes application/json → send 'content-type: application/json'`,
    );
  }
  return null;
}

function json(value: unknown): PlainResponse {
  return { kind: 'ok', status: 200, contentType: 'application/json', body: JSON.stringify(value) };
}

function text(body: string): PlainResponse {
  return { kind: 'ok', status: 200, contentType: 'text/plain', body };
}

export function whoamiLine(url: string, remoteAddress: string): string {
  return `ppid=${process.ppid} pid=${process.pid} thread=${threadId} uri=${url} from=${remoteAddress}`;
}

export async function handle(
  request: PlainRequest,
  context: RouterContext,
): Promise<PlainResponse | HttpError> {
  const early = preflight(request.method, request.url, request.contentType);
  if (early) return early;
  switch (pathOf(request.url)) {
    case '/hello':
      return text('hello');
    case '/whoami':
      return text(whoamiLine(request.url, request.remoteAddress));
    case '/health':
      return json({ ok: true });
    case '/info':
      return json(context.info());
    default:
      return score(request.body, context.work);
  }
}

async function score(body: Buffer, work: Work): Promise<PlainResponse | HttpError> {
  const parsed = parseScoreRequest(body);
  if (isHttpError(parsed)) return parsed;
  if (parsed.mode === 'cpu') {
    const digest = await work.cpu(parsed.seed, parsed.iters);
    return json({ mode: 'cpu', iters: parsed.iters, digest });
  }
  const val = await work.io(parsed.key);
  if (val === undefined) {
    return httpError(
      404,
      ErrorCodes.NOT_FOUND,
      `key '${parsed.key}' is not in the store → keys are k0000..k(N-1) (N = --kv-keys, default 1000) → ask for an existing key`,
    );
  }
  return json({ mode: 'io', key: parsed.key, val });
}
