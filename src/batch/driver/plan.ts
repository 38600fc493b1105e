/**
 * What `conlab batch` was asked (a workload with models × axis values, or a
 * seed 003 preset) → the cells to run, every value checked and every default
 * filled in before the first subject starts. The command itself only parses
 * flags into a BatchRequest and prints.
 */
import { ErrorCodes, LabError } from '../../core/errors.ts';
import { modelAxisNames, models, type ModelAxisName } from '../../models/registry.ts';
import { resolveRuntime, type RuntimeSpec } from '../../runtimes/registry.ts';
import { workloadNames } from '../../workloads/index.ts';
import { expandBatchMatrix } from '../matrix.ts';
import { DEFAULT_IN_FLIGHT_PER_WORKER, DEFAULT_TIMEOUT_MS, type ResolvedBatchSpec } from '../spec.ts';
import { getPreset, presetNames } from './presets.ts';

/** What the user asked, parsed but not yet checked; absent = the default below. */
export interface BatchRequest {
  preset?: string;
  workload?: string;
  params?: Record<string, string>;
  models?: string[];
  /** Values per model axis (concurrency, threadsPerProcess, itemsPerTask). */
  axes?: Partial<Record<ModelAxisName, number[]>>;
  items?: number;
  repetitions?: number;
  runtimes?: string[];
  timeoutMs?: number;
  inFlightPerWorker?: number;
}

export const BATCH_DEFAULTS = {
  /** Models whose definition says measuredByDefault. */
  get models(): string[] {
    return models
      .all()
      .filter((model) => model.measuredByDefault)
      .map((model) => model.name);
  },
  /** The concurrency sweep when none is given (each model's range still applies). */
  concurrency: [1, 2, 4],
  items: 50,
  repetitions: 3,
  presetRepetitions: 1,
  runtimes: ['node'],
  timeoutMs: DEFAULT_TIMEOUT_MS,
  inFlightPerWorker: DEFAULT_IN_FLIGHT_PER_WORKER,
} as const;

export interface BatchPlan {
  cells: ResolvedBatchSpec[];
  runtimes: RuntimeSpec[];
}

function presetCells(request: BatchRequest & { preset: string }): ResolvedBatchSpec[] {
  if (request.workload !== undefined || request.models !== undefined) {
    throw new LabError(ErrorCodes.USAGE, '--preset fixes the workload and models; drop --workload/--models', {
      hint: `e.g. conlab batch --preset ${presetNames[0] ?? ''}`,
    });
  }
  const repetitions = request.repetitions ?? BATCH_DEFAULTS.presetRepetitions;
  return expandBatchMatrix(getPreset(request.preset).matrices.map((matrix) => ({ ...matrix, repetitions })));
}

function gridCells(request: BatchRequest): ResolvedBatchSpec[] {
  if (request.workload === undefined) {
    throw new LabError(ErrorCodes.USAGE, 'conlab batch needs --workload or --preset', {
      hint: `workloads: ${workloadNames.join(', ')}, or your own module (--workload ./task.ts); presets: ${presetNames.join(', ')}`,
    });
  }
  const names = request.models ?? BATCH_DEFAULTS.models;
  if (names.length === 0) {
    throw new LabError(ErrorCodes.BAD_PARAM, '--models is empty', {
      hint: `pick from ${models.names().join(', ')}`,
    });
  }
  const axes: Partial<Record<ModelAxisName, number[]>> = { concurrency: [...BATCH_DEFAULTS.concurrency] };
  for (const axis of modelAxisNames) {
    const values = request.axes?.[axis];
    if (values !== undefined) axes[axis] = values;
  }
  return expandBatchMatrix([
    {
      workload: request.workload,
      params: request.params ?? {},
      models: names,
      axes,
      items: request.items ?? BATCH_DEFAULTS.items,
      repetitions: request.repetitions ?? BATCH_DEFAULTS.repetitions,
      timeoutMs: request.timeoutMs ?? BATCH_DEFAULTS.timeoutMs,
      inFlightPerWorker: request.inFlightPerWorker ?? BATCH_DEFAULTS.inFlightPerWorker,
      withBaseline: true,
    },
  ]);
}

/** Every cell and runtime of the request; throws LabError for any bad value, before anything runs. */
export function planBatch(request: BatchRequest): BatchPlan {
  const cells =
    request.preset !== undefined ? presetCells({ ...request, preset: request.preset }) : gridCells(request);
  const runtimeNames = request.runtimes ?? [...BATCH_DEFAULTS.runtimes];
  if (runtimeNames.length === 0) {
    throw new LabError(ErrorCodes.BAD_PARAM, '--runtime is empty', { hint: 'e.g. --runtime node,bun,deno' });
  }
  return { cells, runtimes: [...new Set(runtimeNames)].map((name) => resolveRuntime(name)) };
}
