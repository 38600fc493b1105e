/**
 * `conlab compare RUN_A RUN_B`: per cell present in both runs (matched by
 * cellKey), the ratio B/A of the headline metric with its 95% interval and
 * a significance mark from Welch's t-test on the per-repetition values.
 * The statistics are src/stats/compare.ts; the table is the report's
 * (src/report/compare.ts), the same one `conlab report --compare` prints.
 */
import type { Command } from '../command.ts';
import { parseCommandArgs, printJson } from '../args.ts';
import { ErrorCodes, LabError } from '../../core/errors.ts';
import { renderCompareTerminal } from '../../report/compare.ts';
import { DEFAULT_STORE_PATH, openStore } from '../../results/store.ts';
import { compareRuns } from '../../stats/compare.ts';

const usage = `usage: conlab compare RUN_A RUN_B [--store PATH] [--store-b PATH] [--json]

For every cell in both runs (same cellKey: same runtime name, workload or
endpoint, model or architecture, concurrency, ...), prints A and B's mean of
the headline metric (batch: time of the timed section; server: verified
req/s), the ratio B/A with its 95% interval (Fieller), Welch's p-value and
a mark: ** p < 0.01, * p < 0.05, blank: no significant difference, ?: fewer
than 2 repetitions on a side. The interval excludes 1 exactly when p < 0.05.

RUN: a run id, a unique prefix, 'latest' or 'latest~N'. --store-b reads
RUN_B from another store (e.g. a colleague's results.db).
HTML with a forest plot: conlab report --compare RUN_A RUN_B -o FILE.
`;

function compare(argv: string[]): number {
  const { values, positionals } = parseCommandArgs(
    'compare',
    argv,
    { store: { type: 'string' }, 'store-b': { type: 'string' }, json: { type: 'boolean' } },
    true,
  );
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
      if (values.json) printJson(comparison);
      else process.stdout.write(renderCompareTerminal(comparison, [a, b]));
    } finally {
      if (storeB !== storeA) storeB.close();
    }
  } finally {
    storeA.close();
  }
  return 0;
}

export const command: Command = {
  name: 'compare',
  summary: 'compare two runs cell by cell: ratio, interval, significance',
  usage,
  run(argv) {
    try {
      return Promise.resolve(compare(argv));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  },
};
