/**
 * A fetch app behind the runtime's own server: Bun.serve on Bun, Deno.serve
 * on Deno. Chosen by measurement (docs/performance/user-code.md): a "hello"
 * fetch app behind node:http plus a Request/Response conversion ran at about
 * a third of the native server's rate on Bun and half on Deno, with several
 * times its CPU per request, so hosting it that way would measure the
 * runtime's node:http compatibility layer, not the architecture. Both native
 * servers take `reusePort` (Deno with --unstable-net, which every Deno
 * subject gets: DENO_RUN_ARGS), so every architecture uses this one front,
 * except cluster: node:cluster shares the primary's socket with node:http
 * listeners only, so a cluster worker serves the app through node:http, and
 * the cell records which front served it (ServerAppInfo.front).
 */
import cluster from 'node:cluster';
import { ErrorCodes } from '../../../core/errors.ts';
import { errorBody, httpError } from '../http/http-error.ts';
import { UnsupportedError } from '../arch/types.ts';
import type { ListeningServer } from '../listen.ts';
import type { AppRef, FetchHandler } from './app-module.ts';
import { appFailure, notAResponse, responseFromWire, type WireBackend } from './wire.ts';

/** Which listener served an app: the runtime's own, or node:http. */
export type AppFront = 'node:http' | 'Bun.serve' | 'Deno.serve';

interface NativeOptions {
  hostname: string;
  port: number;
  reusePort: boolean;
  fetch(request: Request): Response | Promise<Response>;
}

/** One native server, whichever runtime made it. */
interface NativeHandle {
  hostname: string;
  port: number;
  /** Bun: stop(false) lets requests finish, stop(true) drops them. Deno: a graceful shutdown either way. */
  stop(force: boolean): Promise<void>;
}

interface RuntimeGlobals {
  Bun?: {
    serve(options: NativeOptions & { idleTimeout: number }): {
      hostname: string;
      port: number;
      stop(closeActiveConnections?: boolean): Promise<void> | void;
    };
  };
  Deno?: {
    serve(
      options: Omit<NativeOptions, 'fetch'> & { onListen(): void },
      handler: (request: Request) => Response | Promise<Response>,
    ): { addr: { hostname: string; port: number }; shutdown(): Promise<void> };
  };
}

/** Seconds a Bun connection may idle (its cap is 255). */
function idleSeconds(requestTimeoutMs: number): number {
  return Math.min(255, Math.max(1, Math.ceil(requestTimeoutMs / 1000)));
}

/** The runtime's own server, if it has one: a name and how to start it. */
function nativeServe():
  { name: AppFront; serve(options: NativeOptions, requestTimeoutMs: number): NativeHandle } | undefined {
  const g = globalThis as RuntimeGlobals;
  const bun = g.Bun;
  if (bun) {
    return {
      name: 'Bun.serve',
      serve(options, requestTimeoutMs) {
        const server = bun.serve({ ...options, idleTimeout: idleSeconds(requestTimeoutMs) });
        return {
          hostname: server.hostname,
          port: server.port,
          stop: async (force) => void (await server.stop(force)),
        };
      },
    };
  }
  const deno = g.Deno;
  if (deno) {
    return {
      name: 'Deno.serve',
      serve(options) {
        const { hostname, port, reusePort } = options;
        // onListen given: Deno.serve otherwise prints "Listening on ..." to stdout, a unit's message channel.
        const server = deno.serve({ hostname, port, reusePort, onListen: () => undefined }, (request) =>
          options.fetch(request),
        );
        return { hostname: server.addr.hostname, port: server.addr.port, stop: () => server.shutdown() };
      },
    };
  }
  return undefined;
}

/**
 * The front a unit serves the app with: the runtime's own server for a fetch
 * app on Bun or Deno, outside node:cluster; node:http otherwise.
 */
export function appFront(app: Pick<AppRef, 'kind'>): AppFront {
  const native = nativeServe();
  return app.kind === 'fetch' && native !== undefined && !cluster.isWorker ? native.name : 'node:http';
}

export function usesNativeFront(app: Pick<AppRef, 'kind'>): boolean {
  return appFront(app) !== 'node:http';
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
}): ListeningServer {
  const native = nativeServe();
  if (native === undefined) throw new Error('no native server in this runtime');
  const server = native.serve(
    { hostname: options.host, port: options.port, reusePort: options.reusePort, fetch: options.fetch },
    options.requestTimeoutMs,
  );
  return {
    host: server.hostname,
    port: server.port,
    async close(graceMs) {
      let timer: NodeJS.Timeout | undefined;
      const forced = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          void server.stop(true).catch(() => undefined);
          resolve();
        }, graceMs);
      });
      await Promise.race([server.stop(false).catch(() => undefined), forced]);
      clearTimeout(timer);
    },
  };
}

/** Can two native servers share a port with reusePort here? Asked by trying, like reuse-port-probe.ts. */
export async function requireNativeReusePort(host: string): Promise<void> {
  const native = nativeServe();
  if (native === undefined) return;
  const fetch = (): Response => new Response(null, { status: 204 });
  const first = native.serve({ hostname: host, port: 0, reusePort: true, fetch }, 1000);
  try {
    await native.serve({ hostname: host, port: first.port, reusePort: true, fetch }, 1000).stop(true);
  } catch (error) {
    throw new UnsupportedError(
      'reusePort',
      `a second ${native.name} listener on the same port failed: ${(error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error))}`,
    );
  } finally {
    await first.stop(true).catch(() => undefined);
  }
}
