/**
 * `conlab pipeline` below the CLI: what the user asked → the runs to make,
 * every value checked (and the output file opened) before the first run
 * starts; then the runs one after another. The command only parses flags
 * into a PipelineRequest and prints.
 */
import { accessSync, closeSync, constants, openSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ErrorCodes, LabError, unknownName } from '../../core/errors.ts';
import { resolveRuntime, type RuntimeSpec } from '../../runtimes/registry.ts';
import { DEFAULT_STORE_PATH, type ResultStore } from '../../results/store.ts';
import type { PipelineRunResult } from './driver.ts';
import { runPipelineSweep, type PipelineSweep } from './sweep.ts';
import { pipelineFormats, type PipelineFormat } from './format.ts';
import {
  SEED_BUFFER_KIB,
  SEED_RECV_DELAY_S,
  pipelineMethods,
  type PipelineMethod,
  type PipelineOptions,
} from './options.ts';

/** What the user asked, parsed but not yet checked; absent = the default below. */
export interface PipelineRequest {
  method?: string;
  concurrency?: number;
  sweep?: number[];
  durationS?: number;
  format?: string;
  output?: string;
  runtime?: string;
  bufferKiB?: number;
  recvDelayS?: number;
  tmpdir?: string;
  /** Results store path; default DEFAULT_STORE_PATH. */
  store?: string;
}

export const PIPELINE_DEFAULTS = {
  method: 'async' satisfies PipelineMethod,
  concurrency: 1,
  durationS: 5,
  format: 'table' satisfies PipelineFormat,
  runtime: 'node',
  bufferKiB: SEED_BUFFER_KIB,
  recvDelayS: SEED_RECV_DELAY_S,
} as const;

export const PIPELINE_LIMITS = {
  pipelines: 256,
  /** Each child is a whole runtime (~40-60 MiB RSS); more would swamp a small machine. */
  processPipelines: 128,
  durationS: 3600,
  bufferKiB: 64 * 1024,
  recvDelayS: 60,
} as const;

export interface PipelinePlan {
  runs: PipelineOptions[];
  format: PipelineFormat;
  output: string | undefined;
  runtime: RuntimeSpec;
  tmpRoot: string;
  storePath: string;
}

function checkRange(flag: string, value: number, min: number, max: number, integer: boolean): number {
  if ((integer && !Number.isSafeInteger(value)) || !(value >= min && value <= max)) {
    throw new LabError(
      ErrorCodes.BAD_PARAM,
      `--${flag} '${value}' is not a ${integer ? 'whole number' : 'number'} in ${min}..${max}`,
      { hint: `give --${flag} a ${integer ? 'whole number' : 'number'} from ${min} to ${max}` },
    );
  }
  return value;
}

function checkWritableDir(flag: string, dir: string): void {
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new LabError(ErrorCodes.IO, `--${flag} '${dir}' is not a writable directory`, {
      hint: 'give an existing directory you can write to',
      cause: error,
    });
  }
}

/** Opens the output file for appending (creating it) so that a bad path fails now, not after the runs. */
function checkWritableFile(path: string): void {
  try {
    closeSync(openSync(path, 'a'));
  } catch (error) {
    throw new LabError(ErrorCodes.IO, `--output '${path}' cannot be written (${(error as Error).message})`, {
      hint: 'give a file path in an existing directory you can write to',
      cause: error,
    });
  }
}

/** Every run of the request; throws LabError for any bad value, before anything runs. */
export function planPipeline(request: PipelineRequest): PipelinePlan {
  const methodName = request.method ?? PIPELINE_DEFAULTS.method;
  if (!(pipelineMethods as readonly string[]).includes(methodName)) {
    throw unknownName(ErrorCodes.UNKNOWN_MODEL, 'pipeline method', methodName, pipelineMethods);
  }
  const method = methodName as PipelineMethod;
  const formatName = request.format ?? PIPELINE_DEFAULTS.format;
  if (!(pipelineFormats as readonly string[]).includes(formatName)) {
    throw unknownName(ErrorCodes.BAD_PARAM, 'format', formatName, pipelineFormats);
  }
  if (request.sweep !== undefined && request.concurrency !== undefined) {
    throw new LabError(
      ErrorCodes.USAGE,
      'pipeline: --sweep and --concurrency both set the number of pipelines',
      {
        hint: 'give --concurrency N for one run or --sweep 1,2,4 for several',
      },
    );
  }
  const maxPipelines = method === 'processes' ? PIPELINE_LIMITS.processPipelines : PIPELINE_LIMITS.pipelines;
  const flag = request.sweep !== undefined ? 'sweep' : 'concurrency';
  const levels = (request.sweep ?? [request.concurrency ?? PIPELINE_DEFAULTS.concurrency]).map((level) =>
    checkRange(flag, level, 1, maxPipelines, true),
  );
  const durationS = checkRange(
    'duration',
    request.durationS ?? PIPELINE_DEFAULTS.durationS,
    0,
    PIPELINE_LIMITS.durationS,
    false,
  );
  if (durationS <= 0) {
    throw new LabError(ErrorCodes.BAD_PARAM, `--duration '${durationS}' must be more than 0`, {
      hint: 'give --duration a number of seconds above 0 (e.g. 3)',
    });
  }
  const bufferKiB = checkRange(
    'buffer-kib',
    request.bufferKiB ?? PIPELINE_DEFAULTS.bufferKiB,
    1,
    PIPELINE_LIMITS.bufferKiB,
    true,
  );
  const recvDelayS = checkRange(
    'recv-delay',
    request.recvDelayS ?? PIPELINE_DEFAULTS.recvDelayS,
    0,
    PIPELINE_LIMITS.recvDelayS,
    false,
  );
  const tmpRoot = request.tmpdir ?? tmpdir();
  checkWritableDir('tmpdir', tmpRoot);
  if (request.output !== undefined) checkWritableFile(request.output);
  return {
    runs: levels.map((concurrency) => ({ method, concurrency, durationS, bufferKiB, recvDelayS })),
    format: formatName as PipelineFormat,
    output: request.output,
    runtime: resolveRuntime(request.runtime ?? PIPELINE_DEFAULTS.runtime),
    tmpRoot,
    storePath: request.store ?? DEFAULT_STORE_PATH,
  };
}

/** Every run of the plan, one after another, stored as one run named 'pipeline' (see sweep.ts). */
export async function runPipelinePlan(
  plan: PipelinePlan,
  hooks: {
    store: ResultStore;
    onStart?(options: PipelineOptions): void;
    onResult?(result: PipelineRunResult): void;
  },
): Promise<PipelineSweep> {
  return runPipelineSweep(plan.runs, {
    runtime: plan.runtime,
    tmpRoot: plan.tmpRoot,
    store: hooks.store,
    onStart: (options) => {
      if (plan.runs.length > 1) hooks.onStart?.(options);
    },
    onResult: (result) => hooks.onResult?.(result),
  });
}
