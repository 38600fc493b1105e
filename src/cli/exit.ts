/**
 * The one exit-code scheme, decided in one place for every command:
 *   0  all good: every cell ok or skipped (unsupported), every gate kept;
 *   1  a cell failed, a threshold was crossed, a regression was found, a
 *      load failed (each named on stderr, one line each);
 *   2  bad input (a LabError with exit code 2, printed by main.ts).
 * Failed cells are never an exit 0 unless the command was given
 * --allow-failures; a crossed threshold always is 1. Interrupted by a
 * signal: 128 + the signal number (130 Ctrl-C, 143 SIGTERM).
 */
import type { CellRecord } from '../results/record.ts';
import type { ThresholdCheck } from '../stats/thresholds.ts';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

/** For `conlab help` and every command's --help. */
export const exitCodesHelp = `exit status (every command):
  0  all good: every cell ok (or skipped: unsupported on a runtime), every --threshold kept
  1  a cell failed, a --threshold was crossed, compare --fail-on-regression found one,
     or a load failed (no reply, or errors above its limit); each is named on stderr.
     Failed cells exit 1 unless --allow-failures
  2  bad input: a flag, suite, threshold or target that cannot be used (LAB_E_* code)
  130/143  stopped by Ctrl-C / SIGTERM`;

export type ProblemKind = 'failed-cell' | 'threshold' | 'regression' | 'load';

export interface Problem {
  kind: ProblemKind;
  /** One line: what failed and why. */
  text: string;
}

const prefixes: Record<ProblemKind, string> = {
  'failed-cell': 'cell failed',
  threshold: 'threshold crossed',
  regression: 'regression',
  load: 'load failed',
};

/** How a record is named on stderr: runtime, what ran and at which level. */
export function recordLabel(record: CellRecord): string {
  switch (record.kind) {
    case 'batch':
      return `${record.runtime} ${record.workload} ${record.model} c=${record.concurrency}`;
    case 'server':
      return `${record.runtime} ${record.endpoint} ${record.architecture} ${record.rateRps === null ? `c=${record.connections}` : `${record.rateRps} req/s`}`;
    case 'pipeline':
      return `${record.runtime} pipeline ${record.method} ×${record.concurrency}`;
  }
}

/**
 * The failed records of a list, each named with its reason. A capacity step
 * the search judged as failing (no reply within its window: overloaded) is
 * a measurement of the search, not a failed cell.
 */
export function failedCells(records: readonly CellRecord[]): Problem[] {
  return records
    .filter(
      (record) =>
        record.status === 'failed' && !(record.kind === 'server' && record.capacity?.passed === false),
    )
    .map((record) => ({
      kind: 'failed-cell',
      text: `${recordLabel(record)}${record.reason ? `: ${record.reason}` : ''}`,
    }));
}

/** The crossed ones of a list of checks (kept and unmeasured ones are not problems), named with `where`. */
export function crossedThresholds(checks: readonly ThresholdCheck[], where?: string): Problem[] {
  return checks
    .filter((check) => check.passed === false)
    .map((check) => ({ kind: 'threshold', text: where ? `${where}: ${check.text}` : check.text }));
}

/**
 * Names every problem on stderr (`conlab COMMAND: threshold crossed: …`) and
 * returns the exit code. `allowFailures` excuses failed cells only.
 */
export function exitCode(
  command: string,
  problems: readonly Problem[],
  options: { allowFailures?: boolean } = {},
): number {
  let code = EXIT_OK;
  for (const problem of problems) {
    const excused = problem.kind === 'failed-cell' && options.allowFailures === true;
    process.stderr.write(
      `conlab ${command}: ${prefixes[problem.kind]}${excused ? ' (allowed)' : ''}: ${problem.text}\n`,
    );
    if (!excused) code = EXIT_FAILED;
  }
  return code;
}

/** The flag every command that runs cells takes. */
export const allowFailuresFlag = { 'allow-failures': { type: 'boolean' } } as const;
export const allowFailuresHelp =
  '  --allow-failures      exit 0 even when a cell failed (a crossed --threshold still exits 1)';
