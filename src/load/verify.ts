/**
 * What makes a reply a success. Built once per thread from the resolved
 * options, so the per-response check is a couple of comparisons. A reply that
 * fails a check is an error of kind `status` or `body`, never a success.
 */
import type { ErrorKind } from './types.ts';
import type { ParsedResponse } from './http-parser.ts';

export interface HttpExpectation {
  expectStatus: number;
  expectBody: string | undefined;
  expectBodyRegex: string | undefined;
}

export type HttpVerifier = (response: ParsedResponse) => ErrorKind | null;
/** Words for a reply the verifier refused: what came (status, first bytes) against what was expected. */
export type HttpFailureSample = (response: ParsedResponse, kind: 'status' | 'body') => string;

const SAMPLE_BYTES = 64;

function quoted(body: Buffer | undefined, truncated: boolean): string {
  if (body === undefined) return 'no body kept';
  const text = JSON.stringify(body.subarray(0, SAMPLE_BYTES).toString('utf8'));
  return body.length > SAMPLE_BYTES || truncated ? `${text}…` : text;
}

function expectedStatus(expectStatus: number): string {
  return expectStatus <= 5 ? `${expectStatus}xx` : String(expectStatus);
}

/** Whether a status passes: a class (2 = any 2xx) or an exact code. */
export function statusMatcher(expectStatus: number): (status: number) => boolean {
  return expectStatus <= 5
    ? (status) => Math.floor(status / 100) === expectStatus
    : (status) => status === expectStatus;
}

export function httpFailureSample(expectation: HttpExpectation): HttpFailureSample {
  const expectedBody =
    expectation.expectBody !== undefined
      ? JSON.stringify(expectation.expectBody.slice(0, SAMPLE_BYTES))
      : `a body matching /${expectation.expectBodyRegex ?? ''}/`;
  return (response, kind) =>
    kind === 'status'
      ? `status ${response.status}, expected ${expectedStatus(expectation.expectStatus)}; body ${quoted(response.body, response.bodyTruncated)}`
      : `body ${quoted(response.body, response.bodyTruncated)}, expected ${expectedBody} (status ${response.status})`;
}

/** Whether the verifier needs the response body kept. */
export function needsBody(expectation: HttpExpectation): boolean {
  return expectation.expectBody !== undefined || expectation.expectBodyRegex !== undefined;
}

export function httpVerifier(expectation: HttpExpectation): HttpVerifier {
  const statusOk = statusMatcher(expectation.expectStatus);
  const exact = expectation.expectBody === undefined ? undefined : Buffer.from(expectation.expectBody);
  const regex =
    expectation.expectBodyRegex === undefined ? undefined : new RegExp(expectation.expectBodyRegex);
  return (response) => {
    if (!statusOk(response.status)) return 'status';
    if (
      exact !== undefined &&
      (response.bodyTruncated || response.body === undefined || !exact.equals(response.body))
    ) {
      return 'body';
    }
    if (regex !== undefined && (response.body === undefined || !regex.test(response.body.toString('utf8')))) {
      return 'body';
    }
    return null;
  };
}

/** Maps a socket error to the kind counted in results. */
export function socketErrorKind(error: unknown, connected: boolean): ErrorKind {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return 'reset';
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return connected ? 'other' : 'connect';
  }
}
