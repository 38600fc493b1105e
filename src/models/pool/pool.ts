/**
 * The pool: a fixed set of workers (threads or child processes, see
 * transport.ts) fed with tasks, several in flight per worker so a worker
 * never idles waiting for the next message. Lifecycle lives here: start()
 * waits for every worker's `ready`, a worker that dies fails its tasks with
 * the reason and is replaced, stop() ends every worker.
 */
import type { ItemAnswer, ParamValues } from '../../workloads/types.ts';
import type { FromWorker } from './messages.ts';
import { ProcessTransport, ThreadTransport, type Transport } from './transport.ts';

export interface PoolOptions {
  kind: 'thread' | 'process';
  size: number;
  workload: string;
  params: ParamValues;
  /** Process pools only: > 0 makes each process run its tasks on a thread pool of this size (hybrid). */
  threadsPerProcess: number;
  inFlightPerWorker: number;
  startTimeoutMs: number;
  /** The items' values when the workload has its own (a module's items()): each task carries its slice. */
  itemValues?: readonly unknown[];
}

interface Task {
  id: number;
  start: number;
  count: number;
  items: unknown[] | undefined;
  resolve(answers: ItemAnswer[]): void;
  reject(error: Error): void;
}

interface Slot {
  transport: Transport;
  ready: boolean;
  inFlight: Map<number, Task>;
  onReady: (() => void) | undefined;
  onStartFailure: ((reason: string) => void) | undefined;
}

export class Pool {
  private readonly options: PoolOptions;
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private queueHead = 0;
  private nextTaskId = 1;
  private stopping = false;
  private readonly allPids = new Set<number>();
  private replacements: Promise<void>[] = [];
  /** Makes the next task of the current run() on demand; undefined when there is none. */
  private producer: (() => Task | undefined) | undefined;

  constructor(options: PoolOptions) {
    this.options = options;
  }

  /** Tasks one worker may hold at once; a hybrid process runs several threads, so it holds more. */
  private get capacity(): number {
    const threads = this.options.kind === 'process' ? Math.max(1, this.options.threadsPerProcess) : 1;
    return this.options.inFlightPerWorker * threads;
  }

