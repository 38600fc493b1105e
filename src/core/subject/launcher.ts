/**
 * The one way a driver starts a subject (a batch repetition, a server, a
 * pipeline run, a capability probe): spawned detached, so it leads its own
 * process group and one kill(-pgid) ends it with everything it started;
 * typed messages over its stdin/stdout (protocol.ts), stray stdout lines
 * kept aside; a readiness deadline; a stderr tail for failure reasons; and
 * a stop that asks politely, waits a bounded time, then sweeps the group and
 * reports what had to be killed. Every group is tracked by the exit hook
 * from spawn to sweep, so no way of ending the driver leaves it running.
 *
 * It takes a command, its arguments and an environment — not a runtime —
 * because core is the lowest layer; callers build the command line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { trackGroup, untrackGroup } from './exit-hook.ts';
import { killGroup, waitGroupEmpty } from './process-group.ts';
import { encodeLine, readMessages, type Failure, type Message } from './protocol.ts';

export interface LaunchSpec<In extends Message> {
  command: string;
  args: readonly string[];
  /** Default: the driver's own environment. */
  env?: NodeJS.ProcessEnv;
  /** What the subject is, for failure reasons: "subject", "server cluster on node@24.21.0". */
  label: string;
  /** Which stdout lines are protocol messages from this subject. */
  accepts: (value: unknown) => value is In;
  /** 'tail' (default): kept for failure reasons. 'inherit': shown on the driver's stderr as it comes. */
  stderr?: 'tail' | 'inherit';
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StopReport {
  /** The subject's main process exited by itself, with status 0, within the grace period. */
  graceful: boolean;
  exitCode: number | null;
  /** PIDs still in the group after the main process exited (killed with SIGKILL). */
  leftovers: number[];
}

export interface StopOptions<Out> {
  /** Asked first over stdin (e.g. the batch subject's `stop`). */
  message?: Out;
  /** Sent to the main process only (e.g. SIGTERM to a server primary, which stops its own units). */
  signal?: NodeJS.Signals;
  /** How long the main process may take to exit after being asked. */
  graceMs: number;
  /** How long its units may take to follow it out of the group before they count as leftovers; default 2 s. */
  settleMs?: number;
}

/** A subject that failed, said it cannot run here (`unsupported`), or did not answer in time. */
export class SubjectFailure extends Error {
  readonly unsupported: boolean;

  constructor(reason: string, unsupported = false) {
    super(reason);
    this.name = 'SubjectFailure';
    this.unsupported = unsupported;
  }
}

/** The line of a dead process's stderr that says why: its last error line, else its last line. */
export function stderrSummary(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && line !== '}' && !line.startsWith('at '));
  const errorLine = lines.findLast((line) => /error|ERR_|unsupported/i.test(line));
  return (errorLine ?? lines.at(-1) ?? '').slice(0, 300);
}

const TAIL_CHARS = 4000;
const STRAY_LINES = 20;
/** After the main process exits, how long its last stdout lines may take to arrive (units may hold the pipe). */
const DRAIN_MS = 200;

type Waiter<In> = { resolve(message: In): void; reject(error: Error): void };

export class Subject<In extends Message, Out extends Message> {
  /** The subject's PID, which is also its process group id. */
  readonly pid: number;
  readonly label: string;
  /** Resolves when the main process has exited and its output has been read. */
  readonly exited: Promise<ExitStatus>;
  private readonly child: ChildProcess;
  private readonly inbox: In[] = [];
  private waiter: Waiter<In> | undefined;
  private status: ExitStatus | undefined;
  private stderrText = '';
  /** Why the spawn itself failed (ENOENT, EACCES), if it did: the best exit reason there is. */
  private spawnError = '';
  private readonly stray: string[] = [];
  private stopping: Promise<StopReport> | undefined;

