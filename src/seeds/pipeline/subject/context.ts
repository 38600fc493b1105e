/**
 * The one interface every pipeline method implements: given the resolved
 * options and the directory to write in, run N pipelines behind a barrier
 * and say what each did. Adding a method is one file and one line in
 * methods.ts.
 */
import { join } from 'node:path';
import { pipelineFileName, type PipelineOptions, type PipelineTally } from '../options.ts';

export interface MethodContext {
  options: PipelineOptions;
  /** Directory the driver created for this run; it removes it afterwards. */
  dir: string;
  /** Called at the instant the clock starts (the barrier is released), so the driver can start its monitor. */
  onClockStart(): void;
}

export interface MethodRun {
  /** Seconds from releasing the barrier to the last pipeline finishing. */
  elapsedS: number;
  pipelines: PipelineTally[];
  pids: number[];
  threadIds: number[];
}

export type PipelineMethodRunner = (context: MethodContext) => Promise<MethodRun>;

/** What each pipeline needs to know, for every method alike. */
export interface PipelineSpec {
  index: number;
  filePath: string;
  bufferBytes: number;
  delayMs: number;
  durationS: number;
}

export function pipelineSpecs(context: MethodContext): PipelineSpec[] {
  const { options, dir } = context;
  return Array.from({ length: options.concurrency }, (_, index) => ({
    index,
    filePath: join(dir, pipelineFileName(index)),
    bufferBytes: options.bufferKiB * 1024,
    delayMs: options.recvDelayS * 1000,
    durationS: options.durationS,
  }));
}
