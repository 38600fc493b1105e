/**
 * node:http glue: turns a socket-level request into a PlainRequest under
 * explicit limits, and a PlainResponse or HttpError back into bytes. The
 * limits are ours, checked here, because runtimes differ in what their own
 * parsers enforce (Node truncates past maxHeadersCount; Bun and Deno ignore
 * some server options): header lines and bytes (431), body size counted
 * while reading (413), a deadline for the whole request (408), and a client
 * that goes away mid-request (socket destroyed, nothing else).
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { ErrorCodes } from '../../../core/errors.ts';
import { errorBody, httpError, rawErrorResponse, type HttpError } from './http-error.ts';
import { preflight, type PlainRequest, type PlainResponse } from './router.ts';

export interface HttpLimits {
  maxBodyBytes: number;
  maxHeaderLines: number;
  maxHeaderBytes: number;
  /** Deadline from the request's headers to its last body byte. */
  requestTimeoutMs: number;
  /** Idle keep-alive connections are closed after this. */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_LIMITS: HttpLimits = {
  maxBodyBytes: 64 * 1024,
  maxHeaderLines: 100,
  maxHeaderBytes: 16 * 1024,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
};

export type Responder = (
  request: PlainRequest,
) => PlainResponse | HttpError | Promise<PlainResponse | HttpError>;

function headerProblem(req: http.IncomingMessage, limits: HttpLimits): HttpError | null {
  const lines = req.rawHeaders.length / 2;
  // Each header line is "name: value\r\n" on the wire; the parser decodes headers as latin1, so one char is one byte.
  let bytes = lines * 4;
  for (const part of req.rawHeaders) bytes += part.length;
  if (lines > limits.maxHeaderLines || bytes > limits.maxHeaderBytes) {
    return httpError(
      431,
      ErrorCodes.HEADERS_TOO_LARGE,
      `request has ${lines} header lines, ${bytes} bytes → at most ${limits.maxHeaderLines} lines and ${limits.maxHeaderBytes} bytes → send fewer or smaller headers`,
    );
  }
  return null;
}

function send(res: http.ServerResponse, answer: PlainResponse | HttpError, close: boolean): void {
  if (res.headersSent || res.destroyed) return;
  const isError = answer.kind === 'error';
  const body = isError ? errorBody(answer) : answer.body;
  const headers: Record<string, string | number> = {
    'content-type': isError ? 'application/json' : answer.contentType,
    'content-length': Buffer.byteLength(body),
  };
  if (isError && answer.headers) Object.assign(headers, answer.headers);
  if (close) headers.connection = 'close';
  res.writeHead(answer.status, headers);
  res.end(body);
}

/** Answers and then makes sure the connection goes away even if the client keeps sending. */
function sendAndClose(req: http.IncomingMessage, res: http.ServerResponse, answer: HttpError): void {
  send(res, answer, true);
  const socket = req.socket;
  // Keep draining briefly so the client can read the answer instead of getting a reset.
  req.resume();
  const timer = setTimeout(() => socket.destroy(), 1000);
  timer.unref();
  res.once('finish', () => socket.end());
  socket.once('close', () => clearTimeout(timer));
}

function internalError(error: unknown): HttpError {
  const detail = error instanceof Error ? error.message : String(error);
  return httpError(
    500,
    ErrorCodes.INTERNAL,
    `the server failed while answering (${detail.slice(0, 200)}) → a 200 answer → retry; this is a conlab bug if it repeats`,
  );
}

