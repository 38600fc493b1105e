/**
 * `conlab suite validate FILE` and `conlab suite show FILE`: check a suite
 * and list the cells it expands to, with an estimated duration, without
 * running anything.
 */
import type { Command } from '../command.ts';
import { repetitionsText } from '../../suite/progress.ts';
import { parseCommandArgs } from '../args.ts';
import { jsonText, outputFlags, outputOf } from '../grammar.ts';
import { ErrorCodes, LabError, unknownName } from '../../core/errors.ts';
import { renderTextTable } from '../../core/text-table.ts';
import { DEFAULT_STORE_PATH, openStore } from '../../results/store.ts';
import type { CellRecord } from '../../results/record.ts';
import { estimateRepSeconds } from '../../suite/estimate.ts';
import { prepareSuite } from '../../suite/load.ts';
import { overrideFlags, readOverrides } from '../suite-flags.ts';
import type { CellPlan } from '../../suite/types.ts';

const usage = `usage: conlab suite validate FILE
       conlab suite show [FILE] [--format table|json] [-o FILE] [--store PATH] [override flags]

  validate   check a suite file (YAML or JSON): unknown keys, wrong types,
             unknown workloads/models/architectures, empty matrix
  show       the resolved suite and every cell it expands to, with the
             estimated duration (from earlier runs in the store when it has
             them); FILE defaults to the built-in quick suite

override flags (same as 'conlab run'):
${'  --runtimes LIST  --reps N  --warmup S  --order interleaved|shuffled|sequential\n  --seed N  --time-budget S  --duration S (server cells)  --items N (batch cells)\n  --concurrency LIST (batch)  --connections LIST (server)'}
`;

function formatSeconds(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}

function history(storePath: string): Map<string, CellRecord> {
  try {
    const store = openStore(storePath, { create: false });
    try {
      return store.lastOkRecords();
    } finally {
      store.close();
    }
  } catch {
    // No store (or an unreadable one) only means no history for the estimate.
    return new Map();
  }
}

const showFlags = { ...outputFlags, store: { type: 'string' }, ...overrideFlags } as const;

function show(argv: string[]): number {
  const { values, positionals } = parseCommandArgs('suite show', argv, showFlags, true);
  if (positionals.length > 1)
    throw new LabError(ErrorCodes.USAGE, 'suite show takes at most one FILE', {
      hint: usage.split('\n')[1]?.trim() ?? '',
    });
  const output = outputOf('suite show', values, ['table', 'json']);
  const prepared = prepareSuite(positionals[0], readOverrides(values));
  const past = history(values.store ?? DEFAULT_STORE_PATH);
  const estimates = new Map(prepared.cells.map((cell) => [cell.cellKey, estimateRepSeconds(cell, past)]));
  const totalS = prepared.plan.reduce((sum, step) => sum + (estimates.get(step.cellKey)?.seconds ?? 0), 0);
  if (output.format === 'json') {
    output.emit(
      jsonText({
        suite: prepared.suite,
        cells: prepared.cells.map((cell) => ({
          ...cell,
          estimatedRepS: estimates.get(cell.cellKey)?.seconds,
        })),
        plan: prepared.plan,
        estimatedS: totalS,
      }),
    );
    return 0;
  }
  const { suite } = prepared;
  const lines = [
    `suite ${suite.name}${suite.description ? ` — ${suite.description}` : ''}`,
    `  source ${suite.source}`,
    `  runtimes ${suite.runtimes.join(', ')}${suite.skippedRuntimes.length ? ` (not installed, skipped: ${suite.skippedRuntimes.join(', ')})` : ''}`,
    `  ${repetitionsText(suite)}, batch windows ≥ ${suite.minWindowS}s, warmup ${suite.warmupS}s, order ${suite.order} (seed ${suite.seed}), time budget ${suite.timeBudgetS === null ? 'none' : formatSeconds(suite.timeBudgetS)}`,
    '',
  ];
  const table = renderTextTable<CellPlan>(
    [
      { header: '#', value: (cell) => String(prepared.cells.indexOf(cell) + 1), align: 'right' },
      { header: 'cell', value: (cell) => cell.label },
      { header: 'kind', value: (cell) => cell.kind },
      {
        header: 'est/rep',
        value: (cell) => {
          const estimate = estimates.get(cell.cellKey);
          return estimate ? `${estimate.seconds.toFixed(1)}s${estimate.guessed ? '?' : ''}` : '-';
        },
        align: 'right',
      },
    ],
    prepared.cells,
  );
  lines.push(table.trimEnd(), '');
  lines.push(
    `${prepared.cells.length} cells × ${repetitionsText(suite)} = ${prepared.plan.length}${suite.adaptive ? '+' : ''} subject runs, estimated ${formatSeconds(totalS)} ('?' = guessed: a batch cell with no earlier run in the store)`,
  );
  if (suite.timeBudgetS !== null && totalS > suite.timeBudgetS) {
    lines.push(
      `warning: the estimate exceeds the time budget; the run will stop (resumable) after ${formatSeconds(suite.timeBudgetS)}`,
    );
  }
  output.emit(`${lines.join('\n')}\n`);
  return 0;
}

function validate(argv: string[]): number {
  const { positionals } = parseCommandArgs('suite validate', argv, {}, true);
  const file = positionals[0];
  if (file === undefined || positionals.length > 1) {
    throw new LabError(ErrorCodes.USAGE, 'suite validate takes exactly one FILE', {
      hint: 'conlab suite validate suites/quick.yaml',
    });
  }
  const prepared = prepareSuite(file);
  process.stdout.write(
    `ok: suite '${prepared.suite.name}' is valid: ${prepared.cells.length} cells × ${repetitionsText(prepared.suite)} on ${prepared.suite.runtimes.join(', ')}\n`,
  );
  return 0;
}

const subcommands: Record<string, (argv: string[]) => number> = { validate, show };

export const command: Command = {
  name: 'suite',
  usage,
  flags: { validate: {}, show: showFlags },
  run(argv) {
    const [name, ...rest] = argv;
    if (name === undefined)
      return Promise.reject(
        new LabError(ErrorCodes.USAGE, 'suite needs a subcommand: validate or show', {
          hint: usage.split('\n')[0] ?? '',
        }),
      );
    const sub = subcommands[name];
    if (!sub)
      return Promise.reject(
        unknownName(ErrorCodes.USAGE, 'suite subcommand', name, Object.keys(subcommands)),
      );
    try {
      return Promise.resolve(sub(rest));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  },
};
