/**
 * `conlab pipeline`: seed 001's I/O pipeline (recv → compute → write+fsync)
 * with N pipelines under one method, in the seed's own result format on
 * request, stored as a run named `pipeline`. All input is validated (and
 * the output file opened) before the first run starts.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import type { Command } from '../command.ts';
import { allowFailuresFlag, allowFailuresHelp, exitCode, exitCodesHelp, failedCells } from '../exit.ts';
import { optionalFlag, parseCommandArgs, parseIntFlag, parseIntListFlag, parseNumberFlag } from '../args.ts';
import { outputFlags, parseDuration } from '../grammar.ts';
import { DEFAULT_STORE_PATH, openStore } from '../../results/store.ts';
import {
  pipelineFormats,
  renderPipelineJson,
  renderPipelineTable,
  renderSeedTsv,
} from '../../seeds/pipeline/format.ts';
import { methodIsSingleThreaded, pipelineMethods } from '../../seeds/pipeline/options.ts';
import {
  PIPELINE_DEFAULTS as D,
  PIPELINE_LIMITS as L,
  planPipeline,
  runPipelinePlan,
  type PipelineRequest,
} from '../../seeds/pipeline/plan.ts';

const singleThreaded = pipelineMethods.filter(methodIsSingleThreaded);
const parallel = pipelineMethods.filter((method) => !methodIsSingleThreaded(method));

const usage = `usage: conlab pipeline [--method M] [--concurrency N | --sweep N,N,...] [--duration S] [flags]

Seed 001's I/O pipeline: N pipelines run for S seconds, each looping
recv (wait the receive delay, fill a 256 KiB buffer) → compute (touch every
8th byte) → write + fsync to its own file, in a temporary directory that is
removed afterwards (also on Ctrl-C).

  --method M         ${pipelineMethods.join(' | ')} (default ${D.method})
  --concurrency N    pipelines at once, 1..${L.pipelines} (default ${D.concurrency}; processes: ..${L.processPipelines})
  --sweep LIST       run once per concurrency in LIST (e.g. 1,2,4,8,16,32,64)
  --duration S       seconds each run lasts, > 0 (default ${D.durationS})
  --format F         ${pipelineFormats.join(' | ')} (default ${D.format}); seed-tsv is seed 001's
                     11-column format (a '#' header and one data line per run)
  -o, --output FILE  write there instead of stdout; seed-tsv appends (like the
                     seed's results file), table and json replace the file
  --runtime R        node | bun | deno | system-node | path (default ${D.runtime})
  --buffer-kib K     buffer size (default ${D.bufferKiB})
  --recv-delay S     receive delay in seconds (default ${D.recvDelayS})
  --tmpdir DIR       where the temporary directory is made (default the OS temp dir)
  --store PATH       results store (default ${DEFAULT_STORE_PATH}); the runs are
                     stored as one run named 'pipeline' for results/compare/report
${allowFailuresHelp}

'GIL enabled' in seed-tsv is True for methods that run all JavaScript on one
thread (${singleThreaded.join(', ')}) and False for ${parallel.join(' and ')}.

Example: conlab pipeline --method async --concurrency 4 --duration 3 --format seed-tsv

${exitCodesHelp}`;

/** The flags as typed values; every check of meaning and every default is planPipeline's. */
const flags = {
  method: { type: 'string' },
  concurrency: { type: 'string' },
  sweep: { type: 'string' },
  duration: { type: 'string' },
  ...outputFlags,
  ...allowFailuresFlag,
  runtime: { type: 'string' },
  'buffer-kib': { type: 'string' },
  'recv-delay': { type: 'string' },
  tmpdir: { type: 'string' },
  store: { type: 'string' },
} as const;

function parseRequest(argv: string[]): PipelineRequest & { allowFailures: boolean } {
  const { values } = parseCommandArgs('pipeline', argv, flags);
  return {
    method: values.method,
    concurrency: optionalFlag(values.concurrency, (v) => parseIntFlag('concurrency', v, 1, L.pipelines)),
    sweep: optionalFlag(values.sweep, (v) => parseIntListFlag('sweep', v, 1, L.pipelines)),
    durationS: optionalFlag(values.duration, (v) => parseDuration('duration', v, 0, L.durationS)),
    format: values.json ? 'json' : values.format,
    output: values.output,
    runtime: values.runtime,
    bufferKiB: optionalFlag(values['buffer-kib'], (v) => parseIntFlag('buffer-kib', v, 1, L.bufferKiB)),
    recvDelayS: optionalFlag(values['recv-delay'], (v) => parseNumberFlag('recv-delay', v, 0, L.recvDelayS)),
    tmpdir: values.tmpdir,
    store: values.store,
    allowFailures: values['allow-failures'] ?? false,
  };
}

export const command: Command = {
  name: 'pipeline',
  usage,
  flags,
  async run(argv) {
    const { allowFailures, ...request } = parseRequest(argv);
    const plan = planPipeline(request);
    const emit = (text: string): void => {
      if (plan.output !== undefined) appendFileSync(plan.output, text);
      else process.stdout.write(text);
    };
    const store = openStore(plan.storePath);
    if (plan.output !== undefined && plan.format !== 'seed-tsv') writeFileSync(plan.output, '');
    try {
      const { runId, results } = await runPipelinePlan(plan, {
        store,
        onStart: (options) => {
          process.stderr.write(
            `pipeline: ${options.method} × ${options.concurrency} for ${options.durationS} s ...\n`,
          );
        },
        // seed-tsv goes out run by run, so an interrupted sweep keeps the rows it finished.
        onResult: (result) => {
          if (plan.format === 'seed-tsv') emit(renderSeedTsv(result));
        },
      });
      if (plan.format === 'table') emit(renderPipelineTable(results));
      if (plan.format === 'json') emit(renderPipelineJson(results));
      for (const result of results) {
        // Failed ones are named below, by the exit-code decision.
        if (result.status !== 'ok' && result.status !== 'failed') {
          process.stderr.write(
            `pipeline: ${result.options.method} × ${result.options.concurrency} ${result.status}: ${result.reason ?? ''}\n`,
          );
        }
      }
      // stderr: stdout (or --output) carries the seed's own format, unchanged.
      process.stderr.write(`pipeline: run ${runId} stored in ${store.path}\n`);
      return exitCode('pipeline', failedCells(store.loadCells(runId, { withParts: false })), {
        allowFailures,
      });
    } finally {
      store.close();
    }
  },
};
