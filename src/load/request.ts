/**
 * The bytes a connection sends, built once per thread: every request of a
 * run is identical, so the hot path is a single socket.write of a shared
 * Buffer. With pipelining, k requests sent together are one write of k
 * copies back to back (prepared once, up to BATCH_BYTES per write). A
 * request mix has one such Buffer per request of the mix.
 */
import type { ResolvedLoadOptions, ResolvedLoadRequest } from './options.ts';
import type { ResolvedTarget } from './target.ts';

type RequestParts = Pick<ResolvedLoadRequest, 'method' | 'headers' | 'body'>;

function httpRequestBytes(request: RequestParts, path: string, hostHeader: string, close: boolean): Buffer {
  const lines = [`${request.method} ${path} HTTP/1.1`, `Host: ${hostHeader}`];
  for (const [name, value] of Object.entries(request.headers)) lines.push(`${name}: ${value}`);
  const hasConnection = Object.keys(request.headers).some((name) => name.toLowerCase() === 'connection');
  if (close && !hasConnection) lines.push('Connection: close');
  const body = request.body;
  if (body !== undefined && (body.length > 0 || request.method !== 'GET'))
    lines.push(`Content-Length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body === undefined || body.length === 0 ? head : Buffer.concat([head, body]);
}

export function buildRequest(options: ResolvedLoadOptions, target: ResolvedTarget): Buffer {
  if (target.protocol === 'tcp') return Buffer.from(options.tcpPayload, 'utf8');
  return httpRequestBytes(options, target.path, target.hostHeader, options.connectionPerRequest);
}

/** One request of a mix: its own method, path, headers and body, to the target's host. */
export function buildMixRequest(
  request: ResolvedLoadRequest,
  options: ResolvedLoadOptions,
  target: ResolvedTarget,
): Buffer {
  return httpRequestBytes(request, request.path, target.hostHeader, options.connectionPerRequest);
}

/** A pipelined batch is written at once up to this many bytes (more takes several writes). */
export const BATCH_BYTES = 64 * 1024;

export interface RequestBatches {
  /** batches[k - 1] is k copies of the request back to back, for k up to the pipelining depth and BATCH_BYTES. */
  readonly batches: readonly Buffer[];
}

export function buildRequestBatches(request: Buffer, pipelining: number): RequestBatches {
  const largest = Math.max(1, Math.min(pipelining, Math.floor(BATCH_BYTES / Math.max(1, request.length))));
  const copies = Buffer.alloc(request.length * largest);
  for (let k = 0; k < largest; k++) request.copy(copies, k * request.length);
  const batches: Buffer[] = [];
  for (let k = 1; k <= largest; k++) batches.push(copies.subarray(0, k * request.length));
  return { batches };
}
