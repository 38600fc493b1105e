/**
 * The V8 compile cache for conlab's own processes. Every subject, server
 * unit, pool worker and spawn child is a fresh process that would otherwise
 * type-strip and compile the same modules again (stripping alone loads a
 * WebAssembly compiler: tens of ms per process). Node ≥ 22.1 can keep both
 * the stripped source and V8's code cache on disk (`module.enableCompileCache`).
 *
 * Called once at the top of each entry point. On success it also sets
 * NODE_COMPILE_CACHE for the process's children and worker threads, so they
 * use the cache from their very first module (a call at the top of an ES
 * module runs only after that module's static imports are loaded).
 *
 * Bun and Deno: nothing to turn on. Deno keeps its own transpile and V8 code
 * caches in DENO_DIR by default; Bun transpiles natively and caches only
 * files over 50 KB, and JavaScriptCore bytecode caching exists only for
 * `bun build --bytecode` output (Bun's `module.enableCompileCache` is a stub).
 *
 * The cache is an optimisation, never a requirement: when its folder cannot
 * be created or written, one warning line is printed for the whole process
 * tree (children see CONLAB_COMPILE_CACHE_WARNED) and everything runs
 * uncached. Node checks each entry's hash and recompiles a corrupt one, and
 * a write that fails (disk full) is dropped at exit, both silently.
 */
import module from 'node:module';
import { join } from 'node:path';
import { conlabCacheDir } from './cache-dir.ts';
import { currentRuntimeName } from './runtime-info.ts';

/** Set in the environment once the warning is printed, so a process tree prints it once. */
export const WARNED_ENV = 'CONLAB_COMPILE_CACHE_WARNED';

export type CompileCacheState =
  | { status: 'enabled'; directory: string }
  | { status: 'off'; reason: string }
  | { status: 'failed'; reason: string };

interface CompileCacheApi {
  enableCompileCache?: (directory: string) => { status: number; message?: string; directory?: string };
  constants?: { compileCacheStatus?: { ENABLED: number; ALREADY_ENABLED: number; DISABLED: number } };
}

/** Where conlab's compile cache lives (Node adds a folder per Node version inside). */
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(conlabCacheDir(env), 'v8-compile-cache');
}

let state: CompileCacheState | undefined;

export function enableCompileCache(): CompileCacheState {
  state ??= enable();
  return state;
}

function enable(): CompileCacheState {
  const runtime = currentRuntimeName();
  if (runtime !== 'node') return { status: 'off', reason: `${runtime} has no compile cache to turn on` };
  const api = module as unknown as CompileCacheApi;
  const statuses = api.constants?.compileCacheStatus;
  if (api.enableCompileCache === undefined || statuses === undefined)
    return { status: 'off', reason: `node ${process.versions.node} has no compile cache (needs 22.1)` };
  const result = api.enableCompileCache(compileCacheDir());
  if (result.status === statuses.ENABLED || result.status === statuses.ALREADY_ENABLED) {
    const directory = result.directory ?? compileCacheDir();
    process.env.NODE_COMPILE_CACHE ??= directory;
    return { status: 'enabled', directory };
  }
  if (result.status === statuses.DISABLED)
    return { status: 'off', reason: 'NODE_DISABLE_COMPILE_CACHE is set' };
  const reason = result.message ?? 'unknown reason';
  if (process.env[WARNED_ENV] === undefined) {
    process.env[WARNED_ENV] = '1';
    process.stderr.write(
      `conlab: warning: compile cache off (${compileCacheDir()}: ${reason}) → start-up is slower, results are unaffected → set CONLAB_CACHE_DIR to a writable folder\n`,
    );
  }
  return { status: 'failed', reason };
}
