/**
 * Which JavaScript runtimes conlab can start subjects under, and how.
 * In a checkout the Node 24, Bun and Deno binaries come from npm packages
 * (devDependencies) so every machine gets the same ones. Installed as a
 * package in someone's project, conlab looks for them in that project's
 * node_modules/.bin (from the current folder up), then on PATH; `node` falls
 * back to the node running conlab. `system-node` is whatever `node` is on
 * PATH outside node_modules. A user may also give a path.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, LabError, unknownName } from '../core/errors.ts';
import { DENO_RUN_ARGS } from '../core/runtime-info.ts';

export type RuntimeKind = 'node' | 'bun' | 'deno';

export interface RuntimeSpec {
  /** The name the user types: node, bun, deno, system-node, or a path. */
  name: string;
  kind: RuntimeKind;
  version: string;
  /** `kind@version`, stored with every result. */
  label: string;
  binPath: string;
  /** argv (after binPath) that runs a TypeScript script file with its arguments. */
  scriptArgs(scriptPath: string, args?: string[]): string[];
}

/** conlab's own node_modules/.bin: present in a checkout after npm install, absent in an installed package (its dependencies are hoisted). */
const ownBinDir = fileURLToPath(new URL('../../node_modules/.bin/', import.meta.url));

// Nothing may reach the network at run time: Deno otherwise checks for a newer
// release in the background. Set once here, where every subject's runtime is
// resolved, so that every child process inherits it.
process.env.DENO_NO_UPDATE_CHECK ??= '1';

const knownRuntimes: Record<string, { kind: RuntimeKind; bin: () => string | null }> = {
  node: { kind: 'node', bin: () => findInBinDirs('node') ?? runningNode() },
  bun: { kind: 'bun', bin: () => findInBinDirs('bun') ?? findOnPath('bun') },
  deno: { kind: 'deno', bin: () => findInBinDirs('deno') ?? findOnPath('deno') },
  'system-node': { kind: 'node', bin: () => findOnPathOutsideProject('node') },
};

/** How to add a runtime that is not found, for errors and `conlab runtimes`. */
export function installHint(name: string): string {
  if (name === 'system-node') return 'install node on PATH';
  if (existsSync(ownBinDir)) return "run 'npm install' (it installs node@24, bun and deno)";
  return `install it in your project ('npm install -D ${name === 'node' ? 'node@24' : name}') or put '${name}' on PATH`;
}

/** node_modules/.bin folders, nearest first: conlab's own, then the current project's and its parents'. */
function binDirs(): string[] {
  const dirs = [ownBinDir];
  let dir = process.cwd();
  for (;;) {
    dirs.push(join(dir, 'node_modules', '.bin'));
    const parent = dirname(dir);
    if (parent === dir) return dirs;
    dir = parent;
  }
}

function findInBinDirs(command: string): string | null {
  for (const dir of binDirs()) {
    const found = existingPath(join(dir, command));
    if (found) return found;
  }
  return null;
}

function findOnPath(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir === '') continue;
    const found = existingPath(join(dir, command));
    if (found) return found;
  }
  return null;
}

/** The node binary running conlab itself (not when conlab runs under Bun or Deno). */
function runningNode(): string | null {
  return 'Bun' in globalThis || 'Deno' in globalThis ? null : process.execPath;
}

export const knownRuntimeNames = Object.keys(knownRuntimes);

function existingPath(path: string): string | null {
  return existsSync(path) ? path : null;
}

function findOnPathOutsideProject(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir === '' || dir.includes('node_modules')) continue;
    const candidate = `${dir}/${command}`;
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

function scriptArgsFor(kind: RuntimeKind): (scriptPath: string, args?: string[]) => string[] {
  // Deno needs explicit permissions; subjects read files, spawn, listen and use FFI-free node: APIs.
  if (kind === 'deno') return (script, args = []) => [...DENO_RUN_ARGS, script, ...args];
  return (script, args = []) => [script, ...args];
}

interface VersionAnswer {
  kind: RuntimeKind;
  version: string;
}

const versionCache = new Map<string, VersionAnswer>();

/**
 * What `--version` says tells the runtime apart better than the file name:
 * node prints "v24.1.0", deno "deno 2.9.6 (...)", bun a bare "1.4.5". A bare
 * version is taken as bun only when the file is called bun*, so any other
 * tool that prints a version is refused.
 */
