/**
 * `conlab results list | show RUN | export RUN --format json|csv`: read the
 * results store. RUN is a run id, a unique prefix of one, `latest` or
 * `latest~N`.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from '../command.ts';
import { parseCommandArgs, printJson } from '../args.ts';
import { ErrorCodes, LabError, unknownName } from '../../core/errors.ts';
import { renderTerminalTable } from '../../report/terminal.ts';
import { renderTextTable } from '../../core/text-table.ts';
import { checkStoreFile, salvageStore, type StoreCheck } from '../../results/check.ts';
import { cellsToCsv } from '../../results/csv.ts';
import { describeReadable } from '../../results/salvage.ts';
import { isLiveConlabProcess } from '../../results/owner.ts';
import { DEFAULT_STORE_PATH, openStore, type ResultStore, type RunSummary } from '../../results/store.ts';
import { conclusionText } from '../../report/conclusion.ts';
import { mergeRepetitions } from '../../results/merge.ts';

const usage = `usage: conlab results list [--store PATH] [--json]
       conlab results show RUN [--store PATH] [--json] [--wide]
       conlab results export RUN --format json|csv [--merged] [--out FILE] [--store PATH]
       conlab results check [--store PATH] [--salvage NEW.db] [--json]

RUN: a run id (e.g. 261126-1512a), a unique prefix of one, 'latest' or
'latest~1' (the run before the latest).

export --format csv   one row per stored cell repetition, every field
                      flattened (latencyUs.p99, params.iters, ...), units in
                      the column names; --merged: one row per cell with the
                      repetitions merged (means, merged histograms)
export --format json  the run as stored: run info, environment, resolved
                      suite and every cell record with its timelines
check                 checks the store file (SQLite's integrity_check and every
                      stored JSON value), names any damage and says what can
                      still be read; exit 0 intact, 1 damaged. The store is
                      opened read-only: check never changes it.
check --salvage NEW   also copies every readable run and cell repetition into
                      a new store NEW (which must not exist); use it with
                      --store NEW or move it in place of the damaged file.
                      Exit 0 once the copy is written.
`;

function withStore<T>(path: string | undefined, fn: (store: ResultStore) => T): T {
  const store = openStore(path ?? DEFAULT_STORE_PATH, { create: false });
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

function list(argv: string[]): number {
  const { values } = parseCommandArgs('results list', argv, {
    store: { type: 'string' },
    json: { type: 'boolean' },
  });
  const runs = withStore(values.store, (store) => store.listRuns());
  if (values.json) {
    printJson(runs);
    return 0;
  }
  if (runs.length === 0) {
    process.stdout.write("no runs yet: 'conlab run' starts one\n");
    return 0;
  }
  process.stdout.write(
    renderTextTable<RunSummary>(
      [
        { header: 'run', value: (run) => run.runId },
        { header: 'suite', value: (run) => run.suiteName },
        {
          header: 'status',
          // A SIGKILLed run stays 'running' in the store; say what it really is.
          value: (run) =>
            run.status === 'running' && (run.ownerPid === null || !isLiveConlabProcess(run.ownerPid))
              ? 'unfinished (--resume)'
              : run.status,
        },
        { header: 'started (UTC)', value: (run) => run.startedAt.replace('T', ' ').slice(0, 19) },
        { header: 'cells', value: (run) => `${run.storedCells}/${run.plannedCells}`, align: 'right' },
        { header: 'failed', value: (run) => String(run.failedCells), align: 'right' },
      ],
      runs,
    ),
  );
  return 0;
}

function runRef(command: string, positionals: string[]): string {
  const ref = positionals[0];
  if (ref === undefined || positionals.length > 1) {
    throw new LabError(ErrorCodes.USAGE, `results ${command} takes one RUN`, {
      hint: `conlab results ${command} latest   ('conlab results list' shows the runs)`,
    });
  }
  return ref;
}

function show(argv: string[]): number {
  const { values, positionals } = parseCommandArgs(
    'results show',
    argv,
    { store: { type: 'string' }, json: { type: 'boolean' }, wide: { type: 'boolean' } },
    true,
  );
  const ref = runRef('show', positionals);
  return withStore(values.store, (store) => {
    const runId = store.resolveRunId(ref);
    const data = store.loadRun(runId);
    if (values.json) {
      printJson({ run: data.run, cells: mergeRepetitions(data.cells) });
      return 0;
    }
    const { run } = data;
    const info = store.runInfo(runId);
    const header = [
      `run ${run.runId}: suite ${run.suiteName}, ${run.status}${info.note ? ` (${info.note})` : ''}`,
      `  started ${run.startedAt}${run.endedAt ? `, ended ${run.endedAt}` : ''}`,
      `  ${run.env.cpuModel}, ${run.env.cores} cores, ${run.env.os} ${run.env.kernel}; ${run.env.runtimes.join(', ')}`,
      `  ${data.cells.length} of ${info.plan.length} planned cell repetitions stored`,
      '',
    ];
    process.stdout.write(
      `${header.join('\n')}\n${renderTerminalTable(data, { wide: values.wide ?? false })}\n${conclusionText(data)}\n`,
    );
    return 0;
  });
}

function exportRun(argv: string[]): number {
  const { values, positionals } = parseCommandArgs(
    'results export',
    argv,
    {
      store: { type: 'string' },
      format: { type: 'string' },
      merged: { type: 'boolean' },
      out: { type: 'string' },
    },
    true,
  );
  const ref = runRef('export', positionals);
  const format = values.format ?? 'json';
  if (format !== 'json' && format !== 'csv')
    throw unknownName(ErrorCodes.BAD_PARAM, 'export format', format, ['json', 'csv']);
  const text = withStore(values.store, (store) => {
    const data = store.loadRun(store.resolveRunId(ref));
    const cells = values.merged ? mergeRepetitions(data.cells) : data.cells;
    return format === 'csv'
      ? cellsToCsv(data.run.runId, cells)
      : `${JSON.stringify({ ...data, cells }, null, 2)}\n`;
  });
  if (values.out) {
    try {
      writeFileSync(values.out, text);
    } catch (error) {
      throw new LabError(
        ErrorCodes.IO,
        `cannot write '${values.out}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        {
          hint: 'give a writable path with --out, or leave it out to print to stdout',
        },
      );
    }
  } else {
    process.stdout.write(text);
  }
  return 0;
}

function check(argv: string[]): number {
  const { values } = parseCommandArgs('results check', argv, {
    store: { type: 'string' },
    salvage: { type: 'string' },
    json: { type: 'boolean' },
  });
  const path = values.store ?? DEFAULT_STORE_PATH;
  const report = checkStoreFile(path);
  const salvaged = values.salvage === undefined ? undefined : salvageStore(path, values.salvage);
  if (values.json) {
    const { content } = report;
    printJson({
      path,
      ok: report.ok,
      problems: report.problems,
      readable: {
        runs: content.runs.length,
        cells: content.cells.length,
        cellsKnown: content.cellsKnown,
        damagedRuns: content.damagedRuns,
        damagedCells: content.damagedCells,
        tablesWithGaps: content.tablesWithGaps,
      },
      ...(salvaged === undefined ? {} : { salvaged: { path: values.salvage, ...salvaged } }),
    });
  } else {
    process.stdout.write(renderCheck(report, salvaged, values.salvage));
  }
  return report.ok || salvaged !== undefined ? 0 : 1;
}

function renderCheck(
  report: StoreCheck,
  salvaged: ReturnType<typeof salvageStore> | undefined,
  salvagePath: string | undefined,
): string {
  const lines: string[] = [];
  if (report.ok) {
    lines.push(`results store ${report.path}: intact`);
    lines.push('  structure (SQLite integrity_check) and content (every stored JSON value) checked');
    lines.push(`  ${describeReadable(report.content)}`);
  } else {
    lines.push(`results store ${report.path}: DAMAGED`);
    for (const problem of report.problems) lines.push(`  - ${problem}`);
    lines.push(`  ${describeReadable(report.content)}`);
    if (salvaged === undefined) {
      lines.push('  conlab writes nothing into a damaged store. To keep what can be read:');
      lines.push(`    conlab results check --store ${report.path} --salvage NEW.db`);
    }
  }
  if (salvaged !== undefined && salvagePath !== undefined) {
    lines.push(
      `salvaged ${salvaged.runs} runs and ${salvaged.cells} cell repetitions into ${salvagePath} (use it with --store ${salvagePath})`,
    );
    for (const refused of salvaged.refused) lines.push(`  not copied: ${refused}`);
  }
  return `${lines.join('\n')}\n`;
}

const subcommands: Record<string, (argv: string[]) => number> = { list, show, export: exportRun, check };

export const command: Command = {
  name: 'results',
  summary: 'list stored runs, show one, export it as JSON or CSV, check the store for damage',
  usage,
  run(argv) {
    const [name, ...rest] = argv;
    try {
      if (name === undefined) {
        throw new LabError(ErrorCodes.USAGE, 'results needs a subcommand: list, show, export or check', {
          hint: 'conlab results list',
        });
      }
      const sub = subcommands[name];
      if (!sub) throw unknownName(ErrorCodes.USAGE, 'results subcommand', name, Object.keys(subcommands));
      return Promise.resolve(sub(rest));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  },
};
