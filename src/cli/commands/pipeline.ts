/**
 * `conlab pipeline`: seed 001's I/O pipeline (recv → compute → write+fsync)
 * with N pipelines under one method, in the seed's own result format on
 * request. All input is validated (and the output file opened) before the
 * first run starts.
 */
import { accessSync, appendFileSync, closeSync, constants, openSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Command } from '../command.ts';
import { parseCommandArgs, parseIntFlag, parseIntListFlag, parseNumberFlag } from '../args.ts';
import { ErrorCodes, LabError, unknownName } from '../../core/errors.ts';
import { resolveRuntime } from '../../runtimes/registry.ts';
import {
  SEED_BUFFER_KIB,
  SEED_RECV_DELAY_S,
  pipelineMethods,
  type PipelineMethod,
  type PipelineOptions,
} from '../../seeds/pipeline/options.ts';
import { runPipeline, type PipelineRunResult } from '../../seeds/pipeline/driver.ts';
import {
  pipelineFormats,
  renderPipelineJson,
  renderPipelineTable,
  renderSeedTsv,
  type PipelineFormat,
} from '../../seeds/pipeline/format.ts';

const MAX_PIPELINES = 256;
/** Each child is a whole runtime (~40-60 MiB RSS); more would swamp a small machine. */
const MAX_PROCESS_PIPELINES = 128;

const usage = `usage: conlab pipeline [--method M] [--concurrency N | --sweep N,N,...] [--duration S] [flags]

Seed 001's I/O pipeline: N pipelines run for S seconds, each looping
recv (wait the receive delay, fill a 256 KiB buffer) → compute (touch every
8th byte) → write + fsync to its own file, in a temporary directory that is
removed afterwards (also on Ctrl-C).

  --method M         sequential | async | threads | processes (default async)
  --concurrency N    pipelines at once, 1..${MAX_PIPELINES} (default 1; processes: ..${MAX_PROCESS_PIPELINES})
  --sweep LIST       run once per concurrency in LIST (e.g. 1,2,4,8,16,32,64)
  --duration S       seconds each run lasts, > 0 (default 5)
  --format F         table | json | seed-tsv (default table); seed-tsv is seed 001's
                     11-column format (a '#' header and one data line per run)
  --output FILE      write there instead of stdout; seed-tsv appends (like the
                     seed's results file), table and json replace the file
  --runtime R        node | bun | deno | system-node | path (default node)
  --buffer-kib K     buffer size (default ${SEED_BUFFER_KIB})
  --recv-delay S     receive delay in seconds (default ${SEED_RECV_DELAY_S})
  --tmpdir DIR       where the temporary directory is made (default the OS temp dir)

'GIL enabled' in seed-tsv is True for methods that run all JavaScript on one
thread (sequential, async) and False for threads and processes.

Example: conlab pipeline --method async --concurrency 4 --duration 3 --format seed-tsv`;

interface PipelineCommandPlan {
  runs: PipelineOptions[];
  format: PipelineFormat;
  output: string | undefined;
  runtimeName: string;
  tmpRoot: string;
}

export function planPipelineCommand(argv: string[]): PipelineCommandPlan {
  const { values } = parseCommandArgs('pipeline', argv, {
    method: { type: 'string' },
    concurrency: { type: 'string' },
    sweep: { type: 'string' },
    duration: { type: 'string' },
    format: { type: 'string' },
    output: { type: 'string' },
    runtime: { type: 'string' },
    'buffer-kib': { type: 'string' },
    'recv-delay': { type: 'string' },
    tmpdir: { type: 'string' },
  });
  const methodName = values.method ?? 'async';
  if (!(pipelineMethods as readonly string[]).includes(methodName)) {
    throw unknownName(ErrorCodes.UNKNOWN_MODEL, 'pipeline method', methodName, pipelineMethods);
  }
  const method = methodName as PipelineMethod;
  const formatName = values.format ?? 'table';
  if (!(pipelineFormats as readonly string[]).includes(formatName)) {
    throw unknownName(ErrorCodes.BAD_PARAM, 'format', formatName, pipelineFormats);
  }
  if (values.sweep !== undefined && values.concurrency !== undefined) {
    throw new LabError(
      ErrorCodes.USAGE,
      'pipeline: --sweep and --concurrency both set the number of pipelines',
      {
        hint: 'give --concurrency N for one run or --sweep 1,2,4 for several',
      },
    );
  }
  const maxPipelines = method === 'processes' ? MAX_PROCESS_PIPELINES : MAX_PIPELINES;
  const levels =
    values.sweep !== undefined
      ? parseIntListFlag('sweep', values.sweep, 1, maxPipelines)
      : [parseIntFlag('concurrency', values.concurrency ?? '1', 1, maxPipelines)];
  const durationS = parsePositive('duration', values.duration ?? '5', 3600);
  const bufferKiB = parseIntFlag('buffer-kib', values['buffer-kib'] ?? String(SEED_BUFFER_KIB), 1, 64 * 1024);
  const recvDelayS = parseNumberFlag('recv-delay', values['recv-delay'] ?? String(SEED_RECV_DELAY_S), 0, 60);
  const tmpRoot = values.tmpdir ?? tmpdir();
  checkWritableDir('tmpdir', tmpRoot);
  if (values.output !== undefined) checkWritableFile(values.output);
  return {
    runs: levels.map((concurrency) => ({ method, concurrency, durationS, bufferKiB, recvDelayS })),
    format: formatName as PipelineFormat,
    output: values.output,
    runtimeName: values.runtime ?? 'node',
    tmpRoot,
  };
}

function parsePositive(flag: string, value: string, max: number): number {
  const n = parseNumberFlag(flag, value, 0, max);
  if (n <= 0) {
    throw new LabError(ErrorCodes.BAD_PARAM, `--${flag} '${value}' must be more than 0`, {
      hint: `give --${flag} a number of seconds above 0 (e.g. 3)`,
    });
  }
  return n;
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

export const command: Command = {
  name: 'pipeline',
  usage,
  async run(argv) {
    const plan = planPipelineCommand(argv);
    const runtime = resolveRuntime(plan.runtimeName);
    const results: PipelineRunResult[] = [];
    const emit = (text: string): void => {
      if (plan.output !== undefined) appendFileSync(plan.output, text);
      else process.stdout.write(text);
    };
    if (plan.output !== undefined && plan.format !== 'seed-tsv') writeFileSync(plan.output, '');
    for (const options of plan.runs) {
      if (plan.runs.length > 1) {
        process.stderr.write(
          `pipeline: ${options.method} × ${options.concurrency} for ${options.durationS} s ...\n`,
        );
      }
      const result = await runPipeline(options, { runtime, tmpRoot: plan.tmpRoot });
      results.push(result);
      // seed-tsv goes out run by run, so an interrupted sweep keeps the rows it finished.
      if (plan.format === 'seed-tsv') emit(renderSeedTsv(result));
    }
    if (plan.format === 'table') emit(renderPipelineTable(results));
    if (plan.format === 'json') emit(renderPipelineJson(results));
    for (const result of results) {
      if (result.status !== 'ok') {
        process.stderr.write(
          `pipeline: ${result.options.method} × ${result.options.concurrency} ${result.status}: ${result.reason ?? ''}\n`,
        );
      }
    }
    return results.some((result) => result.status === 'failed') ? 1 : 0;
  },
};
