/**
 * What a cell that serves a user's app sends and expects: one request or a
 * mix (src/load LoadRequest, each with its own expectation), the request
 * line `--request 'POST /resize'` parses into, how the requests appear in
 * records and cell keys, and the check before the load: every request of the
 * mix sent once and its reply verified by the very rule the load generator
 * applies to every reply under load (src/load/verify.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { ErrorCodes, LabError } from '../../core/errors.ts';
import type { LoadRequest } from '../../load/types.ts';
import { resolveLoadOptions } from '../../load/options.ts';
import { httpFailureSample, httpVerifier } from '../../load/verify.ts';
import type { AppRef } from '../subject/app/app-module.ts';
import { httpCall } from './http-client.ts';

/** A user's app as a cell serves and measures it: the module, and the requests the load sends. */
export interface ServerApp {
  ref: AppRef;
  /** At least one; several are a mix, sent in a weighted round-robin. */
  requests: LoadRequest[];
}

/** What is sent when no request is named: GET /, and a good reply is any 2xx. */
export const DEFAULT_APP_REQUEST: LoadRequest = { method: 'GET', path: '/' };
/** The expectation of a request that names none: the status class 2 (any 2xx). */
export const DEFAULT_EXPECT_STATUS = 2;

const REQUEST_LINE = /^\s*(?:([A-Za-z]+)\s+)?(\/\S*)\s*$/;

/** `'POST /resize'` (or just `'/resize'`, a GET) → method and path; anything else is LAB_E_BAD_PARAM naming what was found. */
export function parseRequestLine(text: string, what = '--request'): Pick<LoadRequest, 'method' | 'path'> {
  const match = REQUEST_LINE.exec(text);
  if (!match?.[2]) {
    throw new LabError(
      ErrorCodes.BAD_PARAM,
      `${what} '${text}' is not 'METHOD /path' → found ${text.trim() === '' ? 'nothing' : `'${text.trim().slice(0, 80)}'`} → a method and a path starting with /`,
      { hint: `e.g. ${what} 'POST /resize' or ${what} 'GET /hello?name=x'` },
    );
  }
  return { method: (match[1] ?? 'GET').toUpperCase(), path: match[2] };
}

/** A request body from a file (relative to `baseDir`); LAB_E_IO naming the path and what was there instead. */
export function readBodyFile(given: string, what: string, baseDir = process.cwd()): Uint8Array {
  const absolute = resolve(baseDir, given);
  try {
    return new Uint8Array(readFileSync(absolute));
  } catch (error) {
    const code = (error as { code?: string }).code;
    const found =
      code === 'ENOENT'
        ? 'nothing there'
        : code === 'EISDIR'
          ? 'a directory'
          : `an unreadable file (${code ?? String(error)})`;
    throw new LabError(ErrorCodes.IO, `${what} '${given}': found ${found} at ${absolute} → a readable file`, {
      hint: 'give the path of the file whose bytes are the request body',
    });
  }
}

/** Checks every request (method, headers, expectation, weight) as the load generator will, before anything starts. */
export function checkRequests(requests: LoadRequest[]): void {
  resolveLoadOptions({ target: 'http://127.0.0.1/', connections: 1, mix: requests }, 'http');
}

export function requestLabel(request: LoadRequest): string {
  return `${request.method ?? 'GET'} ${request.path}`;
}

function bodyBytes(body: LoadRequest['body']): Buffer | undefined {
  return body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
}

/** The requests as a record keeps them: bodies by size and SHA-256, not their bytes. */
export function describeRequests(requests: readonly LoadRequest[]): Record<string, unknown>[] {
  return requests.map((request) => {
    const body = bodyBytes(request.body);
    return {
      method: request.method ?? 'GET',
      path: request.path,
      headers: request.headers ?? {},
      ...(body === undefined
        ? {}
        : { bodyBytes: body.length, bodySha256: createHash('sha256').update(body).digest('hex') }),
      weight: request.weight ?? 1,
      expect: {
        status: request.expectStatus ?? DEFAULT_EXPECT_STATUS,
        ...(request.expectBody === undefined ? {} : { body: request.expectBody }),
        ...(request.expectBodyRegex === undefined ? {} : { bodyRegex: request.expectBodyRegex }),
      },
    };
  });
}

/** The app's part of a cell key: its file name and a digest of its path and every request, so a changed mix is another cell. */
export function appKeyPart(app: ServerApp): string {
  const digest = createHash('sha256')
    .update(JSON.stringify({ path: app.ref.path, requests: describeRequests(app.requests) }))
    .digest('hex')
    .slice(0, 12);
  return `app:${basename(app.ref.path)}#${digest}`;
}

/** Before the load: each request of the mix once, its reply checked as every reply under load will be. */
export async function verifyAppServer(
  baseUrl: string,
  requests: readonly LoadRequest[],
  timeoutMs: number,
): Promise<void> {
  for (const [i, request] of requests.entries()) {
    const expectation = {
      expectStatus: request.expectStatus ?? DEFAULT_EXPECT_STATUS,
      expectBody: request.expectBody,
      expectBodyRegex: request.expectBodyRegex,
    };
    const body = bodyBytes(request.body);
    const reply = await httpCall(baseUrl, request.path, {
      method: request.method ?? 'GET',
      ...(request.headers === undefined ? {} : { headers: request.headers }),
      ...(body === undefined ? {} : { body }),
      timeoutMs,
    });
    const response = {
      status: reply.status,
      keepAlive: true,
      body: reply.bodyBytes,
      bodyTruncated: false,
      repeat: false,
    };
    const kind = httpVerifier(expectation)(response);
    if (kind === null) continue;
    throw new LabError(
      ErrorCodes.VERIFY,
      `request ${i + 1} of ${requests.length} (${requestLabel(request)}): ${httpFailureSample(expectation)(response, kind === 'status' ? 'status' : 'body')}`,
      { exitCode: 1 },
    );
  }
}
