/**
 * `conlab batch`: one workload over N items under a list of models and
 * concurrency levels (or a seed 003 preset), each cell a fresh subject
 * process per repetition; prints a table or `--json`.
 */
import type { Command } from '../command.ts';
import { parseCommandArgs, parseIntFlag, parseIntListFlag, parseNameListFlag, printJson } from '../args.ts';
import { ErrorCodes, LabError } from '../../core/errors.ts';
import { expandGrid } from '../../batch/driver/plan.ts';
import { expandPreset, getPreset, presetNames, presets } from '../../batch/driver/presets.ts';
import { runBatch } from '../../batch/driver/run-batch.ts';
import {
  BATCH_LIMITS,
  DEFAULT_IN_FLIGHT_PER_WORKER,
  DEFAULT_TIMEOUT_MS,
  type ResolvedBatchSpec,
} from '../../batch/spec.ts';
import { killAllSubjects } from '../../batch/driver/subject-process.ts';
import { renderBatchTable, renderSeed003Table } from '../../batch/driver/table.ts';
import { modelNames, models } from '../../models/index.ts';
import { captureEnvironment } from '../../monitor/environment.ts';
import { RESULT_SCHEMA_VERSION } from '../../results/record.ts';
import { resolveRuntime, type RuntimeSpec } from '../../runtimes/registry.ts';
import { parseParamPairs, workloadNames, workloads } from '../../workloads/index.ts';

const usage = `conlab batch — run one workload over N items under concurrency models

usage:
  conlab batch --workload NAME [--param k=v ...] [--items N] [--models a,b] [--concurrency 1,2,4]
               [--items-per-task 1,5] [--threads-per-process T] [--reps R] [--runtime node,bun,deno]
               [--timeout-ms MS] [--in-flight K] [--json]
  conlab batch --preset seed003-io|seed003-cpu [--reps R] [--runtime ...] [--json]
  conlab batch --list

flags:
  --workload NAME          ${workloadNames.join(', ')}
  --param k=v              workload param (repeatable, or k=v,k2=v2); see --list for each workload's params
  --items N                items in the batch (default 50)
  --models a,b             ${modelNames.join(', ')} (default sequential,async,threads,processes);
                           sequential always runs: it is the speedup baseline
  --concurrency 1,2,4      workers / items in flight per model (default 1,2,4)
  --items-per-task 1,5     items per message for pooled models (default 1)
  --threads-per-process T  hybrid: threads in each process (default 2)
  --reps R                 repetitions per cell, each a fresh process (default 3; presets 1)
  --runtime node,bun,deno  runtimes to run the subjects under (default node)
  --timeout-ms MS          per repetition (default ${DEFAULT_TIMEOUT_MS})
  --in-flight K            tasks a pool keeps in flight per worker (default ${DEFAULT_IN_FLIGHT_PER_WORKER})
  --json                   print {schemaVersion, env, results} instead of the table
  --list                   list workloads (with params), models and presets

Progress goes to stderr, one line per cell.`;

const options = {
  workload: { type: 'string' },
  param: { type: 'string', multiple: true },
  items: { type: 'string' },
  models: { type: 'string' },
  concurrency: { type: 'string' },
  'items-per-task': { type: 'string' },
  'threads-per-process': { type: 'string' },
  reps: { type: 'string' },
  runtime: { type: 'string' },
  'timeout-ms': { type: 'string' },
  'in-flight': { type: 'string' },
  preset: { type: 'string' },
  json: { type: 'boolean' },
  list: { type: 'boolean' },
} as const;

function listing(): string {
  const lines = ['workloads:'];
  for (const workload of Object.values(workloads)) {
    lines.push(`  ${workload.name.padEnd(11)} [${workload.kind}] ${workload.description}`);
    for (const [name, spec] of Object.entries(workload.params)) {
      const range = spec.type === 'string' ? String(spec.pattern) : `${spec.min}..${spec.max}`;
      lines.push(`      ${name}=${String(spec.default)}  (${range}) ${spec.description}`);
    }
  }
  lines.push('', 'models:');
  for (const model of Object.values(models)) lines.push(`  ${model.name.padEnd(15)} ${model.description}`);
  lines.push('', 'presets:');
  for (const preset of Object.values(presets))
    lines.push(`  ${preset.name.padEnd(12)} ${preset.description}`);
  return `${lines.join('\n')}\n`;
}

