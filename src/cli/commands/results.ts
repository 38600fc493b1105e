/**
 * `conlab results list | show RUN | export RUN --format …`: read the
 * results store. RUN is a run id, a unique prefix of one, `latest` or
 * `latest~N`.
 */
import type { Command } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { jsonText, outputFlags, outputOf } from '../grammar.ts';
import { ErrorCodes, LabError, unknownName } from '../../core/errors.ts';
import { renderMarkdownCells, renderTerminalTable } from '../../report/terminal.ts';
import { renderMarkdownTable, renderTextTable, type Column } from '../../core/text-table.ts';
import { checkStoreFile, salvageStore, type StoreCheck } from '../../results/check.ts';
import { cellsToCsv } from '../../results/csv.ts';
import { runToOpenMetrics } from '../../results/openmetrics.ts';
import { runToHdrLog } from '../../results/hdr-log.ts';
import { describeReadable } from '../../results/salvage.ts';
import { isLiveConlabProcess } from '../../results/owner.ts';
import { DEFAULT_STORE_PATH, openStore, type ResultStore, type RunSummary } from '../../results/store.ts';
import { conclusionText } from '../../report/conclusion.ts';
import { mergeRepetitions } from '../../results/merge.ts';

const usage = `usage: conlab results list [--store PATH] [--format table|json|markdown] [-o FILE]
       conlab results show RUN [--store PATH] [--format table|json|markdown] [--wide] [-o FILE]
       conlab results export RUN [--format json|csv|markdown|openmetrics|hdr] [--merged] [-o FILE] [--store PATH]
       conlab results check [--store PATH] [--salvage NEW.db] [--format table|json] [-o FILE]

RUN: a run id (e.g. 261126-1512a), a unique prefix of one, 'latest' or
'latest~1' (the run before the latest). --json is short for --format json;
-o/--output FILE writes to FILE instead of stdout (export's --out is the
same flag).

export --format csv   one row per stored cell repetition, every field
                      flattened (latencyUs.p99, params.iters, ...), units in
                      the column names; --merged: one row per cell with the
                      repetitions merged (means, merged histograms)
export --format json  the run as stored: run info, environment, resolved
                      suite and every cell record with its timelines (default)
export --format markdown     every cell as GitHub Markdown tables (for a PR)
export --format openmetrics  Prometheus/OpenMetrics text: gauges per cell
                      (labels run, cell, kind, architecture, runtime, model,
                      workload, percentile) for a textfile collector or
                      Pushgateway
export --format hdr   an HdrHistogram log: each server cell's latency
                      histogram (µs, repetitions merged) in the standard V2
                      compressed form ("HISTFAAA…") any HdrHistogram library reads
check                 checks the store file (SQLite's integrity_check and every
                      stored JSON value), names any damage and says what can
                      still be read; exit 0 intact, 1 damaged. The store is
                      opened read-only: check never changes it.
check --salvage NEW   also copies every readable run and cell repetition into
                      a new store NEW (which must not exist); use it with
                      --store NEW or move it in place of the damaged file.
                      Exit 0 once the copy is written.
`;

const listFlags = { store: { type: 'string' }, ...outputFlags } as const;
const showFlags = { store: { type: 'string' }, wide: { type: 'boolean' }, ...outputFlags } as const;
const exportFlags = {
  store: { type: 'string' },
  merged: { type: 'boolean' },
  out: { type: 'string' },
  ...outputFlags,
} as const;
const checkFlags = { store: { type: 'string' }, salvage: { type: 'string' }, ...outputFlags } as const;

function withStore<T>(path: string | undefined, fn: (store: ResultStore) => T): T {
  const store = openStore(path ?? DEFAULT_STORE_PATH, { create: false });
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

function list(argv: string[]): number {
  const { values } = parseCommandArgs('results list', argv, listFlags);
  const output = outputOf('results list', values, ['table', 'json', 'markdown']);
  const runs = withStore(values.store, (store) => store.listRuns());
  if (output.format === 'json') {
    output.emit(jsonText(runs));
    return 0;
  }
  if (runs.length === 0) {
    output.emit("no runs yet: 'conlab run' starts one\n");
    return 0;
  }
  const render = output.format === 'markdown' ? renderMarkdownTable : renderTextTable;
  output.emit(
    render<RunSummary>(
      [
        { header: 'run', value: (run) => run.runId },
        { header: 'suite', value: (run) => run.suiteName },
        {
          header: 'status',
          // A SIGKILLed run stays 'running' in the store; say what it really is (only suite runs resume).
          value: (run) =>
            run.status === 'running' && (run.ownerPid === null || !isLiveConlabProcess(run.ownerPid))
              ? run.command === 'run'
                ? 'unfinished (--resume)'
                : 'unfinished'
              : run.status,
        },
        { header: 'started (UTC)', value: (run) => run.startedAt.replace('T', ' ').slice(0, 19) },
        { header: 'cells', value: (run) => `${run.storedCells}/${run.plannedCells}`, align: 'right' },
        { header: 'failed', value: (run) => String(run.failedCells), align: 'right' },
      ] satisfies Column<RunSummary>[],
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
  const { values, positionals } = parseCommandArgs('results show', argv, showFlags, true);
  const output = outputOf('results show', values, ['table', 'json', 'markdown']);
  const ref = runRef('show', positionals);
  return withStore(values.store, (store) => {
    const runId = store.resolveRunId(ref);
    const data = store.loadRun(runId);
    if (output.format === 'json') {
      output.emit(jsonText({ run: data.run, cells: mergeRepetitions(data.cells) }));
      return 0;
    }
    if (output.format === 'markdown') {
      output.emit(`${renderMarkdownCells(data)}\n${conclusionText(data)}\n`);
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
    output.emit(
      `${header.join('\n')}\n${renderTerminalTable(data, { wide: values.wide ?? false })}\n${conclusionText(data)}\n`,
    );
    return 0;
  });
}

function exportRun(argv: string[]): number {
  const { values, positionals } = parseCommandArgs('results export', argv, exportFlags, true);
  const output = outputOf('results export', { ...values, output: values.output ?? values.out }, [
    'json',
    'csv',
    'markdown',
    'openmetrics',
    'hdr',
  ]);
  const ref = runRef('export', positionals);
  const text = withStore(values.store, (store) => {
    const data = store.loadRun(store.resolveRunId(ref));
    const cells = values.merged ? mergeRepetitions(data.cells) : data.cells;
    switch (output.format) {
      case 'csv':
        return cellsToCsv(data.run.runId, cells);
      case 'markdown':
        return `${renderMarkdownCells(data)}\n${conclusionText(data)}\n`;
      case 'openmetrics':
        return runToOpenMetrics(data);
      case 'hdr':
        return runToHdrLog(data);
      default:
        return jsonText({ ...data, cells });
    }
  });
  output.emit(text);
  return 0;
}

function check(argv: string[]): number {
  const { values } = parseCommandArgs('results check', argv, checkFlags);
  const output = outputOf('results check', values, ['table', 'json']);
  const path = values.store ?? DEFAULT_STORE_PATH;
  const report = checkStoreFile(path);
  const salvaged = values.salvage === undefined ? undefined : salvageStore(path, values.salvage);
  if (output.format === 'json') {
    const { content } = report;
    output.emit(
      jsonText({
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
      }),
    );
  } else {
    output.emit(renderCheck(report, salvaged, values.salvage));
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
  usage,
  flags: { list: listFlags, show: showFlags, export: exportFlags, check: checkFlags },
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
