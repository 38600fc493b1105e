/**
 * The messages between the pipeline driver and its subject (one run), in
 * the one envelope of src/core/subject/protocol.ts, as JSON lines on the
 * subject's stdout. The run is given as the subject's argument and the
 * driver says nothing after that; closing the subject's stdin stops it.
 *
 *   subject → driver   progress {phase: 'clock-start'}   the barrier opened: the monitor starts now
 *                      done {measurement}                   the run and what the subject measured
 *                      error {reason, unsupported?}         why there is no measurement
 */
import {
  messageGuard,
  type Done,
  type Failure,
  type Message,
  type Progress,
} from '../../core/subject/protocol.ts';
import type { PipelineMeasurement } from './options.ts';

export type FromPipelineSubject =
  Progress<{ phase: 'clock-start' }> | Done<{ measurement: PipelineMeasurement }> | Failure;

/** The driver sends nothing; the type says so. */
export type ToPipelineSubject = Message<never>;

export const isFromPipelineSubject = messageGuard<FromPipelineSubject>(['progress', 'done', 'error']);
