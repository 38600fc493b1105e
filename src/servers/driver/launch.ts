/**
 * Driver side: start a server subject under a runtime in a fresh process
 * group, read its readiness line, and stop it so that nothing is left: SIGTERM
 * to the primary, a bounded wait, then a scan of its process group and
 * SIGKILL for anything still there (reported, because it means a unit did not
 * obey the shutdown). If the driver itself exits, every group it started dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, LabError } from '../../core/errors.ts';
import type { RuntimeSpec } from '../../runtimes/registry.ts';
import type { ServerConfig } from '../config.ts';

const entryPath = fileURLToPath(new URL('../subject/main.ts', import.meta.url));

/** Host: the bound address, IPv6 in brackets (`http://[::1]:PORT`). */
export const LISTENING_RE = /^listening (http|tcp):\/\/(\[[0-9A-Fa-f:.]+\]|[^\s:[\]]+):(\d+) pid=(\d+)/;
export const UNSUPPORTED_RE = /^unsupported on (\S+) \((.*)\)$/;

export interface StopReport {
  /** The primary exited on its own after SIGTERM, within the wait. */
  graceful: boolean;
  exitCode: number | null;
  /** PIDs still in the group after the primary exited (killed with SIGKILL). */
  leftovers: number[];
}

export interface LaunchedServer {
  pid: number;
  port: number;
  /** The address the server bound (from its listening line, without brackets). */
  address: string;
  /** http://host:port or tcp://host:port */
  url: string;
  line: string;
  child: ChildProcess;
  stderrTail(): string;
  stop(waitMs?: number): Promise<StopReport>;
}

export type LaunchOutcome = { kind: 'ok'; server: LaunchedServer } | { kind: 'unsupported'; reason: string };

const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
  });
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

/** PIDs whose process group is `pgid` (Linux /proc); empty where /proc is missing. */
export function groupMembers(pgid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      // Fields after the command name (which may contain spaces): state ppid pgrp ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(entry));
    } catch {
      // Exited while listing.
    }
  }
  return members;
}

export interface LaunchOptions {
  /** Readiness deadline for the listening line. */
  startTimeoutMs?: number;
  /** Forward the subject's stderr to ours (otherwise kept as a tail for failure reasons). */
  inheritStderr?: boolean;
}

export function launchServer(
  config: ServerConfig,
  runtime: RuntimeSpec,
  options: LaunchOptions = {},
): Promise<LaunchOutcome> {
  installExitHook();
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const child = spawn(runtime.binPath, runtime.scriptArgs(entryPath, [JSON.stringify(config)]), {
    detached: true,
    stdio: ['pipe', 'pipe', options.inheritStderr ? 'inherit' : 'pipe'],
  });
  const pid = child.pid;
  if (pid !== undefined) liveGroups.add(pid);
  child.stdin?.on('error', () => undefined);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const stderrTail = (): string => stderr.trim().split('\n').slice(-5).join(' | ');
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  return new Promise((resolve, reject) => {
    let buffered = '';
    let settled = false;
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (pid !== undefined) {
        killGroup(pid, 'SIGKILL');
        liveGroups.delete(pid);
      }
      reject(new LabError(ErrorCodes.SUBJECT_FAILED, message, { exitCode: 1 }));
    };
    const timer = setTimeout(
      () =>
        fail(
          `server ${config.arch} on ${runtime.label} did not print its listening line within ${startTimeoutMs} ms (${stderrTail()})`,
        ),
      startTimeoutMs,
    );
    child.once('error', (error) => fail(`could not start ${runtime.binPath}: ${error.message}`));
    void exited.then(({ code, signal }) => {
      if (settled) return;
      const unsupported = UNSUPPORTED_RE.exec(buffered.split('\n').find((l) => UNSUPPORTED_RE.test(l)) ?? '');
      if (unsupported) {
        settled = true;
        clearTimeout(timer);
        if (pid !== undefined) liveGroups.delete(pid);
        resolve({ kind: 'unsupported', reason: `unsupported on ${unsupported[1]} (${unsupported[2]})` });
        return;
      }
      const failed = /^failed to start (.*)$/m.exec(buffered)?.[1];
      fail(
        `server ${config.arch} on ${runtime.label} exited before it was ready (${signal ?? `code ${code}`}): ${failed ?? stderrTail()}`,
      );
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      if (settled || pid === undefined) return;
      const line = buffered.split('\n').find((l) => LISTENING_RE.test(l));
      const match = line ? LISTENING_RE.exec(line) : null;
      if (!line || !match) return;
      settled = true;
      clearTimeout(timer);
      const port = Number(match[3]);
      resolve({
        kind: 'ok',
        server: {
          pid,
          port,
          address: (match[2] ?? '').replace(/^\[(.*)\]$/, '$1'),
          url: `${match[1]}://${match[2]}:${port}`,
          line,
          child,
          stderrTail,
          stop: (waitMs = 15_000) => stopServer(child, pid, exited, waitMs),
        },
      });
    });
  });
}

async function stopServer(
  child: ChildProcess,
  pid: number,
  exited: Promise<{ code: number | null; signal: string | null }>,
  waitMs: number,
): Promise<StopReport> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), waitMs);
  });
  const result = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  // Units may still be closing a moment after the primary; give them a short, bounded beat.
  let leftovers = groupMembers(pid);
  for (let i = 0; i < 20 && leftovers.length > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    leftovers = groupMembers(pid);
  }
  if (leftovers.length > 0 || result === null) killGroup(pid, 'SIGKILL');
  liveGroups.delete(pid);
  if (result === null) await exited;
  return { graceful: result !== null && result.code === 0, exitCode: result?.code ?? null, leftovers };
}
