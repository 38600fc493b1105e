/** Starting and always cleaning up real subject processes for the monitor and runtime tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import type { TestContext } from 'node:test';

export const burnFixture = new URL('./fixtures/burn.ts', import.meta.url).pathname;

export interface Subject {
  child: ChildProcess;
  pid: number;
  /** PIDs after "ready" on the fixture's first line. */
  readyPids: number[];
  /** Resolves with the first output line starting with prefix (lines already seen included). */
  line(prefix: string, timeoutMs?: number): Promise<string>;
  exited: Promise<void>;
  /** Tells a fixture waiting for it to start (burn.ts burns on the first stdin line). */
  go(): void;
}

/**
 * Spawns a subject in its own process group (so one kill reaches every
 * descendant), waits for its "ready" line, and kills the group when the test
 * ends, pass or fail.
 */
export async function startSubject(
  t: TestContext,
  command: string,
  args: string[],
  timeoutMs = 20_000,
): Promise<Subject> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${command}`);
  t.after(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // the group is already gone
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines: string[] = [];
  let waiters: (() => void)[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      lines.push(buffered.slice(0, nl).trim());
      buffered = buffered.slice(nl + 1);
    }
    for (const wake of waiters) wake();
    waiters = [];
  });
  const line = (prefix: string, lineTimeoutMs = timeoutMs): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`subject ${pid}: no '${prefix}' line in ${lineTimeoutMs} ms`)),
        lineTimeoutMs,
      );
      const check = (): void => {
        const found = lines.find((l) => l.startsWith(prefix));
        if (found !== undefined) {
          clearTimeout(timer);
          resolve(found);
        } else waiters.push(check);
      };
      check();
      void exited.then(() =>
        setTimeout(() => {
          clearTimeout(timer);
          reject(new Error(`subject ${pid} exited without a '${prefix}' line`));
        }, 50),
      );
    });
  const ready = await line('ready');
  const readyPids = ready.split(/\s+/).slice(1).map(Number);
  const go = (): void => {
    child.stdin?.end('go\n');
  };
  return { child, pid, readyPids, line, exited, go };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
