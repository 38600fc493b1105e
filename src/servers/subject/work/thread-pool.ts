/**
 * A fixed pool of worker threads for CPU work (offload, prefork). Tasks wait
 * in a FIFO queue for an idle thread; a thread that dies is replaced and
 * counted, and the task it held fails (the request answers 500) instead of
 * hanging. Small on purpose: one message type in, one out.
 */
import { Worker } from 'node:worker_threads';

export type PoolTask =
  { id: number; kind: 'sha256'; seed: string; iters: number } | { id: number; kind: 'spin'; iters: number };
export interface PoolAnswer {
  id: number;
  ok: boolean;
  value: string;
}

type TaskInput = PoolTask extends infer T ? (T extends PoolTask ? Omit<T, 'id'> : never) : never;

interface Slot {
  worker: Worker;
  busy: { id: number; resolve: (value: string) => void; reject: (error: Error) => void } | null;
}

interface Queued {
  task: TaskInput;
  resolve: (value: string) => void;
  reject: (error: Error) => void;
}

const workerUrl = new URL('./pool-worker.ts', import.meta.url);

export class ThreadPool {
  readonly size: number;
  /** Threads that died and were replaced. */
  restarts = 0;
  private readonly slots: Slot[] = [];
  private readonly queue: Queued[] = [];
  private nextId = 1;
  private closed = false;

  constructor(size: number) {
    this.size = size;
    for (let i = 0; i < size; i++) this.slots.push(this.spawnSlot());
  }

  /** Resolves once every thread has started, so a server is not "ready" with a cold pool. */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map(() => this.run({ kind: 'spin', iters: 1 })));
  }

  threadIds(): number[] {
    return this.slots.map((slot) => slot.worker.threadId);
  }

  run(task: TaskInput): Promise<string> {
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

  private spawnSlot(): Slot {
    const worker = new Worker(workerUrl);
    const slot: Slot = { worker, busy: null };
    worker.on('message', (answer: PoolAnswer) => {
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
