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

/** Whether the verifier needs the response body kept. */
export function needsBody(expectation: HttpExpectation): boolean {
  return expectation.expectBody !== undefined || expectation.expectBodyRegex !== undefined;
}

export function httpVerifier(expectation: HttpExpectation): HttpVerifier {
  const { expectStatus } = expectation;
  const statusOk =
    expectStatus <= 5
      ? (status: number) => Math.floor(status / 100) === expectStatus
      : (status: number) => status === expectStatus;
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
