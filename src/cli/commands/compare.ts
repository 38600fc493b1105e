/**
 * `conlab compare RUN_A RUN_B`: per cell present in both runs (matched by
 * cellKey), the ratio B/A of the headline metric with its 95% interval and
 * a significance mark from Welch's t-test on the per-repetition values.
 */
import type { Command } from '../command.ts';
import { parseCommandArgs, printJson } from '../args.ts';
import { ErrorCodes, LabError } from '../../core/errors.ts';
import { fmt, renderTextTable } from '../../report/text-table.ts';
import { DEFAULT_STORE_PATH, openStore } from '../../results/store.ts';
import { compareRuns, type ComparedCell } from '../../stats/compare.ts';

const usage = `usage: conlab compare RUN_A RUN_B [--store PATH] [--store-b PATH] [--json]

For every cell in both runs (same cellKey: same runtime name, workload or
endpoint, model or architecture, concurrency, ...), prints A and B's mean of
the headline metric (batch: time of the timed section; server: verified
req/s), the ratio B/A with its 95% interval (Fieller), Welch's p-value and
a mark: ** p < 0.01, * p < 0.05, blank: no significant difference, ?: fewer
than 2 repetitions on a side. The interval excludes 1 exactly when p < 0.05.

RUN: a run id, a unique prefix, 'latest' or 'latest~N'. --store-b reads
RUN_B from another store (e.g. a colleague's results.db).
`;

function metricText(cell: ComparedCell, value: number): string {
  return cell.metric === 'durationMs' ? fmt.durationMs(value) : `${fmt.rate(value)}/s`;
}

function shortKey(key: string): string {
  // The key's fields are '|'-separated; the table shows them with spaces, minus the kind already in its own column.
  return key.split('|').slice(1).join(' ');
}

export const command: Command = {
  name: 'compare',
  summary: 'compare two runs cell by cell: ratio, interval, significance',
  usage,
  run(argv) {
    try {
      const { values, positionals } = parseCommandArgs(
        'compare',
        argv,
        { store: { type: 'string' }, 'store-b': { type: 'string' }, json: { type: 'boolean' } },
        true,
      );
      const [refA, refB] = positionals;
      if (refA === undefined || refB === undefined || positionals.length > 2) {
        throw new LabError(ErrorCodes.USAGE, 'compare takes two runs: RUN_A RUN_B', { hint: 'conlab compare latest~1 latest' });
      }
      const storeA = openStore(values.store ?? DEFAULT_STORE_PATH, { create: false });
      const storeB = values['store-b'] ? openStore(values['store-b'], { create: false }) : storeA;
      let comparison;
      try {
        const a = storeA.loadRun(storeA.resolveRunId(refA));
        const b = storeB.loadRun(storeB.resolveRunId(refB));
        comparison = compareRuns(a, b);
      } finally {
        storeA.close();
        storeB.close();
      }
      if (values.json) {
        printJson(comparison);
        return Promise.resolve(0);
      }
      const lines = [`A = ${comparison.runA}, B = ${comparison.runB}: ${comparison.cells.length} matched cells`, ''];
      if (comparison.cells.length > 0) {
        lines.push(
          renderTextTable<ComparedCell>(
            [
              { header: 'kind', value: (cell) => cell.kind },
              { header: 'cell', value: (cell) => shortKey(cell.cellKey) },
              { header: 'metric', value: (cell) => (cell.metric === 'durationMs' ? 'time' : 'req/s') },
              { header: 'A', value: (cell) => metricText(cell, cell.a.mean), align: 'right' },
              { header: 'B', value: (cell) => metricText(cell, cell.b.mean), align: 'right' },
              { header: 'B/A', value: (cell) => fmt.fixed(cell.ratio.ratio, 3), align: 'right' },
              {
                header: '95% interval',
                value: (cell) =>
                  cell.ratio.low === null || cell.ratio.high === null ? '-' : `${cell.ratio.low.toFixed(3)}–${cell.ratio.high.toFixed(3)}`,
                align: 'right',
              },
              { header: 'p', value: (cell) => (cell.p === null ? '-' : cell.p < 0.001 ? '<0.001' : cell.p.toFixed(3)), align: 'right' },
              { header: 'sig', value: (cell) => cell.mark },
              { header: 'verdict', value: (cell) => cell.verdict },
            ],
            comparison.cells,
          ).trimEnd(),
        );
      }
      if (comparison.onlyInA.length > 0) lines.push('', `only in A (${comparison.onlyInA.length}): ${comparison.onlyInA.map(shortKey).join('; ')}`);
      if (comparison.onlyInB.length > 0) lines.push('', `only in B (${comparison.onlyInB.length}): ${comparison.onlyInB.map(shortKey).join('; ')}`);
      for (const cell of comparison.notComparable) lines.push(`not comparable: ${shortKey(cell.cellKey)} (${cell.reason})`);
      lines.push('', 'sig: ** p < 0.01, * p < 0.05 (Welch), blank: no significant difference, ?: too few repetitions');
      process.stdout.write(`${lines.join('\n')}\n`);
      return Promise.resolve(0);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  },
};
