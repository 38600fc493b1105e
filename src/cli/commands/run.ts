/**
 * `conlab run [SUITE]`: expand a suite (default: the built-in quick suite),
 * run every cell repetition in a fresh subject process in the planned
 * order, store each record as it ends, then print the table, the report
 * path and the conclusion. `--resume` finishes the last unfinished run.
 */
import type { Command } from '../command.ts';
import { parseCommandArgs, parseThresholdFlags, thresholdFlagHelp, thresholdFlags } from '../args.ts';
import { jsonText, outputFlags, outputOf, type Output } from '../grammar.ts';
import {
  allowFailuresFlag,
  allowFailuresHelp,
  crossedThresholds,
  exitCode,
  exitCodesHelp,
  failedCells,
} from '../exit.ts';
import { cellMetrics } from '../../results/thresholds.ts';
import type { Threshold } from '../../stats/thresholds.ts';
import { checkRunGates, metricsOfPlans, type GateResult } from '../../suite/gates.ts';
import { ErrorCodes, LabError, errorText } from '../../core/errors.ts';
import { onInterrupt } from '../../core/subject/exit-hook.ts';
import { captureEnvironment } from '../../monitor/environment.ts';
import { renderMarkdownCells, renderTerminalTable } from '../../report/terminal.ts';
import { writeHtmlReport } from '../../report/html.ts';
import { resolveRuntime } from '../../runtimes/registry.ts';
import { isLiveConlabProcess } from '../../results/owner.ts';
import { DEFAULT_STORE_PATH, openStore, type ResultStore } from '../../results/store.ts';
import { conclusionText } from '../../report/conclusion.ts';
import { prepareSuite, type PreparedSuite } from '../../suite/load.ts';
import { clock, progressPrinter, repetitionsText } from '../../suite/progress.ts';
import { suiteExecutor } from '../../suite/run-cells.ts';
import { cellRule, extraRoundOrder } from '../../suite/expand.ts';
import { runSuiteSteps, type RunOutcome } from '../../suite/runner.ts';
import type { CellPlan, PlannedRep, ResolvedSuite } from '../../suite/types.ts';
import type { RunData } from '../../results/record.ts';
import { mergeRepetitions } from '../../results/merge.ts';
import { overrideFlags, readOverrides } from '../suite-flags.ts';
import { progressFlags, secondsPrinter } from '../progress.ts';

const REPORT_PATH = 'reports/latest.html';

const usage = `usage: conlab run [SUITE] [flags]
       conlab run --resume [--store PATH]

Runs every cell of SUITE (a YAML or JSON suite file; default: the built-in
quick suite, suites/quick.yaml) — each repetition in a fresh subject
process, in the suite's order — and stores each record the moment it ends.
Ends with the table, the HTML report (${REPORT_PATH}) and a conclusion.
Ctrl-C stops cleanly and keeps every cell measured so far.

flags:
  --resume           finish the last unfinished run (interrupted, killed, or
                     stopped by its time budget): each remaining cell
                     repetition is measured exactly once
  --store PATH       results store (default ${DEFAULT_STORE_PATH})
  --no-report        do not write the HTML report
  --progress         each server cell's measured seconds on stderr (req/s, p99,
                     errors) even when stderr is not a terminal or CI is set
  -q, --quiet        no per-second detail (default: only on a terminal)
  --format F         table (default), markdown (the cells as GitHub tables) or
                     json (the run's stored data; --json is the same)
  -o, --output FILE  write the result to FILE instead of stdout
  --runtimes LIST    override the suite's runtimes, e.g. node,bun
  --reps N|auto      repetitions per cell; auto: at least 3, then more until
                     the 95% interval is within --precision (default 5%), at
                     most --max-reps (default 10), within the time budget
  --precision P      repetitions auto: target half-width, e.g. 5%
  --max-reps N       repetitions auto: the most per cell (3..100)
  --min-window D     shortest measured window of a batch repetition (and
                     shortest server duration), e.g. 1s (default 1s)
  --warmup S         warmup seconds (server cells)
  --order O          interleaved | shuffled | sequential
  --seed N           seed of the order shuffle
  --time-budget S    stop (resumable) after S seconds
  --duration S       measured seconds of every server cell
  --items N          items of every batch cell
  --concurrency LIST concurrency levels of every batch experiment, e.g. 1,2,4
  --connections LIST connection counts of every server experiment
${thresholdFlagHelp(cellMetrics)}
                     Checked on every cell that measures the metric (merged
                     over its repetitions) and every capacity search, besides
                     the suite's own 'thresholds:'.
${allowFailuresHelp}

See also: conlab suite show SUITE (the cells and an estimated duration),
conlab results list|show|export, conlab compare A B.

${exitCodesHelp}
`;

