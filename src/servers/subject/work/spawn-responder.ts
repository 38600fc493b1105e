/**
 * The `spawn` architecture's work path: the parent has accepted and read the
 * request; a freshly started child process of the same runtime answers it.
 * Every request pays a whole runtime start-up, which is the point: it is the
 * cost a pool avoids (seed 004). Children alive at once are capped so that
 * 100 connections cannot fork-bomb the machine; the wait counts in latency.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { selfSpawnArgs } from '../../../core/runtime-info.ts';
import { ErrorCodes } from '../../../core/errors.ts';
import { httpError, type HttpError } from '../http/http-error.ts';
import type { PlainRequest, PlainResponse } from '../http/router.ts';
import type { TcpMode } from '../tcp/tcp-server.ts';
import type { AppRef } from '../app/app-module.ts';

export type OneShotInput =
  | {
      kind: 'http';
      kvPath: string;
      kvKeys: number;
      info: Record<string, unknown>;
      request: Omit<PlainRequest, 'body'> & { bodyB64: string };
    }
  | { kind: 'tcp'; mode: TcpMode; spinIters: number; chunkB64: string }
  /** A user's fetch app: the child imports it and answers one request (src/servers/subject/app/). */
  | {
      kind: 'app';
      app: AppRef;
      request: { method: string; url: string; headers: string[]; bodyB64: string | null };
    };

export type OneShotOutput =
  | { kind: 'http'; answer: PlainResponse | HttpError }
  | { kind: 'tcp'; replyB64: string }
  | { kind: 'app'; response: { status: number; headers: string[]; bodyB64: string } };

const oneShotPath = fileURLToPath(new URL('./one-shot.ts', import.meta.url));

export class ChildSpawner {
  private readonly maxChildren: number;
  private readonly timeoutMs: number;
  private readonly live = new Set<ChildProcess>();
  private readonly waiting: (() => void)[] = [];
  private closed = false;
  /** Children started so far (one per request). */
  spawned = 0;

  constructor(maxChildren: number, timeoutMs: number) {
    this.maxChildren = maxChildren;
    this.timeoutMs = timeoutMs;
  }

  async run(input: OneShotInput): Promise<OneShotOutput> {
    if (this.live.size >= this.maxChildren) await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.closed) throw new Error('server is stopping');
    return new Promise((resolve, reject) => {
      const { command, args } = selfSpawnArgs(oneShotPath);
      const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
      this.spawned++;
      this.live.add(child);
      const out: Buffer[] = [];
      const timer = setTimeout(() => child.kill('SIGKILL'), this.timeoutMs);
      child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
      child.stdin?.on('error', () => undefined);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        this.live.delete(child);
        this.waiting.shift()?.();
        if (code !== 0) {
          reject(new Error(`request child ${child.pid} exited with ${signal ?? `code ${code}`}`));
          return;
        }
        try {
          resolve(JSON.parse(Buffer.concat(out).toString('utf8')) as OneShotOutput);
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
      child.stdin?.end(JSON.stringify(input));
    });
  }

  close(): void {
    this.closed = true;
    for (const resolve of this.waiting.splice(0)) resolve();
    for (const child of this.live) child.kill('SIGKILL');
  }
}

export function childFailure(error: unknown): HttpError {
  return httpError(
    500,
    ErrorCodes.WORKER_DIED,
    `the request's child process failed (${error instanceof Error ? error.message : String(error)}) → a child that answers → retry`,
  );
}
