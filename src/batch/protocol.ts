/**
 * The messages between the batch driver (the CLI, Node 24) and a subject
 * process (any runtime), in the one envelope of src/core/subject/protocol.ts,
 * one JSON message per line on the subject's stdin/stdout:
 *
 *   driver → subject   start {spec}   go   stop
 *   subject → driver   ready {pid}    done {windowMs, answer, ...}   error {phase, reason}
 *
 * The subject says `ready` only when its pools are started and warm; the
 * driver starts the monitor and then says `go`; only the `rounds` calls of
 * `run()` are timed, as one window.
 *
 * A calibration subject (src/batch/driver/calibrate.ts) gets one message
 * instead, and answers twice per spec, in order, so the driver can bound
 * each model's start-up and each pass on its own:
 *
 *   driver → subject   calibrate {specs, targetMs}
 *   subject → driver   progress {index} (its model started)   calibrated {index, result: ms per pass, or why not}
 */
import {
  messageGuard,
  type Done,
  type Failure,
  type Message,
  type Progress,
  type Ready,
} from '../core/subject/protocol.ts';
import type { BatchProgressPoint } from '../results/record.ts';
import type { EventLoopStats } from '../monitor/types.ts';
import type { ItemAnswer, ParamValues } from '../workloads/types.ts';
import type { BatchCellIdentity } from './spec.ts';

/** What a subject needs to build and run its model: the cell's identity, the pool's depth and the window's size. */
export interface SubjectSpec extends BatchCellIdentity<ParamValues> {
  inFlightPerWorker: number;
  /** Passes over the same items in the timed window (calibration); every pass must give the same answer. */
  rounds: number;
}

export type ToSubject =
  | (Message<'start'> & { spec: SubjectSpec })
  | Message<'go'>
  | Message<'stop'>
  | (Message<'calibrate'> & {
      specs: SubjectSpec[];
      /** Each model runs passes until this much time has passed (at least one pass). */
      targetMs: number;
    });

/** One model's calibration: the time of one pass over the items, or why it could not run. */
export type CalibrationResult = { roundMs: number; passes: number } | { roundMs: null; reason: string };

export type SubjectCalibrated = Message<'calibrated'> & { index: number; result: CalibrationResult };

export type SubjectDone = Done<{
  /** The timed window: `rounds` passes over the items. */
  windowMs: number;
  rounds: number;
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
}>;

export type FromSubject =
  | Ready<{ pid: number; runtime: string; pids: number[] }>
  | SubjectDone
  | Progress<{ index: number }>
  | SubjectCalibrated
  | Failure<{ phase: 'start' | 'run' | 'stop' | 'calibrate' }>;

export const isFromSubject = messageGuard<FromSubject>(['ready', 'done', 'progress', 'calibrated', 'error']);
export const isToSubject = messageGuard<ToSubject>(['start', 'go', 'stop', 'calibrate']);