export function identifyRuntime(output: string, binPath: string): VersionAnswer | null {
  const text = output.trim();
  const base = binPath.split('/').pop() ?? '';
  let match = /^deno (\d+\.\d+\.\d+)/m.exec(text);
  if (match?.[1]) return { kind: 'deno', version: match[1] };
  match = /^v(\d+\.\d+\.\d+)(?:-[\w.]+)?$/.exec(text);
  if (match?.[1]) return { kind: 'node', version: match[1] };
  match = /^(\d+\.\d+\.\d+)(?:[-+][\w.]+)?$/.exec(text);
  if (match?.[1] && base.startsWith('bun')) return { kind: 'bun', version: match[1] };
  return null;
}

function probeVersion(binPath: string): VersionAnswer {
  const cached = versionCache.get(binPath);
  if (cached) return cached;
  let output: string;
  try {
    output = execFileSync(binPath, ['--version'], {
      encoding: 'utf8',
      timeout: 15_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    throw new LabError(
      ErrorCodes.UNKNOWN_RUNTIME,
      `'${binPath}' did not answer --version as a JavaScript runtime${foundSuffix()}`,
      { hint: 'give the path of a node, bun or deno binary', cause: error },
    );
  }
  const answer = identifyRuntime(output, binPath);
  if (!answer) {
    throw new LabError(
      ErrorCodes.UNKNOWN_RUNTIME,
      `'${binPath}' is not a node, bun or deno binary (its --version said '${(output.trim().split('\n')[0] ?? '').slice(0, 60)}')${foundSuffix()}`,
      { hint: 'give the path of a node, bun or deno binary' },
    );
  }
  versionCache.set(binPath, answer);
  return answer;
}

/** " → found: node@24.21.0, bun@1.4.5, ..." for errors, so a user sees what they can pick. */
function foundSuffix(): string {
  const found: string[] = [];
  for (const [name, known] of Object.entries(knownRuntimes)) {
    const binPath = known.bin();
    if (!binPath) continue;
    try {
      found.push(`${name} (${probeVersion(binPath).kind}@${probeVersion(binPath).version})`);
    } catch {
      // a broken install is simply not "found"
    }
  }
  return found.length > 0 ? ` → found: ${found.join(', ')}` : ' → no runtime found';
}

function specFor(name: string, binPath: string): RuntimeSpec {
  const { kind, version } = probeVersion(binPath);
  return { name, kind, version, label: `${kind}@${version}`, binPath, scriptArgs: scriptArgsFor(kind) };
}

/** Resolves a runtime name (or a path to a binary) to a spec, with its version probed once. */
export function resolveRuntime(name: string): RuntimeSpec {
  const known = knownRuntimes[name];
  if (known) {
    const binPath = known.bin();
    if (!binPath) {
      throw new LabError(ErrorCodes.UNKNOWN_RUNTIME, `runtime '${name}' is not installed${foundSuffix()}`, {
        hint: installHint(name),
      });
    }
    return specFor(name, binPath);
  }
  if (name.includes('/')) {
    if (!existsSync(name) || !statSync(name).isFile()) {
      throw new LabError(
        ErrorCodes.UNKNOWN_RUNTIME,
        `runtime path '${name}' does not exist or is not a file${foundSuffix()}`,
        {
          hint: `use one of ${knownRuntimeNames.join(', ')} or the path of a node/bun/deno binary`,
        },
      );
    }
    return specFor(name, name);
  }
  const error = unknownName(ErrorCodes.UNKNOWN_RUNTIME, 'runtime', name, [
    ...knownRuntimeNames,
    '<path to a binary>',
  ]);
  throw new LabError(error.code, `${error.message}${foundSuffix()}`, error.hint ? { hint: error.hint } : {});
}

export interface DiscoveredRuntime {
  /** node, bun, deno, system-node, or the path the user gave. */
  name: string;
  /** The resolved runtime, or null when it is not there / not usable. */
  spec: RuntimeSpec | null;
  /** Why spec is null. */
  error?: string;
}

/**
 * Every runtime conlab knows how to find (the pinned node, bun, deno from
 * node_modules, the system node on PATH) plus any paths the user gives.
 * Never throws: a missing or broken runtime is listed with the reason.
 */
export function discoverRuntimes(userPaths: string[] = []): DiscoveredRuntime[] {
  return [...knownRuntimeNames, ...userPaths].map((name) => {
    try {
      return { name, spec: resolveRuntime(name) };
    } catch (error) {
      const message = error instanceof LabError ? error.message : String(error);
      return { name, spec: null, error: message.split(' → found:')[0] ?? message };
    }
  });
}

/** The runtime used when the user names none: the project's pinned Node 24. */
export function defaultRuntime(): RuntimeSpec {
  return resolveRuntime('node');
}
