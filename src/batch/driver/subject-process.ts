/**
 * The driver's handle on one subject process: spawned detached (its own
 * process group, so one kill(-pid) ends it and every worker process it
 * started), spoken to with the subject protocol, and always killed at the
 * end. Live subjects are tracked so that a driver exiting for any reason
 * (Ctrl-C, crash) kills them too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RuntimeSpec } from '../../runtimes/registry.ts';
import { readLines } from '../../models/pool/transport.ts';
import { isFromSubject, type FromSubject, type ToSubject } from '../protocol.ts';

export const subjectScriptPath = fileURLToPath(new URL('../subject/main.ts', import.meta.url));

const liveGroups = new Set<number>();

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the whole group is already gone.
  }
}

/** Kills every subject process group still alive (for signal handlers and crash paths). */
export function killAllSubjects(): void {
  for (const pid of liveGroups) killGroup(pid);
  liveGroups.clear();
}

process.on('exit', killAllSubjects);

/** The line of a dead process's stderr that says why: its last error line, else its last line. */
export function stderrSummary(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && line !== '}' && !line.startsWith('at '));
  const errorLine = lines.findLast((line) => /error|ERR_|unsupported/i.test(line));
  return (errorLine ?? lines.at(-1) ?? '').slice(0, 300);
}

type Waiter = { resolve(message: FromSubject): void; reject(error: Error): void };

export class SubjectProcess {
  readonly pid: number;
  private readonly child: ChildProcess;
  private readonly inbox: FromSubject[] = [];
  private waiter: Waiter | undefined;
  private exitReason: string | undefined;
  private stderrTail = '';
  private readonly exited: Promise<void>;

  constructor(runtime: RuntimeSpec) {
    this.child = spawn(runtime.binPath, runtime.scriptArgs(subjectScriptPath), {
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // A failed spawn emits 'error' (and no pid): without a listener it would crash the driver.
    this.child.on('error', () => {});
    if (this.child.pid === undefined) throw new Error(`could not start ${runtime.binPath}`);
    this.pid = this.child.pid;
    liveGroups.add(this.pid);
    this.child.stdin?.on('error', () => {
      // EPIPE when the subject died first; its exit is what gets reported.
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-4000);
    });
    readLines(this.child.stdout, (line) => {
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        return; // not protocol (a runtime's stray output)
      }
      if (!isFromSubject(message)) return;
      if (this.waiter) {
        const waiter = this.waiter;
        this.waiter = undefined;
        waiter.resolve(message);
      } else this.inbox.push(message);
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        const detail = stderrSummary(this.stderrTail);
        this.exitReason = `subject exited ${signal ? `on ${signal}` : `with code ${code}`}${detail ? `: ${detail}` : ''}`;
        this.waiter?.reject(new Error(this.exitReason));
        this.waiter = undefined;
        resolve();
      });
    });
  }

  send(message: ToSubject): void {
    this.child.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  /** The next message from the subject; rejects on exit or timeout. */
  next(timeoutMs: number, what: string): Promise<FromSubject> {
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve(queued);
    if (this.exitReason !== undefined) return Promise.reject(new Error(this.exitReason));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiter = {
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  /** Asks the subject to stop its pools and exit; after graceMs, kills its whole group regardless. */
  async close(graceMs: number): Promise<void> {
    if (this.exitReason === undefined) {
      this.send({ t: 'stop' });
      this.child.stdin?.end();
      await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    }
    // Even after a clean exit, workers of a broken pool could linger in the group: always sweep it.
    killGroup(this.pid);
    liveGroups.delete(this.pid);
    if (this.exitReason === undefined) await this.exited;
  }
}
