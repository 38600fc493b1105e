/**
 * A fixed pool of worker threads for CPU work (offload, prefork): the
 * built-in server's hash chains, or a user app's requests (app-pool-worker.ts).
 * Tasks wait in a FIFO queue for an idle thread; a thread that dies is
 * replaced and counted, and the task it held fails (the request answers 500)
 * instead of hanging. Small on purpose: one message type in, one out.
 */
import { Worker } from 'node:worker_threads';

export type PoolTask =
  { id: number; kind: 'sha256'; seed: string; iters: number } | { id: number; kind: 'spin'; iters: number };
/** A thread's answer to task `id`: its value, or why it failed. */
export type PoolAnswer<Value = string> =
  { id: number; ok: true; value: Value } | { id: number; ok: false; value: string };

type TaskInput = PoolTask extends infer T ? (T extends PoolTask ? Omit<T, 'id'> : never) : never;

/** What a pool runs: its thread's script, what the thread is given, and the task ready() sends to know it is up. */
export interface PoolWorkerSpec<Task> {
  url: URL;
  workerData?: unknown;
  warmTask: Task;
}

interface Slot<Value> {
  worker: Worker;
  busy: { id: number; resolve: (value: Value) => void; reject: (error: Error) => void } | null;
}

interface Queued<Task, Value> {
  task: Task;
  resolve: (value: Value) => void;
  reject: (error: Error) => void;
}

/** The built-in server's CPU pool (sha256 chains, spins). */
export type CpuPool = ThreadPool<TaskInput, string>;

const CPU_WORKER: PoolWorkerSpec<TaskInput> = {
  url: new URL('./pool-worker.ts', import.meta.url),
  warmTask: { kind: 'spin', iters: 1 },
};

export class ThreadPool<Task extends object, Value> {
  readonly size: number;
  /** Threads that died and were replaced. */
  restarts = 0;
  /** Called each time a dead thread is replaced (units report it to their primary). */
  onRestart: (() => void) | undefined;
  private readonly spec: PoolWorkerSpec<Task>;
  private readonly slots: Slot<Value>[] = [];
  private readonly queue: Queued<Task, Value>[] = [];
  private nextId = 1;
  private closed = false;

  constructor(size: number, spec: PoolWorkerSpec<Task>) {
    this.size = size;
    this.spec = spec;
    for (let i = 0; i < size; i++) this.slots.push(this.spawnSlot());
  }

  /** Resolves once every thread has started (and loaded what it runs), so a server is not "ready" with a cold pool. */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map(() => this.run(this.spec.warmTask)));
  }

  threadIds(): number[] {
    return this.slots.map((slot) => slot.worker.threadId);
  }

  run(task: Task): Promise<Value> {
    if (this.closed) return Promise.reject(new Error('thread pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const queued of this.queue.splice(0)) queued.reject(new Error('thread pool closed'));
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private spawnSlot(): Slot<Value> {
    const worker = new Worker(this.spec.url, { workerData: this.spec.workerData });
    const slot: Slot<Value> = { worker, busy: null };
    worker.on('message', (answer: PoolAnswer<Value>) => {
      const busy = slot.busy;
      if (!busy || busy.id !== answer.id) return;
      slot.busy = null;
      if (answer.ok) busy.resolve(answer.value);
      else busy.reject(new Error(answer.value));
      this.dispatch();
    });
    // 'error' precedes 'exit' for a crash; handling 'exit' alone covers both.
    worker.on('error', () => undefined);
    worker.on('exit', (code) => {
      if (this.closed) return;
      this.restarts++;
      this.onRestart?.();
      slot.busy?.reject(new Error(`pool thread ${worker.threadId} exited with code ${code}`));
      const index = this.slots.indexOf(slot);
      if (index !== -1) this.slots[index] = this.spawnSlot();
      this.dispatch();
    });
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const next = this.queue.shift();
      if (!next) return;
      const id = this.nextId++;
      slot.busy = { id, resolve: next.resolve, reject: next.reject };
      slot.worker.postMessage({ ...next.task, id });
    }
  }
}

export function cpuPool(size: number): CpuPool {
  return new ThreadPool(size, CPU_WORKER);
}
