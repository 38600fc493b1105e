/**
 * `conlab capacity`: per architecture × runtime, the highest open-loop rate
 * whose corrected latency percentile stays under a target and whose error
 * rate stays under a limit (src/servers/capacity). Every step is a real
 * server cell, stored the moment it ends as a run named `capacity …`, which
 * `conlab report` draws as latency against offered load.
 */
import { ErrorCodes, LabError } from '../../core/errors.ts';
import { DEFAULT_STORE_PATH, openStore } from '../../results/store.ts';
import { serverMetrics } from '../../results/thresholds.ts';
import {
  CAPACITY_DEFAULTS as D,
  parsePercentileName,
  planCapacity,
  runCapacity,
  type CapacityRequest,
} from '../../servers/capacity/run.ts';
import { checkCapacityGates } from '../../servers/capacity/summary.ts';
import { renderCapacityText } from '../../servers/capacity/table.ts';
import { endpointNames } from '../../servers/driver/endpoints.ts';
import { countFlagHelp } from '../../servers/resolve.ts';
import { architectures } from '../../servers/subject/arch/registry.ts';
import { MAX_ITERS } from '../../servers/subject/http/score-request.ts';
import { latencyMetricNames } from '../../stats/thresholds.ts';
import {
  optionalFlag,
  parseCommandArgs,
  parseIntFlag,
  parseLatencyFlag,
  parseNameListFlag,
  parseNumberFlag,
  parsePercentFlag,
  parseSeconds,
  parseThresholdFlags,
  thresholdFlagHelp,
  thresholdFlags,
} from '../args.ts';
import type { Command } from '../command.ts';
import { serverCellFlags } from '../server-flags.ts';
import { jsonText, outputFlags, outputOf } from '../grammar.ts';
import { progressFlags, progressFlagsHelp, secondsPrinter } from '../progress.ts';
import {
  allowFailuresFlag,
  allowFailuresHelp,
  crossedThresholds,
  exitCode,
  exitCodesHelp,
  failedCells,
  type Problem,
} from '../exit.ts';

const pct = (fraction: number): string => `${+(fraction * 100).toPrecision(3)}%`;

const usage = `usage: conlab capacity --p99 50ms [--arch a,b] [--endpoint E] [flags]
       conlab capacity --percentile p999 --target 20ms [...]

Finds, per architecture × runtime, the highest open-loop rate whose
corrected latency percentile stays under the target and whose error rate
stays under the limit. Each step is a real server cell (a fresh server,
verified, warmed up, loaded while the monitor samples it): idle (a low rate:
a target missed even there is unreachable, exit 2) → probe (closed loop: the
most it serves; the search offers at most twice that) → ramp (from half of
it, ×√2 per step, until a step fails) → bisect (until the last passing and
first failing rate are within --resolution). Steps of the architectures
alternate, one each in turn. Stored as a run: 'conlab report' draws latency
against offered load for every architecture on one chart.

target (exactly one):
  --p50 T | --p90 T | --p95 T | --p99 T | --p999 T | --max T | --mean T
                        the percentile and its target, e.g. --p99 50ms (us, ms, s)
  --percentile P --target T   the same, spelled apart (P: ${latencyMetricNames.join(', ')}, p99.9)

search:
  --max-error-rate R    the error rate a passing step may have (default ${pct(D.maxErrorRate)})
  --max-rate R          the highest rate offered, req/s; given, the probe is skipped
  --max-steps N         stop after N steps per search (default ${D.maxSteps})
  --time-budget T       stop a search once its steps took T (e.g. 5m; default none)
  --resolution R        stop bisecting when the interval is within R (default ${pct(D.resolution)})
  --idle-rate R         the idle step's rate, req/s (default ${D.idleRps})

server and load (as bench-server):
  --arch a,b,...        ${architectures.names().join(', ')} (default ${D.architectures.join(',')})
  --endpoint E          ${endpointNames.join(', ')} (default ${D.endpoint})
  --runtime r,...       node, bun, deno, ... (default ${D.runtimes.join(',')})
  --connections N       connections the rate is spread over (default ${D.connections})
  --duration T          measured time per step: 3, 3s, 500ms (default ${D.durationS}s)
  --warmup T            warm-up per step (default ${D.warmupS}s)
  --workers N           serving units (${countFlagHelp('workers')})
  --threads T           CPU pool threads (${countFlagHelp('threads')})
  --iters N             SHA-256 chain length per cpu request
  --spin-iters N        cpu.js steps per tcp-compute reply
  --load-threads N      load generator threads (default ${D.loadThreads})

output:
  --store PATH          results store (default ${DEFAULT_STORE_PATH})
  --format table|json   the capacity table (default) or {runId, searches} as JSON
                        with every threshold checked (--json is the same)
  -o, --output FILE     write the result to FILE instead of stdout
${progressFlagsHelp}
${thresholdFlagHelp(serverMetrics)}
                        Checked per search: rps on the capacity found, the others
                        on the step measured at it.
${allowFailuresHelp}

A search that stops because a server died keeps its steps (stored) and
says where it stopped (exit 1). A failing step the load generator explains
(it fell behind its schedule) stops the search: raising the rate would
measure the generator, not the server (LAB_E_GENERATOR_LIMITED, exit 2).

${exitCodesHelp}`;

