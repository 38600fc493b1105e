/**
 * `conlab compare RUN_A RUN_B`: per cell present in both runs (matched by
 * cellKey), the ratio B/A of the headline metric with its 95% interval and
 * a significance mark from Welch's t-test on the per-repetition values.
 * The statistics are src/stats/compare.ts; the table is the report's
 * (src/report/compare.ts), the same one `conlab report --compare` prints.
 */
import type { Command } from '../command.ts';
import { parseCommandArgs, parsePercentFlag } from '../args.ts';
import { jsonText, outputFlags, outputOf, type Output } from '../grammar.ts';
import { exitCode, exitCodesHelp, type Problem } from '../exit.ts';
import { ErrorCodes, LabError } from '../../core/errors.ts';
import { metricTitle, metricValueText, renderCompareTerminal } from '../../report/compare.ts';
import type { CellRecord } from '../../results/record.ts';
import { DEFAULT_STORE_PATH, openStore, type ResultStore } from '../../results/store.ts';
import { fmt } from '../../core/text-table.ts';
import {
  compareCell,
  compareRuns,
  findRegressions,
  type RegressionCheck,
  type RunComparison,
} from '../../results/compare.ts';
import { mergeRepetitions } from '../../results/merge.ts';

const usage = `usage: conlab compare RUN_A RUN_B [--store PATH] [--store-b PATH] [--fail-on-regression PCT] [--format table|json|markdown] [-o FILE]
       conlab compare RUN --cell PATTERN_A --cell PATTERN_B [--store PATH] [--fail-on-regression PCT] [--format ...] [-o FILE]

For every cell in both runs (same cellKey: same runtime name, workload or
endpoint, model or architecture, concurrency, ...), prints A and B's mean of
the headline metric (batch: time of the timed section; server: verified
req/s; pipeline: MiB/s written), the ratio B/A with its 95% interval
(Fieller), Welch's p-value and a mark: ** p < 0.01, * p < 0.05, blank: no
significant difference, ?: fewer than 2 repetitions on a side. The
interval excludes 1 exactly when p < 0.05.

RUN: a run id, a unique prefix, 'latest' or 'latest~N'. --store-b reads
RUN_B from another store (e.g. a colleague's results.db).
HTML with a forest plot: conlab report --compare RUN_A RUN_B -o FILE.

Two cells of one run (e.g. threads against processes): each --cell PATTERN
is a few words that must all appear in exactly one cell's key, e.g.
  conlab compare latest --cell 'node cpu.sha256 |threads|' --cell 'node cpu.sha256 |processes|'

  --fail-on-regression PCT  a CI gate: exit 1 when B is significantly slower
                     than A (p < 0.05) by more than PCT (e.g. 5%) in some cell
                     (time up, or throughput down, by that factor), or a cell
                     ok in A failed in B; each is named on stderr. Cells with
                     fewer than 2 repetitions on a side cannot be judged: they
                     are named and never fail the gate.

${exitCodesHelp}
`;

/** The one merged cell of a run whose key contains every word of the pattern. */
function findCell(cells: CellRecord[], pattern: string): CellRecord {
  const terms = pattern.split(/\s+/).filter((term) => term !== '');
  const matches = cells.filter((cell) => terms.every((term) => cell.cellKey.includes(term)));
  if (matches.length === 1 && matches[0]) return matches[0];
  const shown = (matches.length === 0 ? cells : matches).slice(0, 8).map((cell) => `  ${cell.cellKey}`);
  throw new LabError(
    ErrorCodes.NOT_FOUND,
    `--cell '${pattern}' matches ${matches.length} cells; it must match exactly one:\n${shown.join('\n')}`,
    { hint: 'add words from the key (runtime, workload, |model|, c2, ...) until one cell matches' },
  );
}

/** The gate's verdict on stderr and as the exit code; 0 when no gate was asked for. */
function regressionExit(check: RegressionCheck | undefined): number {
  if (check === undefined) return 0;
  for (const cellKey of check.undecided) {
    process.stderr.write(`conlab compare: not judged (fewer than 2 repetitions on a side): ${cellKey}\n`);
  }
  const problems: Problem[] = check.regressions.map((regression) => ({
    kind: 'regression',
    text: regression.text,
  }));
  return exitCode('compare', problems);
}

function gate(comparison: RunComparison, limit: number | undefined): RegressionCheck | undefined {
  return limit === undefined ? undefined : findRegressions(comparison, limit);
}

