/**
 * A user's server app: which handler a module exports, and importing it.
 *
 * Recognised, in this order (the first that fits wins):
 *   1. a default export with a `fetch` method: `export default { fetch }`,
 *      a Hono app, anything written for Bun.serve / Deno.serve / Workers →
 *      a fetch handler `(request: Request) => Response | Promise<Response>`;
 *   2. a named export `listener` that is a function → a Node request
 *      listener `(req, res)`;
 *   3. a default-exported function that declares two or more parameters
 *      (`(req, res)`, Express's `(req, res, next)`) → a Node listener.
 * A default-exported function of one parameter is refused rather than
 * guessed: it could be either, and guessing wrong measures nothing.
 *
 * Subject side (node: modules only): the probe, every unit, every pool
 * thread and every spawned child import the module through loadApp.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';

export type FetchHandler = (request: Request) => Response | Promise<Response>;
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => unknown;
export type AppKind = 'fetch' | 'listener';

/** What the driver found in the module (by the probe) and passes to every unit with the server config. */
export interface AppRef {
  /** Absolute path of the module. */
  path: string;
  kind: AppKind;
  /** Where the handler came from: "default export" or "named export 'listener'". */
  from: string;
}

export type LoadedApp =
  | { kind: 'fetch'; from: string; fetch: FetchHandler }
  | { kind: 'listener'; from: string; listener: NodeListener };

export type Classified = { ok: true; app: LoadedApp } | { ok: false; exports: string[] };

/** "fetch handler (default export)", as `serve` and `bench-server` print it. */
export function describeApp(app: Pick<AppRef, 'kind' | 'from'>): string {
  return `${app.kind === 'fetch' ? 'fetch handler' : 'Node listener'} (${app.from})`;
}

function hasFetch(value: unknown): value is { fetch: (request: Request) => unknown } {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { fetch?: unknown }).fetch === 'function'
  );
}

/** One export as the refusal lists it: "default (function, 1 parameter)", "handler (object)". */
function describeExport(name: string, value: unknown): string {
  if (typeof value === 'function') {
    const n = (value as (...args: unknown[]) => unknown).length;
    return `${name} (function, ${n} parameter${n === 1 ? '' : 's'})`;
  }
  return `${name} (${value === null ? 'null' : typeof value})`;
}

export function classifyApp(namespace: Record<string, unknown>): Classified {
  const fallback = namespace.default;
  if (hasFetch(fallback)) {
    // Called as a method: a Workers-style object may use `this`.
    const target = fallback;
    return {
      ok: true,
      app: { kind: 'fetch', from: 'default export', fetch: (request) => target.fetch(request) as Response },
    };
  }
  const named = namespace.listener;
  if (typeof named === 'function') {
    return {
      ok: true,
      app: { kind: 'listener', from: "named export 'listener'", listener: named as NodeListener },
    };
  }
  if (typeof fallback === 'function' && fallback.length >= 2) {
    return {
      ok: true,
      app: { kind: 'listener', from: 'default export', listener: fallback as NodeListener },
    };
  }
  return {
    ok: false,
    exports: Object.keys(namespace)
      .sort()
      .map((name) => describeExport(name, namespace[name])),
  };
}

/** The line the app probe (probe.ts) prints, after this mark, for the driver's check. */
export const PROBE_MARK = 'conlab-app-probe ';

export type ProbeAnswer =
  | { ok: true; kind: AppKind; from: string }
  | { ok: false; stage: 'shape'; exports: string[] }
  | { ok: false; stage: 'load'; reason: string };

/** Imports the module (the caller reports a throw as a load failure) and classifies it. */
export async function importApp(path: string): Promise<Classified> {
  const namespace = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  return classifyApp(namespace);
}

/** Imports the app a unit, pool thread or child was given; the driver's probe already checked it, so a mismatch is an error. */
export async function loadApp(ref: AppRef): Promise<LoadedApp> {
  const classified = await importApp(ref.path);
  if (!classified.ok)
    throw new Error(`${ref.path} no longer exports a handler (${classified.exports.join(', ')})`);
  if (classified.app.kind !== ref.kind) {
    throw new Error(
      `${ref.path} exports a ${classified.app.kind} handler now, not the ${ref.kind} it was probed with`,
    );
  }
  return classified.app;
}