const percentileFlags = Object.fromEntries(
  latencyMetricNames.map((name) => [name, { type: 'string' } as const]),
) as Record<(typeof latencyMetricNames)[number], { type: 'string' }>;

const flags = {
  ...serverCellFlags,
  ...percentileFlags,
  percentile: { type: 'string' },
  target: { type: 'string' },
  'max-error-rate': { type: 'string' },
  'max-rate': { type: 'string' },
  'max-steps': { type: 'string' },
  'time-budget': { type: 'string' },
  resolution: { type: 'string' },
  'idle-rate': { type: 'string' },
  arch: { type: 'string' },
  endpoint: { type: 'string' },
  store: { type: 'string' },
  ...outputFlags,
  ...progressFlags,
  ...thresholdFlags,
  ...allowFailuresFlag,
} as const;

type Values = ReturnType<typeof parseCommandArgs<typeof flags>>['values'];

/** The target: one --pNN flag, or --percentile with --target. */
function target(values: Values): { percentile: string; targetUs: number } {
  const given = latencyMetricNames.filter((name) => values[name] !== undefined);
  const spelledApart = values.percentile !== undefined || values.target !== undefined;
  if (given.length + (spelledApart ? 1 : 0) !== 1) {
    throw new LabError(
      ErrorCodes.USAGE,
      given.length === 0 && !spelledApart
        ? 'capacity needs a target: the latency percentile that must stay under it'
        : `capacity takes one target, got ${[...given.map((name) => `--${name}`), ...(spelledApart ? ['--percentile/--target'] : [])].join(', ')}`,
      { hint: 'e.g. --p99 50ms, or --percentile p999 --target 20ms' },
    );
  }
  const [flag] = given;
  if (flag !== undefined) return { percentile: flag, targetUs: parseLatencyFlag(flag, values[flag] ?? '') };
  if (values.percentile === undefined || values.target === undefined) {
    throw new LabError(ErrorCodes.USAGE, '--percentile and --target go together', {
      hint: 'e.g. --percentile p999 --target 20ms',
    });
  }
  return {
    percentile: parsePercentileName(values.percentile),
    targetUs: parseLatencyFlag('target', values.target),
  };
}

function parseRequest(values: Values): CapacityRequest {
  return {
    ...target(values),
    architectures: optionalFlag(values.arch, parseNameListFlag),
    endpoint: values.endpoint,
    runtimes: optionalFlag(values.runtime, parseNameListFlag),
    maxErrorRate: optionalFlag(values['max-error-rate'], (v) => parsePercentFlag('max-error-rate', v)),
    maxRateRps: optionalFlag(values['max-rate'], (v) => parseNumberFlag('max-rate', v, 0.1, Infinity)),
    maxSteps: optionalFlag(values['max-steps'], (v) => parseIntFlag('max-steps', v, 2, 100)),
    timeBudgetS: optionalFlag(values['time-budget'], (v) => parseSeconds('time-budget', v, 1, 7 * 86_400)),
    resolution: optionalFlag(values.resolution, (v) => parsePercentFlag('resolution', v, 0.001, 1)),
    idleRps: optionalFlag(values['idle-rate'], (v) => parseNumberFlag('idle-rate', v, 0.1, 1_000_000)),
    connections: optionalFlag(values.connections, (v) => parseIntFlag('connections', v, 1, 10_000)),
    durationS: optionalFlag(values.duration, (v) => parseSeconds('duration', v, 0.1, 3600)),
    warmupS: optionalFlag(values.warmup, (v) => parseSeconds('warmup', v, 0, 600)),
    workers: optionalFlag(values.workers, (v) => parseIntFlag('workers', v, 1, 256)),
    threads: optionalFlag(values.threads, (v) => parseIntFlag('threads', v, 1, 256)),
    cpuIters: optionalFlag(values.iters, (v) => parseIntFlag('iters', v, 1, MAX_ITERS)),
    spinIters: optionalFlag(values['spin-iters'], (v) => parseIntFlag('spin-iters', v, 1, 1e9)),
    loadThreads: optionalFlag(values['load-threads'], (v) => parseIntFlag('load-threads', v, 1, 64)),
  };
}