  constructor(spec: LaunchSpec<In>) {
    this.label = spec.label;
    this.child = spawn(spec.command, spec.args, {
      detached: true,
      stdio: ['pipe', 'pipe', spec.stderr === 'inherit' ? 'inherit' : 'pipe'],
      env: spec.env ?? process.env,
    });
    // A failed spawn emits 'error' (and has no pid): without a listener it would crash the driver.
    this.child.on('error', (error) => (this.spawnError = error.message));
    if (this.child.pid === undefined) throw new Error(`could not start ${spec.command}`);
    this.pid = this.child.pid;
    trackGroup(this.pid);
    // EPIPE when the subject died first; its exit is what gets reported.
    this.child.stdin?.on('error', () => undefined);
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (text: string) => {
      this.stderrText = (this.stderrText + text).slice(-TAIL_CHARS);
    });
    readMessages(
      this.child.stdout,
      spec.accepts,
      (message) => this.deliver(message),
      (line) => {
        this.stray.push(line);
        if (this.stray.length > STRAY_LINES) this.stray.shift();
      },
    );
    const stdoutEnded = new Promise<void>((resolve) => this.child.stdout?.once('end', resolve));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        const drained = new Promise((done) => setTimeout(done, DRAIN_MS).unref());
        void Promise.race([stdoutEnded, drained]).then(() => {
          this.status = { code, signal };
          this.waiter?.reject(new Error(this.exitReason()));
          this.waiter = undefined;
          resolve(this.status);
        });
      });
    });
  }

  /** Sends one message on the subject's stdin (dropped if it is gone). */
  send(message: Out): void {
    if (this.child.stdin?.writable) this.child.stdin.write(encodeLine(message));
  }

  /** The next message; rejects when the subject is gone or after timeoutMs. */
  next(timeoutMs: number, what: string): Promise<In> {
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve(queued);
    if (this.status !== undefined) return Promise.reject(new Error(this.exitReason()));
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

  /**
   * The readiness handshake: the subject's `ready` within the deadline.
   * Throws SubjectFailure for its `error` (unsupported or not), for any other
   * first message, for its exit and for the deadline.
   */
  async waitReady(timeoutMs: number): Promise<Extract<In, { t: 'ready' }>> {
    let first: In;
    try {
      first = await this.next(timeoutMs, `${this.label} to be ready`);
    } catch (error) {
      throw new SubjectFailure(error instanceof Error ? error.message : String(error));
    }
    if (first.t === 'ready') return first as Extract<In, { t: 'ready' }>;
    if (first.t === 'error') {
      const failure = first as unknown as Failure;
      throw new SubjectFailure(failure.reason, failure.unsupported === true);
    }
    throw new SubjectFailure(`${this.label} said '${first.t}' before it was ready`);
  }

  /** The last few KiB of stderr (empty when it is inherited). */
  stderrTail(): string {
    return this.stderrText;
  }

  /** The last stdout lines that were not protocol messages. */
  strayLines(): string[] {
    return [...this.stray];
  }

  /**
   * Asks the subject to stop (message, signal, its stdin closed), waits up
   * to graceMs for it to exit, lets its units follow for up to settleMs,
   * then SIGKILLs whatever is left of the group and reports it. Never
   * throws; a second call returns the first call's report.
   */
  stop(options: StopOptions<Out>): Promise<StopReport> {
    this.stopping ??= this.stopOnce(options);
    return this.stopping;
  }

  private async stopOnce(options: StopOptions<Out>): Promise<StopReport> {
    if (this.status === undefined) {
      if (options.message) this.send(options.message);
      if (options.signal) this.child.kill(options.signal);
      this.child.stdin?.end();
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), options.graceMs);
    });
    const exit = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    const leftovers = await waitGroupEmpty(this.pid, exit === null ? 0 : (options.settleMs ?? 2000));
    // Always swept: even a clean exit can leave a worker of a broken pool behind.
    killGroup(this.pid);
    // SIGKILL is delivered asynchronously: when stop() returns, the group is gone (bounded, never hangs).
    if (leftovers.length > 0 || exit === null) await waitGroupEmpty(this.pid, 1000, 20);
    untrackGroup(this.pid);
    const status = exit ?? (await this.exited);
    return { graceful: exit !== null && status.code === 0, exitCode: exit?.code ?? null, leftovers };
  }

  private deliver(message: In): void {
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter.resolve(message);
    } else this.inbox.push(message);
  }

  private exitReason(): string {
    const status = this.status;
    const how = status?.signal ? `on ${status.signal}` : `with code ${status?.code ?? '?'}`;
    const detail = this.spawnError || stderrSummary(this.stderrText) || (this.stray.at(-1) ?? '');
    return `${this.label} exited ${how}${detail ? `: ${detail}` : ''}`;
  }
}

/** Starts a subject (see the header); throws only when the command cannot be spawned at all. */
export function launchSubject<In extends Message, Out extends Message>(
  spec: LaunchSpec<In>,
): Subject<In, Out> {
  return new Subject<In, Out>(spec);
}
