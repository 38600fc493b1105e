/**
 * The one message protocol between the batch driver (the CLI, Node 24) and
 * a subject process (any runtime), over the subject's stdin/stdout, one JSON
 * message per line:
 *
 *   driver → subject   start {spec}   go   stop
 *   subject → driver   ready {pid}    done {durationMs, answer, ...}   error {phase, reason}
 *
 * The subject says `ready` only when its pools are started and warm; the
 * driver starts the monitor and then says `go`; only `run()` is timed.
 */
import type { BatchProgressPoint } from '../results/record.ts';
import type { EventLoopStats } from '../monitor/types.ts';
import type { ItemAnswer, ParamValues } from '../workloads/types.ts';
import type { BatchCellIdentity } from './spec.ts';

/** What a subject needs to build and run its model: the cell's identity and the pool's depth. */
export interface SubjectSpec extends BatchCellIdentity<ParamValues> {
  inFlightPerWorker: number;
}

export type ToSubject = { t: 'start'; spec: SubjectSpec } | { t: 'go' } | { t: 'stop' };

export interface SubjectDone {
  t: 'done';
  durationMs: number;
  /**
   * When the timed section started, in epoch ms at sub-ms resolution
   * (performance.timeOrigin + performance.now(); one clock across processes):
   * lets the driver place it in the monitor's window.
   */
  startedAtEpochMs: number;
  answer: ItemAnswer;
  /** The subject's own CPU (all its threads, not its child processes), for when the monitor is unavailable. */
  selfCpuUs: number;
  selfRssBytes: number;
  /** The subject's main event loop over the timed section (src/monitor/subject-stats.ts: null where the runtime cannot measure). */
  eventLoop: EventLoopStats;
  /** Processes the model started (pools, spawned items). */
  pids: number[];
  progress: BatchProgressPoint[];
}

export type FromSubject =
  | { t: 'ready'; pid: number; runtime: string; pids: number[] }
  | SubjectDone
  | { t: 'error'; phase: 'start' | 'run' | 'stop'; reason: string };

export function isFromSubject(value: unknown): value is FromSubject {
  if (typeof value !== 'object' || value === null) return false;
  const t = (value as { t?: unknown }).t;
  return t === 'ready' || t === 'done' || t === 'error';
}

export function isToSubject(value: unknown): value is ToSubject {
  if (typeof value !== 'object' || value === null) return false;
  const t = (value as { t?: unknown }).t;
  return t === 'start' || t === 'go' || t === 'stop';
}
