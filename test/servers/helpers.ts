/**
 * Test helpers for the server lab: start a real server subject (the same
 * launcher the bench driver uses), raw-socket exchanges for malformed and
 * misbehaving clients, and error-body checks.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { resolveRuntime, type RuntimeSpec } from '../../src/runtimes/registry.ts';
import { launchServer, type LaunchedServer } from '../../src/servers/driver/launch.ts';
import { resolveServerConfig, type ServerInput } from '../../src/servers/resolve.ts';
import type { ServerConfig } from '../../src/servers/config.ts';

export interface StartedServer {
  server: LaunchedServer;
  config: ServerConfig;
  runtime: RuntimeSpec;
  baseUrl: string;
}

export type StartResult = { kind: 'ok'; started: StartedServer } | { kind: 'unsupported'; reason: string };

export async function startServer(input: ServerInput, runtimeName = 'node'): Promise<StartResult> {
  const runtime = resolveRuntime(runtimeName);
  const config = resolveServerConfig({ stopOnStdinEnd: true, ...input });
  const outcome = await launchServer(config, runtime, { startTimeoutMs: 60_000 });
  if (outcome.kind === 'unsupported') return outcome;
  return {
    kind: 'ok',
    started: { server: outcome.server, config, runtime, baseUrl: `http://127.0.0.1:${outcome.server.port}` },
  };
}

export interface RawResult {
  data: string;
  /** The server closed the connection (FIN or reset) before our deadline. */
  closed: boolean;
}

/**
 * Writes `chunks` (with `gapMs` between them) on a new connection, optionally
 * half-closes or destroys, and collects what comes back until the server
 * closes or `waitMs` passes.
 */
export function rawExchange(
  port: number,
  chunks: (string | Buffer)[],
  options: {
    gapMs?: number;
    halfClose?: boolean;
    destroyAfterWrite?: boolean;
    waitMs?: number;
    /** Stop early once the received text satisfies this. */
    until?: (text: string) => boolean;
  } = {},
): Promise<RawResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const received: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ data: Buffer.concat(received).toString('utf8'), closed });
    };
    const timer = setTimeout(() => finish(false), options.waitMs ?? 5000);
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      if (options.until?.(Buffer.concat(received).toString('utf8'))) finish(false);
    });
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('end', () => finish(true));
    socket.once('connect', () => {
      void (async () => {
        for (const chunk of chunks) {
          if (socket.destroyed) return;
          socket.write(chunk);
          if (options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
        }
        if (options.destroyAfterWrite) finish(false);
        else if (options.halfClose) socket.end();
      })();
    });
  });
}

/** Status line code and body of a raw HTTP/1.1 response text. */
export function parseRawResponse(text: string): { status: number; body: string } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
  const split = text.indexOf('\r\n\r\n');
  return { status, body: split === -1 ? '' : text.slice(split + 4) };
}

/** PROTOCOL.md §2 error body: {"error":{"code":"LAB_E_...","message":"what → allowed → fix"}}. */
export function assertLabError(status: number, body: string, expectedStatus: number, code?: string): void {
  assert.equal(status, expectedStatus, `status for body ${body}`);
  const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
  assert.equal(typeof parsed.error?.code, 'string');
  assert.match(String(parsed.error?.code), /^LAB_E_[A-Z_]+$/);
  if (code) assert.equal(parsed.error?.code, code);
  assert.match(String(parsed.error?.message), /→.*→/, 'message says what → allowed → fix');
}
