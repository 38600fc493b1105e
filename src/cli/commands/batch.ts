/**
 * `conlab batch`: one workload over N items under a list of models and
 * concurrency levels (or a seed 003 preset, stored as a run), each cell a
 * fresh subject process per repetition; prints a table or `--json`.
 */
import type { Command } from '../command.ts';
import { allowFailuresFlag, allowFailuresHelp, exitCode, exitCodesHelp, failedCells } from '../exit.ts';
import { ErrorCodes, LabError } from '../../core/errors.ts';
import { runBatchStored } from '../../batch/driver/run-batch.ts';
import {
  optionalFlag,
  parseCommandArgs,
  parseIntFlag,
  parseIntListFlag,
  parseNameListFlag,
} from '../args.ts';
import { jsonText, outputFlags, outputOf } from '../grammar.ts';
import { BATCH_DEFAULTS as D, planBatch } from '../../batch/driver/plan.ts';
import { presets } from '../../batch/driver/presets.ts';
import { runBatch } from '../../batch/driver/run-batch.ts';
import { BATCH_LIMITS } from '../../batch/spec.ts';
import { onInterrupt } from '../../core/subject/exit-hook.ts';
import { renderBatchTable, renderSeed003Table } from '../../batch/driver/table.ts';
import {
  axisBounds,
  axisHelp,
  baselineModel,
  describeAxes,
  models,
  type ModelAxisName,
} from '../../models/registry.ts';
import { captureEnvironment } from '../../monitor/environment.ts';
import { RESULT_SCHEMA_VERSION, type BatchCell } from '../../results/record.ts';
import { DEFAULT_STORE_PATH, openStore } from '../../results/store.ts';
import type { RuntimeSpec } from '../../runtimes/registry.ts';
import type { ResolvedBatchSpec } from '../../batch/spec.ts';
import { describeParamRange, parseParamPairs, workloadNames, workloads } from '../../workloads/index.ts';

const usage = `conlab batch — run one workload over N items under concurrency models

usage:
  conlab batch --workload NAME|./task.ts[#export] [--param k=v ...] [--items N] [--models a,b] [--concurrency 1,2,4]
               [--items-per-task 1,5] [--threads-per-process 2,4] [--reps R] [--runtime node,bun,deno]
               [--timeout-ms MS] [--in-flight K] [--json]
  conlab batch --preset ${Object.keys(presets).join('|')} [--reps R] [--runtime ...] [--json] [--store PATH]
  conlab batch --list

flags:
  --workload NAME          ${workloadNames.join(', ')};
                           or PATH: your own module (.ts/.js/.mjs, #name for a named export), see below
  --param k=v              workload param (repeatable, or k=v,k2=v2); see --list for each workload's params
                           (a module's params: the keys of its \`params\` export, typed like their defaults)
  --items N                items in the batch (default ${D.items})
  --models a,b             ${models.names().join(', ')} (default ${D.models.join(',')});
                           ${baselineModel.name} always runs: it is the speedup baseline
  --concurrency 1,2,4      workers / items in flight per model (default ${D.concurrency.join(',')})
  --items-per-task 1,5     items per message (${axisHelp('itemsPerTask')})
  --threads-per-process 2  threads in each process (${axisHelp('threadsPerProcess')})
  --reps R                 repetitions per cell, each a fresh process (default ${D.repetitions}; presets ${D.presetRepetitions})
  --runtime node,bun,deno  runtimes to run the subjects under (default ${D.runtimes.join(',')})
  --timeout-ms MS          per repetition (default ${D.timeoutMs})
  --in-flight K            tasks a pool keeps in flight per worker (default ${D.inFlightPerWorker})
  --format table|json      the table (default) or {schemaVersion, env, results} (--json)
  -o, --output FILE        write the result to FILE instead of stdout
  --list                   list workloads (with params), models (with their axes) and presets
  --store PATH             results store of --preset runs (default ${DEFAULT_STORE_PATH}): a
                           preset is stored as a run named 'batch PRESET' for results/compare/report
${allowFailuresHelp}

A model runs once per combination of the axes it declares (see --list); an
axis it does not declare stays at 1. Progress goes to stderr, one line per cell.

Your own code (docs/WORKLOADS.md): --workload ./task.ts runs the module's
default export (./task.ts#name: a named one) once per item:
  export default function (item, params) { return result }   // async allowed
  export function items(count, params) { return [...] }        // optional; default 0..count-1
  export const params = { size: 1000, fast: true };            // optional; --param size=10
  export const kind = 'io';                                    // optional; default 'cpu' (labels)
It is imported once in every subject, worker thread and child process. An
item is what crosses to a worker (a pool sends each task's items as JSON); a
result must be a JSON value, and the cell's answer is a SHA-256 digest of
every result in item order, which must agree across models and runtimes.
async-blocking needs a synchronous task.

${exitCodesHelp}`;

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
  store: { type: 'string' },
  list: { type: 'boolean' },
  ...outputFlags,
  ...allowFailuresFlag,
} as const;

