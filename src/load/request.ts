/**
 * The bytes a connection sends, built once per thread: every request of a
 * run is identical, so the hot path is a single socket.write of a shared
 * Buffer.
 */
import type { ResolvedLoadOptions } from './options.ts';
import type { ResolvedTarget } from './target.ts';

export function buildRequest(options: ResolvedLoadOptions, target: ResolvedTarget): Buffer {
  if (target.protocol === 'tcp') return Buffer.from(options.tcpPayload, 'utf8');
  const lines = [`${options.method} ${target.path} HTTP/1.1`, `Host: ${target.hostHeader}`];
  for (const [name, value] of Object.entries(options.headers)) lines.push(`${name}: ${value}`);
  const hasConnection = Object.keys(options.headers).some((name) => name.toLowerCase() === 'connection');
  if (options.connectionPerRequest && !hasConnection) lines.push('Connection: close');
  const body = options.body;
  if (body !== undefined && (body.length > 0 || options.method !== 'GET'))
    lines.push(`Content-Length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body === undefined || body.length === 0 ? head : Buffer.concat([head, body]);
}