export function createRequestListener(
  respond: Responder,
  limits: HttpLimits,
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const contentType = req.headers['content-type'];
    const early = headerProblem(req, limits) ?? preflight(method, url, contentType);
    if (early) {
      // A request with no body can keep its connection; one with an unread body cannot.
      const hasBody = req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0';
      if (hasBody || req.headers['transfer-encoding'] !== undefined || early.status === 431) {
        sendAndClose(req, res, early);
      } else {
        req.resume();
        send(res, early, false);
      }
      return;
    }
    const declared = Number(req.headers['content-length'] ?? '0');
    if (Number.isFinite(declared) && declared > limits.maxBodyBytes) {
      sendAndClose(req, res, tooLarge(`declared ${declared} bytes`, limits));
      return;
    }
    if (declared === 0 && req.headers['transfer-encoding'] === undefined) {
      // No body to wait for (GET /hello, /whoami, ...): answer now, without a read deadline or stream events,
      // because this is the path the overhead benchmark measures.
      req.resume();
      answer(req, res, respond, {
        method,
        url,
        contentType,
        body: EMPTY,
        remoteAddress: req.socket.remoteAddress ?? '',
      });
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let finished = false;
    const deadline = setTimeout(() => {
      if (finished) return;
      finished = true;
      sendAndClose(
        req,
        res,
        httpError(
          408,
          ErrorCodes.TIMEOUT,
          `request body not complete after ${limits.requestTimeoutMs} ms → a whole request within that time → send the body promptly`,
        ),
      );
    }, limits.requestTimeoutMs);
    const stop = (): void => {
      finished = true;
      clearTimeout(deadline);
    };
    req.on('data', (chunk: Buffer) => {
      if (finished) return;
      received += chunk.length;
      if (received > limits.maxBodyBytes) {
        stop();
        sendAndClose(req, res, tooLarge(`more than ${limits.maxBodyBytes} bytes`, limits));
        return;
      }
      chunks.push(chunk);
    });
    // A client gone mid-request: nothing to answer, free the socket.
    req.on('aborted', () => {
      stop();
      req.socket.destroy();
    });
    req.on('error', () => {
      stop();
      req.socket.destroy();
    });
    req.on('end', () => {
      if (finished) return;
      stop();
      const remoteAddress = req.socket.remoteAddress ?? '';
      answer(req, res, respond, { method, url, contentType, body: Buffer.concat(chunks), remoteAddress });
    });
  };
}

const EMPTY = Buffer.alloc(0);

function answer(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  respond: Responder,
  request: PlainRequest,
): void {
  let result: ReturnType<Responder>;
  try {
    result = respond(request);
  } catch (error) {
    result = internalError(error);
  }
  if (!(result instanceof Promise)) {
    send(res, result, false);
    return;
  }
  result
    .catch(internalError)
    .then((settled) => send(res, settled, false))
    .catch(() => req.socket.destroy());
}

function tooLarge(what: string, limits: HttpLimits): HttpError {
  return httpError(
    413,
    ErrorCodes.TOO_LARGE,
    `body is ${what} → at most ${limits.maxBodyBytes} bytes → send a smaller body`,
  );
}

/** What the parser rejected before we saw a request (oversized headers, garbage, timeouts). */
function onClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  let answer: HttpError;
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    answer = httpError(
      431,
      ErrorCodes.HEADERS_TOO_LARGE,
      'request headers are too large → at most 100 lines and 16384 bytes → send fewer or smaller headers',
    );
  } else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    answer = httpError(
      408,
      ErrorCodes.TIMEOUT,
      'request not complete in time → a whole request promptly → send it faster',
    );
  } else {
    answer = httpError(
      400,
      ErrorCodes.BAD_REQUEST,
      `malformed HTTP request (${error.code ?? error.message}) → HTTP/1.1 → send a valid request`,
    );
  }
  socket.end(rawErrorResponse(answer));
  socket.destroySoon?.();
}

export function createHttpServer(respond: Responder, limits: HttpLimits = DEFAULT_LIMITS): http.Server {
  const server = http.createServer(
    {
      // Larger than our own limit so that we, not the parser, decide (and answer 431 with our body).
      maxHeaderSize: 64 * 1024,
      requestTimeout: limits.requestTimeoutMs + 1000,
      headersTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node checks headersTimeout/requestTimeout on this period (default 30 s): a dribbling client would hang that long.
      connectionsCheckingInterval: 1000,
    },
    createRequestListener(respond, limits),
  );
  // 0 = no cap, so a flood of header lines is counted (and refused) rather than silently truncated.
  server.maxHeadersCount = 0;
  server.on('clientError', onClientError);
  return server;
}
