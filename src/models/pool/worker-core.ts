/**
 * The worker side of the pool protocol, shared by thread and process
 * workers: init loads the workload, run executes items and answers. A
 * hybrid process worker forwards its tasks to a thread pool.
 *
 * A worker runs one task at a time, as a thread or process does when it
 * computes: a task whose items are asynchronous (a user module's async task)
 * is awaited before the next queued task starts, so a pool of N workers has
 * N items in flight whatever the task is, and a synchronous task never waits
 * on a promise.
 */
import { threadId } from 'node:worker_threads';
import { loadWorkload } from '../../workloads/index.ts';
import type { ItemAnswer, ParamValues, Workload } from '../../workloads/types.ts';
import type { FromWorker, RunMessage, ToWorker } from './messages.ts';
import type { Pool } from './pool.ts';

export interface WorkerIo {
  /** Queues a reply; replies of one batch leave together unless flush() is called. */
  send(message: FromWorker): void;
  flush(): void;
  exit(): void;
}

/** A task that ran longer than this gets its reply out at once, so the pool can rebalance. */
const FLUSH_AFTER_MS = 1;

type RunOne = (index: number, item: unknown) => ItemAnswer | Promise<ItemAnswer>;

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** How this worker runs one item: a module's task as written (maybe async), a built-in's runSync. */
function itemRunner(workload: Workload, params: ParamValues): RunOne {
  const { runItem } = workload;
  return runItem ? (index, item) => runItem(params, index, item) : (index) => workload.runSync(params, index);
}

export function createWorkerCore(io: WorkerIo): (batch: ToWorker[]) => void {
  let runOne: RunOne | undefined;
  let innerPool: Pool | undefined;
  /** The asynchronous task in progress, if any; tasks that arrive meanwhile wait in `waiting`. */
  let running: Promise<void> | undefined;
  const waiting: RunMessage[] = [];

  /** The rest of a task after its first asynchronous item: each item awaited in turn. */
  const finishAsync = async (
    task: RunMessage,
    answers: ItemAnswer[],
    pending: Promise<ItemAnswer>,
    run: RunOne,
  ): Promise<void> => {
    try {
      answers.push(await pending);
      for (let k = answers.length; k < task.count; k++)
        answers.push(await run(task.start + k, task.items?.[k]));
      io.send({ t: 'done', id: task.id, answers });
    } catch (error) {
      io.send({ t: 'error', id: task.id, reason: reasonOf(error) });
    }
    io.flush();
  };

  /** Runs a task; returns a promise only when one of its items turned out asynchronous. */
  const runTask = (task: RunMessage): Promise<void> | undefined => {
    const run = runOne;
    if (!run) {
      io.send({ t: 'error', id: task.id, reason: 'worker got a task before init' });
      return undefined;
    }
    const began = performance.now();
    const answers: ItemAnswer[] = [];
    try {
      for (let k = 0; k < task.count; k++) {
        const answer = run(task.start + k, task.items?.[k]);
        if (typeof answer === 'object') return finishAsync(task, answers, answer, run);
        answers.push(answer);
      }
      io.send({ t: 'done', id: task.id, answers });
    } catch (error) {
      io.send({ t: 'error', id: task.id, reason: reasonOf(error) });
    }
    if (performance.now() - began > FLUSH_AFTER_MS) io.flush();
    return undefined;
  };

  const schedule = (task: RunMessage): void => {
    if (running) {
      waiting.push(task);
      return;
    }
    const pending = runTask(task);
    if (pending) running = pending.then(next);
  };

  const next = (): void => {
    running = undefined;
    while (!running && waiting.length > 0) schedule(waiting.shift() as RunMessage);
  };

  const init = async (message: Extract<ToWorker, { t: 'init' }>): Promise<void> => {
    try {
      const params = message.params;
      if (message.threads > 0) {
        // A hybrid process only forwards tasks: its threads load the workload. Imported lazily: plain
        // workers never need the pool code.
        const { Pool } = await import('./pool.ts');
        innerPool = new Pool({
          kind: 'thread',
          size: message.threads,
          workload: message.workload,
          params,
          threadsPerProcess: 0,
          inFlightPerWorker: message.inFlightPerWorker,
          startTimeoutMs: 30_000,
        });
        await innerPool.start();
      } else {
        runOne = itemRunner(await loadWorkload(message.workload, { params }), params);
      }
      io.send({ t: 'ready', pid: process.pid, threadId, pids: [] });
    } catch (error) {
      io.send({ t: 'error', id: -1, reason: reasonOf(error) });
    }
    io.flush();
  };

  return (batch) => {
    for (const message of batch) {
      if (message.t === 'init') void init(message);
      else if (message.t === 'run') {
        if (innerPool) {
          const { id } = message;
          innerPool.submit(message.start, message.count, message.items).then(
            (answers) => io.send({ t: 'done', id, answers }),
            (error: unknown) => io.send({ t: 'error', id, reason: reasonOf(error) }),
          );
        } else schedule(message);
      } else {
        const pool = innerPool;
        io.flush();
        if (pool) void pool.stop().then(() => io.exit());
        else io.exit();
      }
    }
  };
}

/** Batches replies per tick, like the driver's outbox. */
export function createReplyQueue(post: (batch: FromWorker[]) => void): Pick<WorkerIo, 'send' | 'flush'> {
  let queue: FromWorker[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    post(batch);
  };
  return {
    send(message) {
      queue.push(message);
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(flush);
      }
    },
    flush,
  };
}
