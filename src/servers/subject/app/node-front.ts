/**
 * A user's app behind node:http (Node, Deno, and Bun's cluster workers):
 * a Node listener gets the real req/res; a fetch app gets a Request built
 * from them and its Response written back; an app served from a pool thread
 * or a child gets the request as plain data (wire.ts). The contract's own
 * limits (431/413/415, PROTOCOL.md) are not imposed: the app owns its
 * protocol. What stays ours: a deadline per request, and that a failing app
 * answers 500 (counted by the load as an error) instead of hanging the
 * connection.
 */
import http from 'node:http';
import { ErrorCodes } from '../../../core/errors.ts';
import type { HttpLimits } from '../http/adapter.ts';
import { errorBody, httpError } from '../http/http-error.ts';
import type { FetchHandler, NodeListener } from './app-module.ts';
import { appFailure, buildRequest, callFetch, type WireBackend, type WireResponse } from './wire.ts';

export type NodeAppHandler =
  | { kind: 'listener'; listener: NodeListener }
  | { kind: 'fetch'; fetch: FetchHandler }
  | { kind: 'wire'; backend: WireBackend };

type OnAppError = (error: unknown) => void;

/** Headers as node:http's writeHead takes them, repeated names (set-cookie) as arrays; length and framing are ours. */
function headerRecord(pairs: readonly string[], bodyBytes: number): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const name = (pairs[i] ?? '').toLowerCase();
    const value = pairs[i + 1] ?? '';
    if (name === 'content-length' || name === 'transfer-encoding') continue;
    const seen = record[name];
    record[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  record['content-length'] = String(bodyBytes);
  return record;
}

function writeOut(
  res: http.ServerResponse,
  status: number,
  headers: readonly string[],
  body: Uint8Array,
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, headerRecord(headers, body.byteLength));
  res.end(body);
}

function failApp(res: http.ServerResponse, error: unknown, onAppError: OnAppError): void {
  onAppError(error);
  if (res.headersSent || res.destroyed) {
    // Half an answer is already out: the only honest end is to drop the connection.
    res.destroy();
    return;
  }
  const failure = appFailure(error);
  res.writeHead(failure.status, {
    'content-type': failure.contentType,
    'content-length': Buffer.byteLength(failure.body),
  });
  res.end(failure.body);
}

/** A pool thread or child died under the request: 500, as the built-in server answers it. */
function backendFailed(res: http.ServerResponse, error: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const body = errorBody(
    httpError(
      500,
      ErrorCodes.WORKER_DIED,
      `the thread or process running the app failed (${error instanceof Error ? error.message : String(error)}) → one that answers → the app ended its thread or process; it is replaced`,
    ),
  );
  res.writeHead(500, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function hasBody(req: http.IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/** The whole body (the app's own size rules apply; the request deadline bounds the wait). */
function readBody(req: http.IncomingMessage, then: (body: Uint8Array) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => then(Buffer.concat(chunks)));
  // A client gone mid-request: nothing to answer, free the socket.
  req.on('aborted', () => req.socket.destroy());
  req.on('error', () => req.socket.destroy());
}

function listenerOf(listener: NodeListener, onAppError: OnAppError): http.RequestListener {
  return (req, res) => {
    try {
      const result = listener(req, res);
      if (result instanceof Promise) result.catch((error: unknown) => failApp(res, error, onAppError));
    } catch (error) {
      failApp(res, error, onAppError);
    }
  };
}

function fetchListener(fetch: FetchHandler, onAppError: OnAppError): http.RequestListener {
  const write = (res: http.ServerResponse, response: Response): void => {
    const headers: string[] = [];
    response.headers.forEach((value, name) => headers.push(name, value));
    response.arrayBuffer().then(
      (body) => writeOut(res, response.status, headers, new Uint8Array(body)),
      (error: unknown) => failApp(res, error, onAppError),
    );
  };
  const respond = (req: http.IncomingMessage, res: http.ServerResponse, body: Uint8Array | null): void => {
    let request: Request;
    try {
      request = buildRequest(req.method ?? 'GET', req.url ?? '/', req.rawHeaders, body);
    } catch (error) {
      failApp(res, error, onAppError);
      return;
    }
    callFetch(fetch, request).then(
      (response) => write(res, response),
      (error: unknown) => failApp(res, error, onAppError),
    );
  };
  return (req, res) => {
    if (hasBody(req)) {
      readBody(req, (body) => respond(req, res, body));
      return;
    }
    // No body to wait for: answer now (the path the hosting-overhead benchmark measures).
    req.resume();
    respond(req, res, null);
  };
}

function wireListener(backend: WireBackend): http.RequestListener {
  const send = (req: http.IncomingMessage, res: http.ServerResponse, body: Uint8Array | null): void => {
    backend({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.rawHeaders, body }).then(
      (answer: WireResponse) => writeOut(res, answer.status, answer.headers, answer.body),
      (error: unknown) => backendFailed(res, error),
    );
  };
  return (req, res) => {
    if (hasBody(req)) readBody(req, (body) => send(req, res, body));
    else {
      req.resume();
      send(req, res, null);
    }
  };
}

export function createAppNodeServer(
  handler: NodeAppHandler,
  limits: HttpLimits,
  onAppError: OnAppError,
): http.Server {
  const listener =
    handler.kind === 'listener'
      ? listenerOf(handler.listener, onAppError)
      : handler.kind === 'fetch'
        ? fetchListener(handler.fetch, onAppError)
        : wireListener(handler.backend);
  return http.createServer(
    {
      requestTimeout: limits.requestTimeoutMs + 1000,
      headersTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node checks the two timeouts on this period (default 30 s): a dribbling client would hang that long.
      connectionsCheckingInterval: 1000,
    },
    listener,
  );
}