interface Prepared {
  runId: string;
  suite: ResolvedSuite;
  cells: CellPlan[];
  plan: PlannedRep[];
  resumed: boolean;
}

function resumeRun(store: ResultStore): Prepared {
  const runId = store.lastUnfinishedRunId();
  if (runId === null) {
    throw new LabError(ErrorCodes.NOT_FOUND, `no unfinished run to resume in ${store.path}`, {
      hint: "every run is complete; start a new one with 'conlab run [SUITE]'",
    });
  }
  const info = store.runInfo(runId);
  if (
    info.status === 'running' &&
    info.ownerPid !== null &&
    info.ownerPid !== process.pid &&
    isLiveConlabProcess(info.ownerPid)
  ) {
    throw new LabError(ErrorCodes.STORE, `run ${runId} is still running (pid ${info.ownerPid})`, {
      hint: 'wait for it, or stop it with Ctrl-C / kill before resuming',
    });
  }
  store.markRun(runId, 'running');
  return {
    runId,
    suite: info.suite as ResolvedSuite,
    cells: info.cells as CellPlan[],
    plan: info.plan,
    resumed: true,
  };
}

function newRun(store: ResultStore, prepared: PreparedSuite, gates: readonly string[] | undefined): Prepared {
  // Checked before the run is created: a gate no cell of this suite could check is a mistake.
  parseThresholdFlags(gates, metricsOfPlans(prepared.cells));
  const labels = prepared.suite.runtimes.map((name) => resolveRuntime(name).label);
  const runId = store.createRun({
    suiteName: prepared.suite.name,
    env: captureEnvironment(labels),
    suite: prepared.suite,
    cells: prepared.cells,
    plan: prepared.plan,
  });
  return { runId, ...prepared, resumed: false };
}

/** The run's exit status: failed cells (unless allowed; one line per cell, not per repetition) and crossed gates. */
function verdict(data: RunData, gates: readonly GateResult[], allowFailures: boolean): number {
  return exitCode(
    'run',
    [
      ...failedCells(mergeRepetitions(data.cells)),
      ...gates.flatMap(({ key, checks }) => crossedThresholds(checks, key)),
    ],
    { allowFailures },
  );
}

async function finish(
  store: ResultStore,
  prepared: Prepared,
  outcome: RunOutcome,
  options: { output: Output; report: boolean; thresholds: Threshold[]; allowFailures: boolean },
): Promise<number> {
  const data = store.loadRun(prepared.runId);
  const gates = checkRunGates(data, prepared.cells, options.thresholds);
  const gated = gates.length > 0 ? { thresholds: gates } : {};
  if (options.output.format === 'json') {
    options.output.emit(jsonText({ outcome, ...data, ...gated }));
    return verdict(data, gates, options.allowFailures);
  }
  const table = options.output.format === 'markdown' ? renderMarkdownCells(data) : renderTerminalTable(data);
  const out: string[] = ['', table.trimEnd(), ''];
  if (options.report) {
    try {
      await writeHtmlReport(data, REPORT_PATH);
      out.push(`report: ${REPORT_PATH}`);
    } catch (error) {
      // The measurements are stored; a report problem must not hide them.
      out.push(
        `report not written: ${errorText(error)} (the results are stored; try 'conlab report ${prepared.runId}')`,
      );
    }
  }
  out.push('', conclusionText(data), '');
  const stored = `run ${prepared.runId} stored in ${store.path}`;
  if (outcome.status === 'complete') out.push(`${stored} (complete).`);
  else
    out.push(
      `${stored} (interrupted: ${outcome.note ?? 'stopped'}; ${outcome.remaining} cell repetition${outcome.remaining === 1 ? '' : 's'} left — 'conlab run --resume' measures ${outcome.remaining === 1 ? 'it' : 'them'}).`,
    );
  options.output.emit(`${out.join('\n')}\n`);
  return verdict(data, gates, options.allowFailures);
}

