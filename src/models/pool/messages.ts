/**
 * The messages between a pool (driver side) and its workers (threads or
 * child processes), in the one envelope of src/core/subject/protocol.ts.
 * They travel in batches (an array per postMessage or per NDJSON line) so
 * that one wake-up carries many tasks.
 */
import type { Done, Failure, Message, Ready } from '../../core/subject/protocol.ts';
import type { ItemAnswer, ParamValues } from '../../workloads/types.ts';

export type InitMessage = Message<'init'> & {
  workload: string;
  params: ParamValues;
  /** > 0 in a hybrid process worker: run tasks on a thread pool of this size. */
  threads: number;
  inFlightPerWorker: number;
};

/**
 * Run items start..start+count-1. `items` carries their values when the
 * workload has its own (a module's items()); absent, item i is i.
 */
export type RunMessage = Message<'run'> & { id: number; start: number; count: number; items?: unknown[] };

export type ToWorker = InitMessage | RunMessage | Message<'stop'>;

export type ReadyMessage = Ready<{
  pid: number;
  threadId: number;
  /** PIDs the worker started itself (hybrid: none, threads share the pid). */
  pids: number[];
}>;

export type DoneMessage = Done<{ id: number; answers: ItemAnswer[] }>;

/** `id` is the task's, or -1 when the worker failed outside a task (init). */
export type ErrorMessage = Failure<{ id: number }>;

export type FromWorker = ReadyMessage | DoneMessage | ErrorMessage;
