/**
 * Helpers for the seed tests: run the real CLI, make a private temporary
 * root per test (so leftovers can be counted), and find processes that
 * still mention it (orphans).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export { conlabBin as bin, runConlab as runCli, type CliResult } from '../fixtures/cli.ts';
export { isAlive as alive } from '../fixtures/orphans.ts';
import { conlabBin as bin } from '../fixtures/cli.ts';

export function startCli(args: string[]): ChildProcess {
  return spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

export function makeTempRoot(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `conlab-seedtest-${prefix}-`));
}

export function removeTempRoot(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * A results store of a test's own, so that runs (every preset and pipeline
 * run is stored) never land in the CLI's default ./conlab-results.
 */
export function tempStore(prefix: string): { args: string[]; path: string; remove(): void } {
  const dir = makeTempRoot(`store-${prefix}`);
  const path = join(dir, 'results.db');
  return { args: ['--store', path], path, remove: () => removeTempRoot(dir) };
}

export function entriesIn(dir: string): string[] {
  return readdirSync(dir);
}

/** PIDs of live processes whose command line contains `needle` (e.g. a test's private temp root). */
export function processesMentioning(needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const state = /\) (\S) /.exec(readFileSync(`/proc/${entry}/stat`, 'utf8'))?.[1];
      if (cmdline.includes(needle) && state !== 'Z') found.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return found;
}

export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Kills a process (and, for detached subjects, its group) if a failed test left it running. */
export function killQuietly(pid: number | undefined): void {
  if (pid === undefined) return;
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** A simple CSV (no quoted commas, as the seed CSVs are) into its header line and rows by column name. */
export function parseCsv(text: string): { header: string; rows: Record<string, string>[] } {
  const [header = '', ...lines] = text.trimEnd().split('\n');
  const names = header.split(',');
  return {
    header,
    rows: lines.map((line) =>
      Object.fromEntries(line.split(',').map((value, i) => [names[i] ?? `${i}`, value])),
    ),
  };
}
