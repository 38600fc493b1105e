#!/usr/bin/env node
// conlab is written in TypeScript and run without a build step: Node >= 22.18
// strips types itself. Under an older node (e.g. a system Node 20) re-run with
// the Node 24 the project installs as a devDependency.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const stripsTypes = major > 22 || (major === 22 && minor >= 18);
const isBunOrDeno = 'Bun' in globalThis || 'Deno' in globalThis;

if (stripsTypes || isBunOrDeno) {
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