function compareTwoCells(
  store: ResultStore,
  ref: string,
  patterns: string[],
  output: Output,
  limit: number | undefined,
): number {
  const data = store.loadRun(ref);
  const merged = mergeRepetitions(data.cells);
  const [a, b] = patterns.map((pattern) => findCell(merged, pattern)) as [CellRecord, CellRecord];
  if (a.kind !== b.kind) {
    throw new LabError(ErrorCodes.USAGE, `cannot compare a ${a.kind} cell with a ${b.kind} cell`, {
      hint: 'pick two cells of one kind: batch (time), server (req/s) or pipeline (MiB/s)',
    });
  }
  for (const cell of [a, b]) {
    if (cell.status !== 'ok') {
      throw new LabError(
        ErrorCodes.USAGE,
        `cell ${cell.cellKey} is ${cell.status}${cell.reason ? ` (${cell.reason})` : ''}`,
        {
          hint: 'only ok cells have numbers to compare',
        },
      );
    }
  }
  const result = compareCell(`${a.cellKey} vs ${b.cellKey}`, a, b);
  const check = gate(
    {
      runA: data.run.runId,
      runB: data.run.runId,
      level: 0.95,
      cells: [result],
      onlyInA: [],
      onlyInB: [],
      notComparable: [],
    },
    limit,
  );
  if (output.format === 'json') {
    output.emit(
      jsonText({
        run: data.run.runId,
        cellA: a.cellKey,
        cellB: b.cellKey,
        ...result,
        ...(check ? { regressions: check } : {}),
      }),
    );
    return regressionExit(check);
  }
  const show = (value: number | null) => (value === null ? '-' : metricValueText(result.metric, value));
  const side = (name: string, key: string, interval: typeof result.a) =>
    `${name} = ${key}\n    ${show(interval.mean)} [${show(interval.low)} – ${show(interval.high)}], ${interval.n} repetitions`;
  const ratio =
    result.ratio.low === null || result.ratio.high === null
      ? fmt.fixed(result.ratio.ratio, 3)
      : `${fmt.fixed(result.ratio.ratio, 3)} [${result.ratio.low.toFixed(3)}, ${result.ratio.high.toFixed(3)}]`;
  const p = result.p === null ? '-' : result.p < 0.001 ? '<0.001' : result.p.toFixed(3);
  output.emit(
    `run ${data.run.runId}, ${metricTitle(result.metric)} (95% intervals)\n` +
      `${side('A', a.cellKey, result.a)}\n${side('B', b.cellKey, result.b)}\n` +
      `B/A ${ratio}, p ${p} ${result.mark}: ${result.verdict}\n`,
  );
  return regressionExit(check);
}

const flags = {
  store: { type: 'string' },
  'store-b': { type: 'string' },
  cell: { type: 'string', multiple: true },
  'fail-on-regression': { type: 'string' },
  ...outputFlags,
} as const;

function compare(argv: string[]): number {
  const { values, positionals } = parseCommandArgs('compare', argv, flags, true);
  const output = outputOf('compare', values, ['table', 'json', 'markdown']);
  const failOn = values['fail-on-regression'];
  const limit = failOn === undefined ? undefined : parsePercentFlag('fail-on-regression', failOn, 0, 100);
  if (values.cell !== undefined) {
    const [ref] = positionals;
    if (ref === undefined || positionals.length > 1 || values.cell.length !== 2) {
      throw new LabError(
        ErrorCodes.USAGE,
        'comparing two cells takes one RUN and exactly two --cell patterns',
        {
          hint: "conlab compare latest --cell '|threads|' --cell '|processes|'",
        },
      );
    }
    const store = openStore(values.store ?? DEFAULT_STORE_PATH, { create: false });
    try {
      return compareTwoCells(store, ref, values.cell, output, limit);
    } finally {
      store.close();
    }
  }
  const [refA, refB] = positionals;
  if (refA === undefined || refB === undefined || positionals.length > 2) {
    throw new LabError(ErrorCodes.USAGE, 'compare takes two runs: RUN_A RUN_B', {
      hint: 'conlab compare latest~1 latest',
    });
  }
  const storeA = openStore(values.store ?? DEFAULT_STORE_PATH, { create: false });
  try {
    const storeB = values['store-b'] ? openStore(values['store-b'], { create: false }) : storeA;
    try {
      const a = storeA.loadRun(refA);
      const b = storeB.loadRun(refB);
      const comparison = compareRuns(a, b);
      const check = gate(comparison, limit);
      output.emit(
        output.format === 'json'
          ? jsonText(check ? { ...comparison, regressions: check } : comparison)
          : renderCompareTerminal(comparison, [a, b], output.format === 'markdown'),
      );
      return regressionExit(check);
    } finally {
      if (storeB !== storeA) storeB.close();
    }
  } finally {
    storeA.close();
  }
}

export const command: Command = {
  name: 'compare',
  usage,
  flags,
  run(argv) {
    try {
      return Promise.resolve(compare(argv));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  },
};
