/**
 * Cross-runtime conformance of skips: the server lab detects a missing
 * capability inside the subject (and says "unsupported on RUNTIME@VERSION"),
 * the capability probe detects it from outside. They must agree on every
 * runtime, so a skip is never a silent gap and a "yes" in `conlab runtimes`
 * is never a server that cannot start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolveRuntime } from '../../src/runtimes/registry.ts';
import { probeCapabilities, type Capability } from '../../src/runtimes/capabilities.ts';

const bin = new URL('../../bin/conlab.js', import.meta.url).pathname;

/** Starts `conlab serve`, returns its first stdout line (listening / unsupported), and always kills its group. */
async function firstServeLine(args: string[]): Promise<{ line: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, 'serve', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = child.pid;
  assert.ok(pid);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve ${args.join(' ')}: no line in 30 s`)), 30_000);
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const newline = stdout.indexOf('\n');
        if (newline >= 0) {
          clearTimeout(timer);
          resolve(stdout.slice(0, newline));
        }
      });
      child.once('exit', () => {
        clearTimeout(timer);
        // An unsupported architecture is reported on stderr by the CLI and exits 3.
        resolve(stdout.split('\n')[0] || stderr);
      });
    });
    return { line, stderr };
  } finally {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

const cases: { arch: string; extra: string[]; capability: Capability }[] = [
  { arch: 'reuseport', extra: [], capability: 'reusePort-http' },
  { arch: 'cluster', extra: [], capability: 'cluster-http' },
  { arch: 'cluster', extra: ['--tcp'], capability: 'cluster-net' },
  { arch: 'reuseport', extra: ['--tcp'], capability: 'reusePort-net' },
];

for (const name of ['node', 'bun', 'deno']) {
  for (const { arch, extra, capability } of cases) {
    test(`${arch}${extra.length > 0 ? ` ${extra.join(' ')}` : ''} on ${name}: the server starts exactly when the probe says ${capability}`, async () => {
      const runtime = resolveRuntime(name);
      const supported = (await probeCapabilities(runtime)).capabilities[capability].supported;
      const { line } = await firstServeLine(['--arch', arch, '--workers', '2', '--runtime', name, ...extra]);
      if (supported)
        assert.match(
          line,
          new RegExp(`^listening (http|tcp)://127\\.0\\.0\\.1:\\d+ .*runtime=${runtime.label}`),
        );
      else assert.match(line, new RegExp(`unsupported on ${runtime.label.replace(/\./g, '\\.')} \\(`));
    });
  }
}