const flags = {
  resume: { type: 'boolean' },
  store: { type: 'string' },
  'no-report': { type: 'boolean' },
  ...overrideFlags,
  ...outputFlags,
  ...progressFlags,
  ...thresholdFlags,
  ...allowFailuresFlag,
} as const;

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('run', argv, flags, true);
  const output = outputOf('run', values, ['table', 'json', 'markdown']);
  if (positionals.length > 1) {
    throw new LabError(ErrorCodes.USAGE, `run takes at most one SUITE file (got ${positionals.join(' ')})`, {
      hint: 'conlab run suites/quick.yaml',
    });
  }
  const overridden = Object.keys(overrideFlags).some(
    (flag) => (values as Record<string, unknown>)[flag] !== undefined,
  );
  if (values.resume && (positionals.length > 0 || overridden)) {
    throw new LabError(
      ErrorCodes.USAGE,
      '--resume continues a stored run exactly as planned; it takes no SUITE or override flags',
      {
        hint: 'conlab run --resume [--store PATH]',
      },
    );
  }
  // Every gate parses before the store is touched; which metrics this suite measures is checked in newRun.
  parseThresholdFlags(values.threshold, cellMetrics);
  // The suite is validated before the store is opened: a suite with a mistake leaves no file behind.
  const suite = values.resume ? undefined : prepareSuite(positionals[0], readOverrides(values));
  const store = openStore(values.store ?? DEFAULT_STORE_PATH);
  try {
    const prepared = suite === undefined ? resumeRun(store) : newRun(store, suite, values.threshold);
    const thresholds = parseThresholdFlags(values.threshold, metricsOfPlans(prepared.cells));
    const progress = progressPrinter();
    const done = store.storedSteps(prepared.runId).size;
    process.stderr.write(
      `${prepared.resumed ? 'resuming' : 'run'} ${prepared.runId}: suite ${prepared.suite.name}, ${prepared.cells.length} cells × ${repetitionsText(prepared.suite)} on ${prepared.suite.runtimes.join(', ')}${done > 0 ? ` (${done} of ${prepared.plan.length} already stored)` : ''}\n`,
    );
    if (prepared.suite.skippedRuntimes.length > 0) {
      process.stderr.write(`  not installed, skipped: ${prepared.suite.skippedRuntimes.join(', ')}\n`);
    }
    // Ctrl-C: the exit hook kills the in-flight subject's group, then this marks the run interrupted
    // (every finished cell is already committed), then the driver exits 128 + signal.
    const release = onInterrupt((signal) => {
      progress.clear();
      store.markRun(prepared.runId, 'interrupted', `stopped by ${signal}`);
      const stored = store.storedSteps(prepared.runId).size;
      process.stderr.write(
        `\nconlab: stopped by ${signal}: run ${prepared.runId} keeps ${stored} of ${prepared.plan.length} cell repetitions; 'conlab run --resume' measures the rest\n`,
      );
      store.close();
    });
    const startedMs = performance.now();
    let outcome: RunOutcome;
    try {
      const adaptiveRule = prepared.suite.adaptive;
      outcome = await runSuiteSteps({
        store,
        runId: prepared.runId,
        cells: prepared.cells,
        plan: prepared.plan,
        repetitions: prepared.suite.repetitions,
        ...(adaptiveRule
          ? {
              adaptive: {
                rule: adaptiveRule,
                ruleFor: (cell) => cellRule(adaptiveRule, cell),
                order: (keys, round) => extraRoundOrder(prepared.suite, keys, round),
              },
            }
          : {}),
        execute: suiteExecutor({
          suite: prepared.suite,
          cells: prepared.cells,
          stored: store.loadCells(prepared.runId, { withParts: false }),
          onNote: (text) => progress.note(text),
          onSecond: secondsPrinter(values, (line) => progress.detail(line)),
        }),
        timeBudgetS: prepared.suite.timeBudgetS,
        onStart: (event) => progress.start(event),
        onEnd: (event, record) => progress.end(event, record),
      });
    } finally {
      release();
      progress.clear();
    }
    process.stderr.write(
      `measured ${outcome.measured} cell repetition${outcome.measured === 1 ? '' : 's'} in ${clock((performance.now() - startedMs) / 1000)}\n`,
    );
    return await finish(store, prepared, outcome, {
      output,
      report: !values['no-report'],
      thresholds,
      allowFailures: values['allow-failures'] ?? false,
    });
  } finally {
    store.close();
  }
}

export const command: Command = {
  name: 'run',
  usage,
  flags,
  run,
};
