/** The pipeline methods by name: one line per method. */
import type { PipelineMethod } from '../options.ts';
import type { PipelineMethodRunner } from './context.ts';
import { runSequential } from './sequential.ts';
import { runAsync } from './async.ts';
import { runThreads } from './threads.ts';
import { runProcesses } from './processes.ts';

export const pipelineMethodRunners: Record<PipelineMethod, PipelineMethodRunner> = {
  sequential: runSequential,
  async: runAsync,
  threads: runThreads,
  processes: runProcesses,
};
