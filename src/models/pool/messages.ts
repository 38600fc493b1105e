/**
 * The one message protocol between a pool (driver side) and its workers
 * (threads or child processes). Messages travel in batches (an array per
 * postMessage or per NDJSON line) so that one wake-up carries many tasks.
 */
import type { ItemAnswer, ParamValues } from '../../workloads/types.ts';

export interface InitMessage {
  t: 'init';
  workload: string;
  params: ParamValues;
  /** > 0 in a hybrid process worker: run tasks on a thread pool of this size. */
  threads: number;
  inFlightPerWorker: number;
}

/** Run items start..start+count-1 with the workload's runSync. */
export interface RunMessage {
  t: 'run';
  id: number;
  start: number;
  count: number;
}

export interface StopMessage {
  t: 'stop';
}

export type ToWorker = InitMessage | RunMessage | StopMessage;

export interface ReadyMessage {
  t: 'ready';
  pid: number;
  threadId: number;
  /** PIDs the worker started itself (hybrid: none, threads share the pid). */
  pids: number[];
}

export interface DoneMessage {
  t: 'done';
  id: number;
  answers: ItemAnswer[];
}

export interface FailMessage {
  t: 'fail';
  /** Task id, or -1 when the worker failed outside a task (init). */
  id: number;
  reason: string;
}

export type FromWorker = ReadyMessage | DoneMessage | FailMessage;

/** Checks the shape of a batch from the other side; a malformed one is a protocol bug worth failing on. */
export function isMessageBatch(value: unknown): value is { t: string }[] {
  return Array.isArray(value) && value.every((m) => typeof m === 'object' && m !== null && 't' in m);
}