/** The flag of each model axis. */
const axisFlags: Record<ModelAxisName, keyof typeof options> = {
  concurrency: 'concurrency',
  threadsPerProcess: 'threads-per-process',
  itemsPerTask: 'items-per-task',
};

function listing(): string {
  const lines = ['workloads:'];
  for (const workload of Object.values(workloads)) {
    lines.push(`  ${workload.name.padEnd(11)} [${workload.kind}] ${workload.description}`);
    for (const [name, spec] of Object.entries(workload.params)) {
      lines.push(`      ${name}=${String(spec.default)}  (${describeParamRange(spec)}) ${spec.description}`);
    }
  }
  lines.push('', 'models:');
  for (const model of models.all()) {
    lines.push(`  ${model.name.padEnd(15)} ${model.description}`, `      axes: ${describeAxes(model)}`);
  }
  lines.push('', 'presets:');
  for (const preset of Object.values(presets))
    lines.push(`  ${preset.name.padEnd(12)} ${preset.description}`);
  return `${lines.join('\n')}\n`;
}

type Values = ReturnType<typeof parseCommandArgs<typeof options>>['values'];

/** The flags as typed values; every check of meaning and every default is planBatch's. */
function parseRequest(values: Values): Parameters<typeof planBatch>[0] {
  const axes: Partial<Record<ModelAxisName, number[]>> = {};
  for (const [axis, flag] of Object.entries(axisFlags) as [ModelAxisName, keyof typeof options][]) {
    const value = values[flag];
    // The per-model range is checked when each cell resolves; 0 and garbage fail here.
    const { min, max } = axisBounds(axis);
    if (typeof value === 'string') axes[axis] = parseIntListFlag(flag, value, min, max);
  }
  return {
    preset: values.preset,
    workload: values.workload,
    params: parseParamPairs(values.param ?? []),
    models: optionalFlag(values.models, parseNameListFlag),
    axes,
    items: optionalFlag(values.items, (v) => parseIntFlag('items', v, 1, BATCH_LIMITS.items.max)),
    repetitions: optionalFlag(values.reps, (v) => parseIntFlag('reps', v, 1, BATCH_LIMITS.repetitions.max)),
    runtimes: optionalFlag(values.runtime, parseNameListFlag),
    timeoutMs: optionalFlag(values['timeout-ms'], (v) =>
      parseIntFlag('timeout-ms', v, BATCH_LIMITS.timeoutMs.min, BATCH_LIMITS.timeoutMs.max),
    ),
    inFlightPerWorker: optionalFlag(values['in-flight'], (v) =>
      parseIntFlag('in-flight', v, 1, BATCH_LIMITS.inFlightPerWorker.max),
    ),
  };
}

/** A seed 003 preset is a seed experiment: stored as a run like the other seeds' (the stored line on stderr). */
async function runStoredPreset(
  preset: string,
  specs: ResolvedBatchSpec[],
  runtimes: RuntimeSpec[],
  storePath: string | undefined,
  onProgress: (text: string) => void,
): Promise<BatchCell[]> {
  const store = openStore(storePath ?? DEFAULT_STORE_PATH);
  try {
    const { runId, cells } = await runBatchStored(specs, runtimes, {
      store,
      name: `batch ${preset}`,
      onProgress,
    });
    onProgress(`run ${runId} (batch ${preset}) stored in ${store.path}`);
    return cells;
  } finally {
    store.close();
  }
}

export const command: Command = {
  name: 'batch',
  usage,
  flags: options,
  async run(argv) {
    const { values } = parseCommandArgs('batch', argv, options);
    const output = outputOf('batch', values, ['table', 'json']);
    if (values.list) {
      process.stdout.write(listing());
      return 0;
    }
    // Everything is validated before the first subject starts.
    if (values.store !== undefined && values.preset === undefined) {
      throw new LabError(ErrorCodes.USAGE, '--store applies to --preset runs (a plain batch is not stored)', {
        hint: "drop --store, or use 'conlab run' with a suite to store batch cells",
      });
    }
    const { cells: specs, runtimes } = planBatch(parseRequest(values));
    // The exit hook kills every subject group first, then this says so, then the driver exits 128 + signal.
    const release = onInterrupt((signal) =>
      process.stderr.write(`\nconlab batch: interrupted by ${signal}; every subject process was killed\n`),
    );
    const onProgress = (text: string): void => void process.stderr.write(`conlab batch: ${text}\n`);
    try {
      const cells =
        values.preset === undefined
          ? await runBatch(specs, runtimes, { onProgress })
          : await runStoredPreset(values.preset, specs, runtimes, values.store, onProgress);
      const env = captureEnvironment(runtimes.map((runtime) => runtime.label));
      output.emit(
        output.format === 'json'
          ? jsonText({ schemaVersion: RESULT_SCHEMA_VERSION, env, results: cells })
          : values.preset !== undefined
            ? renderSeed003Table(cells, env)
            : renderBatchTable(cells),
      );
      // The run went on past a failed cell and reported it; the exit status still says so.
      return exitCode('batch', failedCells(cells), { allowFailures: values['allow-failures'] ?? false });
    } finally {
      release();
    }
  },
};
