#!/usr/bin/env node
// Two ways conlab runs:
// - In its own checkout (src/ is here): the TypeScript sources, no build step.
//   Node >= 22.18, Bun and Deno strip types themselves; under an older node
//   (e.g. a system Node 20) re-run with the Node 24 the project installs.
// - Installed as a package (no src/, dist/ built at pack time): the compiled
//   JavaScript, on Node >= 22.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import module from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const sourceMain = new URL('../src/cli/main.ts', import.meta.url);
const builtMain = new URL('../dist/cli/main.js', import.meta.url);
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const isBunOrDeno = 'Bun' in globalThis || 'Deno' in globalThis;
const stripsTypes = isBunOrDeno || major > 22 || (major === 22 && minor >= 18);

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

async function runMain(url) {
  const { main } = await import(url.href);
  process.exitCode = await main(process.argv.slice(2));
}

function refuse(message, hint) {
  process.stderr.write(`conlab: LAB_E_UNSUPPORTED: ${message}\n  hint: ${hint}\n`);
  process.exit(2);
}

if (existsSync(fileURLToPath(sourceMain))) {
  if (stripsTypes) {
    enableCompileCacheEarly();
    await runMain(sourceMain);
  } else {
    const pinned = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
    if (!existsSync(pinned)) {
      refuse(
        `node ${process.versions.node} cannot run TypeScript`,
        "run 'npm install' (it installs Node 24), or use node >= 22.18",
      );
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
} else if (!isBunOrDeno && major < 22) {
  refuse(
    `conlab needs Node.js 22 or newer; this is node ${process.versions.node} (Node 20 reached end of life in April 2026)`,
    'install Node 22 or 24 (or `npm install -D node@24` in this project and run conlab through npx)',
  );
} else if (!existsSync(fileURLToPath(builtMain))) {
  refuse('this copy of conlab has neither src/ nor dist/', 'reinstall the package (npm pack builds dist/)');
} else {
  enableCompileCacheEarly();
  await runMain(builtMain);
}