  async start(): Promise<void> {
    const starts: Promise<void>[] = [];
    for (let i = 0; i < this.options.size; i++) starts.push(this.startSlot(i));
    try {
      await Promise.all(starts);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  private startSlot(index: number): Promise<void> {
    const transport = this.options.kind === 'thread' ? new ThreadTransport() : new ProcessTransport();
    if (this.options.kind === 'process') this.allPids.add(transport.pid);
    const slot: Slot = {
      transport,
      ready: false,
      inFlight: new Map(),
      onReady: undefined,
      onStartFailure: undefined,
    };
    this.slots[index] = slot;
    transport.onMessages((messages) => this.receive(slot, messages));
    transport.onExit((reason) => this.workerExited(index, slot, reason));
    transport.send({
      t: 'init',
      workload: this.options.workload,
      params: this.options.params,
      threads: this.options.kind === 'process' ? this.options.threadsPerProcess : 0,
      inFlightPerWorker: this.options.inFlightPerWorker,
    });
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`a ${this.options.kind} worker was not ready within ${this.options.startTimeoutMs} ms`),
          ),
        this.options.startTimeoutMs,
      );
      slot.onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      slot.onStartFailure = (reason) => {
        clearTimeout(timer);
        reject(new Error(`a ${this.options.kind} worker failed to start: ${reason}`));
      };
    });
  }

  private receive(slot: Slot, messages: FromWorker[]): void {
    for (const message of messages) {
      if (message.t === 'done') {
        const task = slot.inFlight.get(message.id);
        if (!task) continue;
        slot.inFlight.delete(message.id);
        if (message.answers.length !== task.count) {
          task.reject(
            new Error(`worker answered ${message.answers.length} items for a task of ${task.count}`),
          );
        } else task.resolve(message.answers);
      } else if (message.t === 'error') {
        if (message.id === -1) {
          slot.onStartFailure?.(message.reason);
          continue;
        }
        const task = slot.inFlight.get(message.id);
        if (!task) continue;
        slot.inFlight.delete(message.id);
        task.reject(new Error(`items ${task.start}..${task.start + task.count - 1}: ${message.reason}`));
      } else if (message.t === 'ready') {
        slot.ready = true;
        for (const pid of message.pids) this.allPids.add(pid);
        slot.onReady?.();
        slot.onReady = undefined;
        slot.onStartFailure = undefined;
      }
    }
    this.dispatch();
  }

  private workerExited(index: number, slot: Slot, reason: string): void {
    const wasReady = slot.ready;
    slot.ready = false;
    slot.onStartFailure?.(reason);
    for (const task of slot.inFlight.values()) task.reject(new Error(reason));
    slot.inFlight.clear();
    // A worker that died before its first `ready` fails start() instead: replacing it would loop.
    if (this.stopping || !wasReady || this.slots[index] !== slot) return;
    // Replace the dead worker so the pool keeps its size for the next run.
    const replacement = this.startSlot(index).catch(() => {
      // A replacement that cannot start leaves the slot empty; run() then has fewer workers.
    });
    this.replacements.push(replacement);
  }

  private dispatch(): void {
    const capacity = this.capacity;
    for (;;) {
      let best: Slot | undefined;
      for (const slot of this.slots) {
        if (
          slot.ready &&
          slot.inFlight.size < capacity &&
          (!best || slot.inFlight.size < best.inFlight.size)
        ) {
          best = slot;
        }
      }
      if (!best) return;
      const task = this.queueHead < this.queue.length ? this.queue[this.queueHead++] : this.producer?.();
      if (!task) break;
      best.inFlight.set(task.id, task);
      best.transport.send(
        task.items === undefined
          ? { t: 'run', id: task.id, start: task.start, count: task.count }
          : { t: 'run', id: task.id, start: task.start, count: task.count, items: task.items },
      );
    }
    this.queue.length = 0;
    this.queueHead = 0;
  }

  /** The values of items start..start+count-1 to send with their task, when the workload has its own. */
  private valuesOf(start: number, count: number): unknown[] | undefined {
    return this.options.itemValues?.slice(start, start + count);
  }

  /** Runs one task (items start..start+count-1; `items`: their values, when they came from elsewhere) on some worker. */
  submit(start: number, count: number, items = this.valuesOf(start, count)): Promise<ItemAnswer[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextTaskId++, start, count, items, resolve, reject });
      this.dispatch();
    });
  }

  /**
   * Runs items 0..items-1 in tasks of itemsPerTask; the first failure
   * rejects. Tasks are made only when a worker has room for them (no
   * promise per task, no queue of a million objects), which is what keeps
   * dispatch cheap for tiny items.
   */
  async run(items: number, itemsPerTask: number, onDone?: (count: number) => void): Promise<ItemAnswer[]> {
    await Promise.all(this.replacements);
    this.replacements = [];
    if (!this.slots.some((slot) => slot.ready)) throw new Error('no worker of the pool is running');
    if (this.producer) throw new Error('pool.run() called while another run is in progress');
    const answers: ItemAnswer[] = new Array<ItemAnswer>(items);
    let nextStart = 0;
    let pending = 0;
    return new Promise<ItemAnswer[]>((resolve, reject) => {
      let settled = false;
      const finish = (error?: Error): void => {
        if (settled) return;
        settled = true;
        this.producer = undefined;
        if (error) reject(error);
        else resolve(answers);
      };
      this.producer = () => {
        if (settled || nextStart >= items) return undefined;
        const start = nextStart;
        const count = Math.min(itemsPerTask, items - start);
        nextStart += count;
        pending++;
        return {
          id: this.nextTaskId++,
          start,
          count,
          items: this.valuesOf(start, count),
          resolve: (chunk) => {
            for (let k = 0; k < count; k++) answers[start + k] = chunk[k] as ItemAnswer;
            pending--;
            onDone?.(count);
            if (pending === 0 && nextStart >= items) finish();
          },
          reject: (error) => finish(error),
        };
      };
      this.dispatch();
      if (items === 0) finish();
    });
  }

  private dropQueued(error: unknown): void {
    const reason = error instanceof Error ? error : new Error(String(error));
    const dropped = this.queue.slice(this.queueHead);
    this.queue.length = 0;
    this.queueHead = 0;
    this.producer = undefined;
    for (const task of dropped) task.reject(reason);
  }

  pids(): number[] {
    return [...this.allPids];
  }

  async stop(graceMs = 2000): Promise<void> {
    this.stopping = true;
    this.dropQueued(new Error('pool stopped'));
    await Promise.allSettled(this.replacements);
    await Promise.all(this.slots.map((slot) => slot.transport.close(graceMs)));
  }
}
