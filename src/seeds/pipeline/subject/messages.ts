/**
 * The one message protocol between a method and the threads or processes
 * running its pipelines: `ready` once the file is open and the buffer
 * allocated, then (after the barrier) `done` with the tally, or `error`.
 * Threads post these objects; child processes write them as JSON lines.
 */
import type { PipelineTally } from '../options.ts';
import type { PipelineSpec } from './context.ts';

export type PipelineWorkerMessage =
  | { type: 'ready'; index: number; pid: number; threadId: number }
  | { type: 'done'; tally: PipelineTally }
  | { type: 'error'; index: number; message: string };

/** Cells of the shared control array of the `threads` method. */
export const CONTROL_GO = 0;
export const CONTROL_STOP = 1;
export const CONTROL_CELLS = 2;

export interface ThreadWorkerData extends PipelineSpec {
  control: SharedArrayBuffer;
}

export function isPipelineWorkerMessage(value: unknown): value is PipelineWorkerMessage {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'ready' || type === 'done' || type === 'error';
}