function resolveRuntimes(value: string | undefined): RuntimeSpec[] {
  const names = parseNameListFlag(value ?? 'node');
  if (names.length === 0) {
    throw new LabError(ErrorCodes.BAD_PARAM, '--runtime is empty', { hint: 'e.g. --runtime node,bun,deno' });
  }
  return [...new Set(names)].map(resolveRuntime);
}

type Values = ReturnType<typeof parseCommandArgs<typeof options>>['values'];

function planCells(values: Values): ResolvedBatchSpec[] {
  const reps =
    values.reps === undefined
      ? undefined
      : parseIntFlag('reps', values.reps, 1, BATCH_LIMITS.repetitions.max);
  if (values.preset !== undefined) {
    if (values.workload !== undefined || values.models !== undefined) {
      throw new LabError(
        ErrorCodes.USAGE,
        '--preset fixes the workload and models; drop --workload/--models',
        {
          hint: `e.g. conlab batch --preset ${presetNames[0] ?? ''}`,
        },
      );
    }
    return expandPreset(getPreset(values.preset), reps === undefined ? {} : { repetitions: reps });
  }
  if (values.workload === undefined) {
    throw new LabError(ErrorCodes.USAGE, 'conlab batch needs --workload or --preset', {
      hint: `workloads: ${workloadNames.join(', ')}; presets: ${presetNames.join(', ')}`,
    });
  }
  const modelList = parseNameListFlag(values.models ?? 'sequential,async,threads,processes');
  if (modelList.length === 0) {
    throw new LabError(ErrorCodes.BAD_PARAM, '--models is empty', {
      hint: `pick from ${modelNames.join(', ')}`,
    });
  }
  return expandGrid({
    workload: values.workload,
    params: parseParamPairs(values.param ?? []),
    models: modelList,
    // The per-model upper bound is checked when each cell resolves; 0 and garbage fail here.
    concurrency: parseIntListFlag('concurrency', values.concurrency ?? '1,2,4', 1, 10_000),
    itemsPerTask: parseIntListFlag(
      'items-per-task',
      values['items-per-task'] ?? '1',
      1,
      BATCH_LIMITS.itemsPerTask.max,
    ),
    threadsPerProcess: parseIntFlag(
      'threads-per-process',
      values['threads-per-process'] ?? '2',
      1,
      BATCH_LIMITS.threadsPerProcess.max,
    ),
    items: parseIntFlag('items', values.items ?? '50', 1, BATCH_LIMITS.items.max),
    repetitions: reps ?? 3,
    timeoutMs: parseIntFlag(
      'timeout-ms',
      values['timeout-ms'] ?? String(DEFAULT_TIMEOUT_MS),
      BATCH_LIMITS.timeoutMs.min,
      BATCH_LIMITS.timeoutMs.max,
    ),
    inFlightPerWorker: parseIntFlag(
      'in-flight',
      values['in-flight'] ?? String(DEFAULT_IN_FLIGHT_PER_WORKER),
      1,
      BATCH_LIMITS.inFlightPerWorker.max,
    ),
  });
}

export const command: Command = {
  name: 'batch',
  usage,
  async run(argv) {
    const { values } = parseCommandArgs('batch', argv, options);
    if (values.list) {
      process.stdout.write(listing());
      return 0;
    }
    // Everything is validated before the first subject starts.
    const specs = planCells(values);
    const runtimes = resolveRuntimes(values.runtime);
    const onSignal = (signal: NodeJS.Signals): void => {
      killAllSubjects();
      process.stderr.write(`\nconlab batch: interrupted by ${signal}; every subject process was killed\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const cells = await runBatch(specs, runtimes, {
        onProgress: (text) => process.stderr.write(`conlab batch: ${text}\n`),
      });
      const env = captureEnvironment(runtimes.map((runtime) => runtime.label));
      if (values.json) printJson({ schemaVersion: RESULT_SCHEMA_VERSION, env, results: cells });
      else if (values.preset !== undefined) process.stdout.write(renderSeed003Table(cells, env));
      else process.stdout.write(renderBatchTable(cells));
      // Failed cells are results, not a failed command: the run went on and reported them.
      return 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
