/**
 * Which JavaScript runtimes conlab can start subjects under, and how.
 * The Node 24, Bun and Deno binaries come from npm packages (devDependencies)
 * so every machine gets the same ones; `system-node` is whatever `node` is
 * on PATH outside node_modules. A user may also give a path.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, LabError, unknownName } from '../core/errors.ts';

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

const binDir = fileURLToPath(new URL('../../node_modules/.bin/', import.meta.url));

const knownRuntimes: Record<string, { kind: RuntimeKind; bin: () => string | null }> = {
  node: { kind: 'node', bin: () => existingPath(`${binDir}node`) },
  bun: { kind: 'bun', bin: () => existingPath(`${binDir}bun`) },
  deno: { kind: 'deno', bin: () => existingPath(`${binDir}deno`) },
  'system-node': { kind: 'node', bin: () => findOnPathOutsideProject('node') },
};

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
  if (kind === 'deno') return (script, args = []) => ['run', '-A', '--quiet', script, ...args];
  return (script, args = []) => [script, ...args];
}

const versionCache = new Map<string, string>();

function probeVersion(binPath: string, kind: RuntimeKind): string {
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
      `'${binPath}' did not answer --version as a JavaScript runtime`,
      {
        hint: 'give the path of a node, bun or deno binary',
        cause: error,
      },
    );
  }
  const match = /(\d+\.\d+\.\d+)/.exec(output);
  if (!match?.[1]) {
    throw new LabError(
      ErrorCodes.UNKNOWN_RUNTIME,
      `'${binPath}' printed no version ('${output.trim().slice(0, 60)}')`,
      {
        hint: 'give the path of a node, bun or deno binary',
      },
    );
  }
  const version = match[1];
  if (kind === 'node' && !/^v/.test(output.trim()) && !/node/i.test(output)) {
    // node prints "v24.1.0"; anything else is not node.
    throw new LabError(
      ErrorCodes.UNKNOWN_RUNTIME,
      `'${binPath}' does not look like node ('${output.trim()}')`,
    );
  }
  versionCache.set(binPath, version);
  return version;
}

function kindFromPath(path: string): RuntimeKind {
  const base = path.split('/').pop() ?? '';
  if (base.startsWith('bun')) return 'bun';
  if (base.startsWith('deno')) return 'deno';
  return 'node';
}

/** Resolves a runtime name (or a path to a binary) to a spec, with its version probed once. */
export function resolveRuntime(name: string): RuntimeSpec {
  const known = knownRuntimes[name];
  let binPath: string | null;
  let kind: RuntimeKind;
  if (known) {
    binPath = known.bin();
    kind = known.kind;
    if (!binPath) {
      throw new LabError(ErrorCodes.UNKNOWN_RUNTIME, `runtime '${name}' is not installed`, {
        hint:
          name === 'system-node'
            ? 'install node on PATH'
            : "run 'npm install' (it installs node@24, bun and deno)",
      });
    }
  } else if (name.includes('/')) {
    if (!existsSync(name)) {
      throw new LabError(ErrorCodes.UNKNOWN_RUNTIME, `runtime path '${name}' does not exist`, {
        hint: `use one of ${knownRuntimeNames.join(', ')} or the path of a node/bun/deno binary`,
      });
    }
    binPath = name;
    kind = kindFromPath(name);
  } else {
    throw unknownName(ErrorCodes.UNKNOWN_RUNTIME, 'runtime', name, knownRuntimeNames);
  }
  const version = probeVersion(binPath, kind);
  return { name, kind, version, label: `${kind}@${version}`, binPath, scriptArgs: scriptArgsFor(kind) };
}

/** The runtime used when the user names none: the project's pinned Node 24. */
export function defaultRuntime(): RuntimeSpec {
  return resolveRuntime('node');
}
