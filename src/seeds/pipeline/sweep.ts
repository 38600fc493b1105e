/**
 * `conlab pipeline`'s runs as one stored run named `pipeline`: each run (one
 * method at one concurrency) through runPipeline, its record written the
 * moment it ends by the store's one step loop (recordRun). The seed's own
 * formats are rendered from the run results, which the caller gets back one
 * by one (seed-tsv goes out as each run ends) and all together.
 */
import { recordRun } from '../../results/record-run.ts';
import type { ResultStore } from '../../results/store.ts';
import type { StepCell } from '../../results/steps.ts';
import { runPipeline, type PipelineRunEnvironment, type PipelineRunResult } from './driver.ts';
import type { PipelineOptions } from './options.ts';
import { emptyPipelineCell, pipelineCellKey, pipelineCellOf } from './record.ts';

/** Start-up of the subject (and its children) and the files' checks: about a second on 2 cores. */
const SUBJECT_OVERHEAD_S = 1;

interface PipelineStep extends StepCell {
  options: PipelineOptions;
}

export interface PipelineSweep {
  runId: string;
  /** One result per distinct run, in the order they ran. */
  results: PipelineRunResult[];
}

export async function runPipelineSweep(
  runs: readonly PipelineOptions[],
  environment: PipelineRunEnvironment & {
    store: ResultStore;
    /** Before each run, when there are several. */
    onStart?(options: PipelineOptions): void;
    onResult?(result: PipelineRunResult): void;
  },
): Promise<PipelineSweep> {
  const { runtime } = environment;
  const cells: PipelineStep[] = runs.map((options) => ({
    cellKey: pipelineCellKey(options, runtime.name),
    label: `pipeline: ${options.method} × ${options.concurrency} for ${options.durationS} s`,
    options,
  }));
  const results: PipelineRunResult[] = [];
  const { runId } = await recordRun<PipelineStep>({
    store: environment.store,
    name: 'pipeline',
    command: 'pipeline',
    settings: { runtime: runtime.label, tmpRoot: environment.tmpRoot, runs },
    runtimeLabels: [runtime.label],
    cells,
    async execute(cell) {
      const startedAt = new Date().toISOString();
      const result = await runPipeline(cell.options, environment);
      results.push(result);
      environment.onResult?.(result);
      return pipelineCellOf(result, cell.cellKey, startedAt);
    },
    failedRecord: (cell, repetition, reason) => ({
      ...emptyPipelineCell(cell.options, cell.cellKey, runtime.label),
      status: 'failed',
      reason,
      repetitions: [repetition],
    }),
    estimateSeconds: (cell) => SUBJECT_OVERHEAD_S + cell.options.durationS,
    onStart: (event) => environment.onStart?.(event.cell.options),
  });
  return { runId, results };
}
