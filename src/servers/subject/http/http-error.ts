/**
 * An HTTP error answer: status, stable LAB_E_* code and a
 * "what → allowed → fix" message, serialised as PROTOCOL.md §2 requires.
 */
import type { ErrorCode } from '../../../core/errors.ts';

export interface HttpError {
  kind: 'error';
  status: number;
  code: ErrorCode;
  message: string;
  headers?: Record<string, string>;
}

export function httpError(
  status: number,
  code: ErrorCode,
  message: string,
  headers?: Record<string, string>,
): HttpError {
  return headers
    ? { kind: 'error', status, code, message, headers }
    : { kind: 'error', status, code, message };
}

export function isHttpError(value: unknown): value is HttpError {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'error';
}

export function errorBody(error: HttpError): string {
  return JSON.stringify({ error: { code: error.code, message: error.message } });
}

const reasons: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** A complete HTTP/1.1 error response for a raw socket (used when the parser itself rejected the request). */
export function rawErrorResponse(error: HttpError): string {
  const body = errorBody(error);
  return [
    `HTTP/1.1 ${error.status} ${reasons[error.status] ?? 'Error'}`,
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
}
