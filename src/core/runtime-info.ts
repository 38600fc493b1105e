/**
 * What runtime is this code running in? Subject code (workloads, models,
 * servers) runs under Node, Bun and Deno, and needs to know which one to
 * start more of itself (child processes) and to label its results.
 */
export type RuntimeName = 'node' | 'bun' | 'deno';

interface RuntimeGlobals {
  Bun?: { version: string };
  Deno?: { version: { deno: string } };
}

export function currentRuntimeName(): RuntimeName {
  const g = globalThis as RuntimeGlobals;
  if (g.Bun) return 'bun';
  if (g.Deno) return 'deno';
  return 'node';
}

export function currentRuntimeVersion(): string {
  const g = globalThis as RuntimeGlobals;
  if (g.Bun) return g.Bun.version;
  if (g.Deno) return g.Deno.version.deno;
  return process.versions.node;
}

/** `name@version`, the label every result carries. */
export function currentRuntimeLabel(): string {
  return `${currentRuntimeName()}@${currentRuntimeVersion()}`;
}

/**
 * How every Deno subject is run: all permissions (subjects read files,
 * spawn, listen), no update check or banner, and --unstable-net, without
 * which Deno.serve refuses `reusePort` (a user's fetch app is served with
 * Deno.serve under every architecture: src/servers/subject/app/native-front.ts).
 */
export const DENO_RUN_ARGS: readonly string[] = ['run', '-A', '--quiet', '--unstable-net'];

/**
 * argv prefix that starts another process of this same runtime running a
 * script: `node file.ts`, `bun file.ts`, `deno run -A ... file.ts`.
 */
export function selfSpawnArgs(scriptPath: string): { command: string; args: string[] } {
  const name = currentRuntimeName();
  if (name === 'deno') return { command: process.execPath, args: [...DENO_RUN_ARGS, scriptPath] };
  return { command: process.execPath, args: [scriptPath] };
}
