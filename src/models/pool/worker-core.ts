/**
 * The worker side of the pool protocol, shared by thread and process
 * workers: init loads the workload, run executes items with runSync and
 * answers. A hybrid process worker forwards its tasks to a thread pool.
 */
import { threadId } from 'node:worker_threads';
import { getWorkload } from '../../workloads/index.ts';
import type { ItemAnswer, ParamValues, Workload } from '../../workloads/types.ts';
import type { FromWorker, ToWorker } from './messages.ts';
import type { Pool } from './pool.ts';

export interface WorkerIo {
  /** Queues a reply; replies of one batch leave together unless flush() is called. */
  send(message: FromWorker): void;
  flush(): void;
  exit(): void;
}

/** A task that ran longer than this gets its reply out at once, so the pool can rebalance. */
const FLUSH_AFTER_MS = 1;

export function createWorkerCore(io: WorkerIo): (batch: ToWorker[]) => void {
  let workload: Workload | undefined;
  let params: ParamValues = {};
  let innerPool: Pool | undefined;

  const runTask = (id: number, start: number, count: number): void => {
    if (!workload) {
      io.send({ t: 'error', id, reason: 'worker got a task before init' });
      return;
    }
    const began = performance.now();
    try {
      const answers: ItemAnswer[] = [];
      for (let i = start; i < start + count; i++) answers.push(workload.runSync(params, i));
      io.send({ t: 'done', id, answers });
    } catch (error) {
      io.send({ t: 'error', id, reason: error instanceof Error ? error.message : String(error) });
    }
    if (performance.now() - began > FLUSH_AFTER_MS) io.flush();
  };

  const init = async (message: Extract<ToWorker, { t: 'init' }>): Promise<void> => {
    try {
      workload = getWorkload(message.workload);
      params = message.params;
      if (message.threads > 0) {
        // Imported lazily: plain workers never need the pool code.
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
      }
      io.send({ t: 'ready', pid: process.pid, threadId, pids: [] });
    } catch (error) {
      io.send({ t: 'error', id: -1, reason: error instanceof Error ? error.message : String(error) });
    }
    io.flush();
  };

  return (batch) => {
    for (const message of batch) {
      if (message.t === 'init') void init(message);
      else if (message.t === 'run') {
        if (innerPool) {
          const { id } = message;
          innerPool.submit(message.start, message.count).then(
            (answers) => io.send({ t: 'done', id, answers }),
            (error: unknown) =>
              io.send({ t: 'error', id, reason: error instanceof Error ? error.message : String(error) }),
          );
        } else runTask(message.id, message.start, message.count);
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