export const command: Command = {
  name: 'capacity',
  usage,
  flags,
  async run(argv) {
    const { values } = parseCommandArgs('capacity', argv, flags);
    const output = outputOf('capacity', values, ['table', 'json']);
    const thresholds = parseThresholdFlags(values.threshold, serverMetrics);
    const plan = planCapacity(parseRequest(values));
    const store = openStore(values.store ?? DEFAULT_STORE_PATH);
    const interrupt = (signal: NodeJS.Signals): void => {
      process.stderr.write(
        `conlab capacity: stopped by ${signal}; the steps measured so far are stored (the run is marked interrupted)\n`,
      );
      // recordRun's exit hook marks the run interrupted; the launcher's kills every server still running.
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    try {
      process.stderr.write(
        `capacity: ${plan.searches.length} search${plan.searches.length === 1 ? '' : 'es'}, ${plan.settings.percentile} < ${plan.settings.targetUs / 1000} ms, errors ≤ ${pct(plan.settings.maxErrorRate)}, at most ${plan.settings.maxSteps} steps each\n`,
      );
      const run = await runCapacity(plan, {
        store,
        onSecond: secondsPrinter(values, (line) => void process.stderr.write(`      ${line}\n`)),
        onStep: (event, record) => {
          const info = record.kind === 'server' ? record.capacity : undefined;
          const verdict =
            record.status !== 'ok'
              ? `${record.status}: ${record.reason ?? ''}`
              : info?.passed === null || info === undefined
                ? `probe: ${Math.round(record.kind === 'server' ? record.rps : 0)} req/s`
                : info.passed
                  ? 'pass'
                  : `fail: ${info.why.join('; ')}`;
          process.stderr.write(`  [${event.index}] ${event.cell.label}: ${verdict}\n`);
          if (info?.result) process.stderr.write(`  → ${info.result.status}: ${info.result.reason}\n`);
        },
      });
      const checks = run.summaries.map((summary) => ({
        search: summary.search,
        checks: checkCapacityGates(summary, run.records, thresholds),
      }));
      output.emit(
        output.format === 'json'
          ? jsonText({
              runId: run.runId,
              settings: plan.settings,
              searches: run.summaries,
              ...(thresholds.length > 0 ? { thresholds: checks } : {}),
            })
          : renderCapacityText(run.summaries),
      );
      process.stderr.write(
        `run ${run.runId} (capacity) stored in ${store.path}; 'conlab report ${run.runId}' draws it\n`,
      );
      const problems: Problem[] = [
        ...failedCells(run.records),
        ...checks.flatMap(({ search, checks: list }) => crossedThresholds(list, search)),
      ];
      const code = exitCode('capacity', problems, { allowFailures: values['allow-failures'] ?? false });
      const unanswerable = run.summaries.find(
        (summary) => summary.status === 'idle-fails' || summary.status === 'generator-limited',
      );
      if (unanswerable) {
        throw new LabError(
          unanswerable.status === 'idle-fails' ? ErrorCodes.TARGET_BELOW_IDLE : ErrorCodes.GENERATOR_LIMITED,
          `${unanswerable.architecture} on ${unanswerable.runtime}: ${unanswerable.reason}`,
          {
            hint:
              unanswerable.status === 'idle-fails'
                ? `give a target above the idle ${unanswerable.percentile} (${unanswerable.idleUs === null ? '?' : `${Math.round(unanswerable.idleUs / 100) / 10} ms`})`
                : 'the steps measured so far are stored; add --load-threads, or give --max-rate below the rate where it fell behind',
          },
        );
      }
      return code;
    } finally {
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
      store.close();
    }
  },
};
