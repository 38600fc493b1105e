/**
 * A one-request HTTP/TCP client for the driver's checks (verification,
 * /whoami sampling, conformance tests): a fresh connection per call, a hard
 * timeout, the whole answer returned. Not for load: that is src/load.
 */
import http from 'node:http';
import net from 'node:net';

export interface SimpleResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body as received (binary bodies do not survive `body`'s UTF-8 decoding). */
  bodyBytes: Buffer;
}

export function httpCall(
  baseUrl: string,
  path: string,
  init: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    timeoutMs?: number;
  } = {},
): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${baseUrl}${path}`,
      {
        method: init.method ?? 'GET',
        headers: init.headers,
        agent: false,
        timeout: init.timeoutMs ?? 10_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const bodyBytes = Buffer.concat(chunks);
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: bodyBytes.toString(),
            bodyBytes,
          });
        });
        response.on('error', reject);
      },
    );
    request.on('timeout', () =>
      request.destroy(new Error(`no answer to ${path} within ${init.timeoutMs ?? 10_000} ms`)),
    );
    request.on('error', reject);
    request.end(init.body);
  });
}

/** Sends `payload` on a new TCP connection, resolves with the first reply chunk. */
export function tcpCall(host: string, port: number, payload: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no TCP reply within ${timeoutMs} ms`)));
    socket.once('connect', () => socket.write(payload));
    socket.once('data', (chunk: Buffer) => {
      socket.end();
      resolve(chunk.toString());
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('connection closed without a reply')));
  });
}
