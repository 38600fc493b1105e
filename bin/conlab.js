#!/usr/bin/env node
// conlab is written in TypeScript and run without a build step: Node >= 22.18
// strips types itself. Under an older node (e.g. a system Node 20) re-run with
// the Node 24 the project installs as a devDependency.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import module from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const stripsTypes = major > 22 || (major === 22 && minor >= 18);
const isBunOrDeno = 'Bun' in globalThis || 'Deno' in globalThis;

/**
 * Turns on Node's compile cache before the first .ts module loads, so the
 * CLI's modules are neither type-stripped nor compiled again on every run,
 * and sets NODE_COMPILE_CACHE for every process conlab starts. The folder is
 * src/core/compile-cache.ts's compileCacheDir(), repeated here because this
 * file runs before any TypeScript can (test/cli/startup.test.ts checks they
 * agree). A failure is left to src/core/compile-cache.ts to report.
 */
function enableCompileCacheEarly() {
  if (isBunOrDeno || typeof module.enableCompileCache !== 'function') return;
  const { CONLAB_CACHE_DIR: own, XDG_CACHE_HOME: xdg } = process.env;
  const base = own ? own : xdg ? join(xdg, 'conlab') : join(homedir(), '.cache', 'conlab');
  const result = module.enableCompileCache(join(base, 'v8-compile-cache'));
  if (result.directory !== undefined) process.env.NODE_COMPILE_CACHE ??= result.directory;
}

if (stripsTypes || isBunOrDeno) {
  enableCompileCacheEarly();
  const { main } = await import('../src/cli/main.ts');
  const code = await main(process.argv.slice(2));
  process.exitCode = code;
} else {
  const pinned = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(pinned)) {
    process.stderr.write(
      `conlab: LAB_E_UNSUPPORTED: node ${process.versions.node} cannot run TypeScript\n  hint: run 'npm install' (it installs Node 24), or use node >= 22.18\n`,
    );
    process.exit(2);
  }
  const child = spawn(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
