/**
 * Driver side: start a server subject under a runtime with the subject
 * launcher (fresh process group, typed messages, readiness deadline), and
 * stop it so that nothing is left: SIGTERM to the primary, a bounded wait,
 * then a scan of its process group and SIGKILL for anything still there
 * (reported, because it means a unit did not obey the shutdown). Readiness
 * is the subject's `ready` message (src/servers/protocol.ts); the human
 * "listening ..." line that `conlab serve` prints is made from it here.
 */
import { fileURLToPath } from 'node:url';
import { ErrorCodes, LabError } from '../../core/errors.ts';
import { hostForUrl } from '../../core/net-address.ts';
import { launchSubject, SubjectFailure, type Subject } from '../../core/subject/launcher.ts';
import type { ExitStatus, StopReport } from '../../core/subject/launcher.ts';
import type { EventLoopStats } from '../../monitor/types.ts';
import type { RuntimeSpec } from '../../runtimes/registry.ts';
import type { ServerConfig } from '../config.ts';
import { isFromServer, type FromServer, type ServerReady, type ToServer } from '../protocol.ts';

export type { StopReport } from '../../core/subject/launcher.ts';

const entryPath = fileURLToPath(new URL('../subject/main.ts', import.meta.url));

/** The human line `conlab serve` prints; groups: scheme, host (IPv6 in brackets), port, pid. */
export const LISTENING_RE = /^listening (http|tcp):\/\/(\[[^\]]+\]|[^\s:]+):(\d+) pid=(\d+)/;

/** host:port for a URL: an IPv6 address goes in brackets. */
export function hostPort(host: string, port: number): string {
  return `${hostForUrl(host)}:${port}`;
}

/** "listening http://127.0.0.1:PORT pid=N arch=A workers=W threads=T runtime=R[ mode=M][ front=F]" from a ready message. */
export function listeningLine(ready: ServerReady): string {
  const mode = ready.tcpMode === undefined ? '' : ` mode=${ready.tcpMode}`;
  const front = ready.front === undefined ? '' : ` front=${ready.front}`;
  return `listening ${ready.protocol}://${hostPort(ready.host, ready.port)} pid=${ready.pid} arch=${ready.arch} workers=${ready.workers} threads=${ready.threads} runtime=${ready.runtime}${mode}${front}`;
}

export interface LaunchedServer {
  pid: number;
  port: number;
  /** http://host:port or tcp://host:port, with the address the server really bound. */
  url: string;
  /** The human "listening ..." line (listeningLine). */
  line: string;
  /** The server's own readiness message. */
  ready: ServerReady;
  /** Resolves when the primary has exited. */
  exited: Promise<ExitStatus>;
  stderrTail(): string;
  /** The measured window begins: every event loop of the server restarts its probe. */
  startMeasuring(): void;
  /** Every event loop of the server since startMeasuring() (primary first); [] if it does not answer in time. */
  eventLoopStats(timeoutMs?: number): Promise<EventLoopStats[]>;
  /** SIGTERM, wait up to waitMs, sweep the group. `restarts` and `poolRestarts` are what the server said as it stopped. */
  stop(waitMs?: number): Promise<StopReport & { restarts?: number; poolRestarts?: number }>;
}

export type LaunchOutcome = { kind: 'ok'; server: LaunchedServer } | { kind: 'unsupported'; reason: string };

export interface LaunchOptions {
  /** Readiness deadline. */
  startTimeoutMs?: number;
  /** Forward the subject's stderr to ours (otherwise kept as a tail for failure reasons). */
  inheritStderr?: boolean;
}

export async function launchServer(
  config: ServerConfig,
  runtime: RuntimeSpec,
  options: LaunchOptions = {},
): Promise<LaunchOutcome> {
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const what = `server ${config.arch} on ${runtime.label}`;
  let subject: Subject<FromServer, ToServer>;
  try {
    subject = launchSubject<FromServer, ToServer>({
      command: runtime.binPath,
      args: runtime.scriptArgs(entryPath, [JSON.stringify(config)]),
      label: what,
      accepts: isFromServer,
      stderr: options.inheritStderr ? 'inherit' : 'tail',
    });
  } catch (error) {
    throw new LabError(ErrorCodes.SUBJECT_FAILED, `could not start ${runtime.binPath}: ${String(error)}`, {
      exitCode: 1,
    });
  }
  let ready: ServerReady;
  try {
    ready = await subject.waitReady(startTimeoutMs);
  } catch (error) {
    const failure = error instanceof SubjectFailure ? error : new SubjectFailure(String(error));
    await subject.stop({ graceMs: 0, settleMs: 0 });
    if (failure.unsupported) return { kind: 'unsupported', reason: failure.message };
    // An exit or a timeout names the server already; a failure it reported itself does not.
    const message = failure.message.includes(what) ? failure.message : `${what}: ${failure.message}`;
    throw new LabError(ErrorCodes.SUBJECT_FAILED, message, { exitCode: 1 });
  }
  return { kind: 'ok', server: launchedServer(subject, ready) };
}

function launchedServer(subject: Subject<FromServer, ToServer>, ready: ServerReady): LaunchedServer {
  const tail = (): string => subject.stderrTail().trim().split('\n').slice(-5).join(' | ');
  // After readiness the subject speaks only when asked (stats) and as it stops (done); a late answer
  // to an earlier question is skipped, so each caller gets the message it waits for or null.
  const nextOf = async <T extends FromServer['t']>(
    kind: T,
    timeoutMs: number,
  ): Promise<Extract<FromServer, { t: T }> | null> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = await subject
        .next(Math.max(0, deadline - Date.now()), `${subject.label} to answer`)
        .catch(() => null);
      if (message === null) return null;
      if (message.t === kind) return message as Extract<FromServer, { t: T }>;
    }
  };
  return {
    pid: subject.pid,
    port: ready.port,
    url: `${ready.protocol}://${hostPort(ready.host, ready.port)}`,
    line: listeningLine(ready),
    ready,
    exited: subject.exited,
    stderrTail: tail,
    startMeasuring: () => subject.send({ t: 'measure' }),
    async eventLoopStats(timeoutMs = 5000) {
      subject.send({ t: 'stats' });
      return (await nextOf('stats', timeoutMs))?.eventLoop ?? [];
    },
    async stop(waitMs = 15_000) {
      const report = await subject.stop({ signal: 'SIGTERM', graceMs: waitMs });
      const done = await nextOf('done', 0);
      return done ? { ...report, restarts: done.restarts, poolRestarts: done.poolRestarts } : report;
    },
  };
}
