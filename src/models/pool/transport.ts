/**
 * A transport is one worker as the pool sees it: send batches, receive
 * batches, learn when it died, end it. Threads and child processes differ
 * only here; the pool logic above is shared.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { selfSpawnArgs } from '../../core/runtime-info.ts';
import { encodeLine, isMessageList, readLines } from '../../core/subject/protocol.ts';
import type { FromWorker, ToWorker } from './messages.ts';

export interface Transport {
  readonly pid: number;
  send(message: ToWorker): void;
  onMessages(handler: (messages: FromWorker[]) => void): void;
  /** Called once when the worker ends, with why; expected ends (after stop) too. */
  onExit(handler: (reason: string) => void): void;
  /** Asks the worker to finish, then forces it after graceMs. Resolves when it is gone. */
  close(graceMs: number): Promise<void>;
}

/** Coalesces sends made in the same tick into one batch: one wake-up of the worker per batch. */
class Outbox {
  private queue: ToWorker[] = [];
  private scheduled = false;
  private readonly flushBatch: (batch: ToWorker[]) => void;

  constructor(flushBatch: (batch: ToWorker[]) => void) {
    this.flushBatch = flushBatch;
  }

  push(message: ToWorker): void {
    this.queue.push(message);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.flushBatch(batch);
  }
}

export const threadWorkerUrl = new URL('./thread-worker.ts', import.meta.url);
export const processWorkerPath = new URL('./process-worker.ts', import.meta.url).pathname;

export class ThreadTransport implements Transport {
  readonly pid = process.pid;
  private readonly worker: Worker;
  private readonly outbox: Outbox;
  private exited = false;
  private exitHandler: ((reason: string) => void) | undefined;
  private lastError: string | undefined;
  private readonly exitedPromise: Promise<void>;

  constructor() {
    this.worker = new Worker(threadWorkerUrl);
    // Batches cross as JSON text: cloning one string is cheaper than structured-cloning many small objects.
    this.outbox = new Outbox((batch) => this.worker.postMessage(JSON.stringify(batch)));
    this.worker.on('error', (error: unknown) => {
      this.lastError = error instanceof Error ? error.message : String(error);
    });
    this.exitedPromise = new Promise((resolve) => {
      this.worker.on('exit', (code: number) => {
        this.exited = true;
        this.exitHandler?.(
          this.lastError
            ? `worker thread crashed: ${this.lastError}`
            : `worker thread exited with code ${code}`,
        );
        resolve();
      });
    });
  }

  get threadId(): number {
    return this.worker.threadId;
  }

  send(message: ToWorker): void {
    this.outbox.push(message);
  }

  onMessages(handler: (messages: FromWorker[]) => void): void {
    this.worker.on('message', (text: unknown) => {
      const batch: unknown = typeof text === 'string' ? JSON.parse(text) : undefined;
      if (isMessageList(batch)) handler(batch as FromWorker[]);
    });
  }

  onExit(handler: (reason: string) => void): void {
    this.exitHandler = handler;
  }

  async close(graceMs: number): Promise<void> {
    if (this.exited) return;
    // A thread holds nothing that needs flushing, and Deno's parentPort has no close():
    // terminating is the one way to end a worker that works on every runtime.
    void graceMs;
    await this.worker.terminate();
    await this.exitedPromise;
  }
}

export class ProcessTransport implements Transport {
  readonly pid: number;
  private readonly child: ChildProcess;
  private readonly outbox: Outbox;
  private exited = false;
  private exitHandler: ((reason: string) => void) | undefined;
  private stderrTail = '';
  private readonly exitedPromise: Promise<void>;

  constructor() {
    const { command, args } = selfSpawnArgs(processWorkerPath);
    // Same process group as the subject: the driver's kill(-subjectPid) reaches these too.
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    // Without a listener a failed spawn (ENOENT, EAGAIN) would crash the subject instead of failing the cell.
    this.child.on('error', () => {});
    if (this.child.pid === undefined) throw new Error(`could not start a worker process (${command})`);
    this.pid = this.child.pid;
    const stdin = this.child.stdin;
    this.outbox = new Outbox((batch) => {
      if (!this.exited) stdin?.write(encodeLine(batch));
    });
    // A worker that dies mid-write makes stdin emit EPIPE; its exit is reported by 'exit'.
    stdin?.on('error', () => {});
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-2000);
    });
    this.exitedPromise = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exited = true;
        const lastLine = this.stderrTail.trim().split('\n').pop();
        const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
        this.exitHandler?.(`worker process ${this.pid} ${how}${lastLine ? ` (${lastLine})` : ''}`);
        resolve();
      });
    });
  }

  send(message: ToWorker): void {
    this.outbox.push(message);
  }

  onMessages(handler: (messages: FromWorker[]) => void): void {
    readLines(this.child.stdout, (line) => {
      let batch: unknown;
      try {
        batch = JSON.parse(line);
      } catch {
        return; // stray output on stdout (a runtime warning) is not a message
      }
      if (isMessageList(batch)) handler(batch as FromWorker[]);
    });
  }

  onExit(handler: (reason: string) => void): void {
    this.exitHandler = handler;
  }

  async close(graceMs: number): Promise<void> {
    if (this.exited) return;
    this.send({ t: 'stop' });
    this.outbox.flush();
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exitedPromise;
    clearTimeout(timer);
  }
}
