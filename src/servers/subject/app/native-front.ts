/**
 * A fetch app behind the runtime's own server: `Bun.serve` on Bun. Chosen
 * by measurement (docs/performance/user-code.md): on Bun, node:http plus a
 * Request/Response conversion served a "hello" fetch app at about a third of
 * Bun.serve's rate, so hosting it that way would measure the adapter, not
 * the architecture. Bun.serve takes `reusePort`, so every architecture Bun
 * can run (all but cluster, whose workers cannot share a port on Bun) uses
 * this one front, and architectures stay comparable with each other.
 *
 * Deno stays on node:http: Deno.serve was faster too, but its `reusePort`
 * needs the --unstable-net flag, and a front that differs between
 * architectures of one runtime would confound the comparison.
 */
import cluster from 'node:cluster';
import { ErrorCodes } from '../../../core/errors.ts';
import { errorBody, httpError } from '../http/http-error.ts';
import { UnsupportedError } from '../arch/types.ts';
import type { AppRef, FetchHandler } from './app-module.ts';
import { appFailure, notAResponse, responseFromWire, type WireBackend } from './wire.ts';

interface BunServer {
  hostname: string;
  port: number;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}

interface BunServeOptions {
  hostname: string;
  port: number;
  reusePort: boolean;
  /** Seconds a connection may idle (Bun's default is 10; the cap is 255). */
  idleTimeout: number;
  fetch(request: Request): Response | Promise<Response>;
}

interface BunGlobal {
  serve(options: BunServeOptions): BunServer;
}

function bun(): BunGlobal | undefined {
  return (globalThis as { Bun?: BunGlobal }).Bun;
}

/**
 * Whether this unit serves the app with the runtime's own server: a fetch
 * app, on Bun, outside node:cluster (a cluster worker must listen through
 * node:http for the primary to share its socket).
 */
export function usesNativeFront(app: Pick<AppRef, 'kind'>): boolean {
  return app.kind === 'fetch' && bun() !== undefined && !cluster.isWorker;
}

export interface NativeServer {
  host: string;
  port: number;
  close(graceMs: number): Promise<void>;
}

type OnAppError = (error: unknown) => void;

function failure(error: unknown, onAppError: OnAppError): Response {
  onAppError(error);
  const answer = appFailure(error);
  return new Response(answer.body, {
    status: answer.status,
    headers: { 'content-type': answer.contentType },
  });
}

/** The app's own fetch, with a throw, a rejection or a non-Response turned into a 500. */
export function guardedFetch(fetch: FetchHandler, onAppError: OnAppError): FetchHandler {
  const checked = (value: unknown): Response =>
    value instanceof Response ? value : failure(notAResponse(value), onAppError);
  return (request) => {
    try {
      const answer: unknown = fetch(request);
      if (answer instanceof Response) return answer;
      return Promise.resolve(answer).then(checked, (error: unknown) => failure(error, onAppError));
    } catch (error) {
      return failure(error, onAppError);
    }
  };
}

const NO_BODY_METHODS = new Set(['GET', 'HEAD']);

/** Requests handed to a pool thread or child as plain data; a dead thread or child is a 500. */
export function wireFetch(backend: WireBackend): FetchHandler {
  return async (request) => {
    const url = new URL(request.url);
    const headers: string[] = [];
    request.headers.forEach((value, name) => headers.push(name, value));
    const body = NO_BODY_METHODS.has(request.method) ? null : new Uint8Array(await request.arrayBuffer());
    try {
      return responseFromWire(
        await backend({ method: request.method, url: `${url.pathname}${url.search}`, headers, body }),
      );
    } catch (error) {
      const answer = httpError(
        500,
        ErrorCodes.WORKER_DIED,
        `the thread or process running the app failed (${error instanceof Error ? error.message : String(error)}) → one that answers → the app ended its thread or process; it is replaced`,
      );
      return new Response(errorBody(answer), {
        status: 500,
        headers: { 'content-type': 'application/json' },
      });
    }
  };
}

export function startNativeServer(options: {
  host: string;
  port: number;
  reusePort: boolean;
  requestTimeoutMs: number;
  fetch: FetchHandler;
}): NativeServer {
  const runtime = bun();
  if (runtime === undefined) throw new Error('no native server in this runtime');
  const server = runtime.serve({
    hostname: options.host,
    port: options.port,
    reusePort: options.reusePort,
    idleTimeout: Math.min(255, Math.max(1, Math.ceil(options.requestTimeoutMs / 1000))),
    fetch: options.fetch,
  });
  return {
    host: server.hostname,
    port: server.port,
    async close(graceMs) {
      let timer: NodeJS.Timeout | undefined;
      const forced = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          void server.stop(true);
          resolve();
        }, graceMs);
      });
      await Promise.race([Promise.resolve(server.stop(false)), forced]);
      clearTimeout(timer);
    },
  };
}

/** Can two native servers share a port with reusePort here? Asked by trying, like reuse-port-probe.ts. */
export function requireNativeReusePort(host: string): void {
  const runtime = bun();
  if (runtime === undefined) return;
  const fetch = (): Response => new Response(null, { status: 204 });
  const first = runtime.serve({ hostname: host, port: 0, reusePort: true, idleTimeout: 1, fetch });
  try {
    void runtime
      .serve({ hostname: host, port: first.port, reusePort: true, idleTimeout: 1, fetch })
      .stop(true);
  } catch (error) {
    throw new UnsupportedError(
      'reusePort',
      `a second Bun.serve listener on the same port failed with ${(error as { code?: string }).code ?? String(error)}`,
    );
  } finally {
    void first.stop(true);
  }
}
