/**
 * The messages between a method and the threads or processes running its
 * pipelines, in the one envelope of src/core/subject/protocol.ts: `ready`
 * once the file is open and the buffer allocated, then (after the barrier:
 * `go` to a process, a shared cell for threads) `done` with the tally, or
 * `error`. Threads post these objects; child processes write JSON lines.
 */
import {
  messageGuard,
  type Done,
  type Failure,
  type Message,
  type Ready,
} from '../../../core/subject/protocol.ts';
import type { PipelineTally } from '../options.ts';
import type { PipelineSpec } from './context.ts';

export type PipelineWorkerMessage =
  | Ready<{ index: number; pid: number; threadId: number }>
  | Done<{ tally: PipelineTally }>
  | Failure<{ index: number }>;

/** The barrier's release, to a process (threads wait on a shared cell instead). */
export type ToPipelineWorker = Message<'go'>;

/** Cells of the shared control array of the `threads` method. */
export const CONTROL_GO = 0;
export const CONTROL_STOP = 1;
export const CONTROL_CELLS = 2;

export interface ThreadWorkerData extends PipelineSpec {
  control: SharedArrayBuffer;
}

export const isPipelineWorkerMessage = messageGuard<PipelineWorkerMessage>(['ready', 'done', 'error']);
export const isToPipelineWorker = messageGuard<ToPipelineWorker>(['go']);
