import type { Command } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { ErrorCodes, LabError } from '../../core/errors.ts';
import type { RunData } from '../../results/record.ts';

const usage = `conlab report [RUN|latest] [-o FILE.html] [--store PATH]
conlab report [RUN] --svg DIR | --png DIR
conlab report [RUN] --table [--wide]
conlab report --compare RUN_A RUN_B [-o FILE.html]

Reports a stored run. RUN is a run id, a unique prefix of one, 'latest'
(default) or 'latest~N'.

  -o, --output FILE   write the self-contained HTML report there
                      (default reports/<run id>.html)
  --svg DIR           write every chart as DIR/<chart>.svg
  --png DIR           write every chart as DIR/<chart>.png (2x, system fonts)
  --table             print the table of every cell (fits 80 columns)
  --wide              with --table: every column, nothing shortened
  --compare A B       compare two runs cell by cell: ratio B/A, its interval
                      and significance (Welch's t); prints a table, and with
                      -o also writes an HTML page
  --store PATH        results store (default conlab-results/results.db)

Examples:
  conlab report -o report.html
  conlab report latest --png figures/
  conlab report --compare latest~1 latest
`;

async function loadRuns(storePath: string | undefined, refs: string[]): Promise<RunData[]> {
  const { openStore, DEFAULT_STORE_PATH } = await import('../../results/store.ts');
  const store = openStore(storePath ?? DEFAULT_STORE_PATH, { create: false });
  try {
    return refs.map((ref) => store.loadRun(store.resolveRunId(ref)));
  } finally {
    store.close();
  }
}

const flags = {
  output: { type: 'string', short: 'o' },
  store: { type: 'string' },
  svg: { type: 'string' },
  png: { type: 'string' },
  table: { type: 'boolean', default: false },
  wide: { type: 'boolean', default: false },
  compare: { type: 'boolean', default: false },
} as const;

export const command: Command = {
  name: 'report',
  usage,
  flags,
  async run(argv) {
    const { values, positionals } = parseCommandArgs('report', argv, flags, true);
    if (values.compare) {
      if (positionals.length !== 2) {
        throw new LabError(ErrorCodes.USAGE, `report --compare takes two runs, got ${positionals.length}`, {
          hint: 'conlab report --compare RUN_A RUN_B (e.g. latest~1 latest)',
        });
      }
      const runs = await loadRuns(values.store, positionals);
      const [runA, runB] = runs as [RunData, RunData];
      const { compareRuns } = await import('../../results/compare.ts');
      const { renderCompareTerminal, renderCompareHtml } = await import('../../report/compare.ts');
      const comparison = compareRuns(runA, runB);
      process.stdout.write(renderCompareTerminal(comparison, runs));
      if (values.output !== undefined) {
        const { writeTextFile } = await import('../../report/html.ts');
        await writeTextFile(values.output, await renderCompareHtml(comparison, runs));
        process.stdout.write(`wrote ${values.output}\n`);
      }
      return 0;
    }
    if (positionals.length > 1) {
      throw new LabError(
        ErrorCodes.USAGE,
        `report takes one run, got ${positionals.length}: ${positionals.join(' ')}`,
        {
          hint: 'to compare two runs: conlab report --compare RUN_A RUN_B',
        },
      );
    }
    if (values.wide && !values.table) {
      throw new LabError(ErrorCodes.USAGE, '--wide only applies to --table', {
        hint: 'conlab report --table --wide',
      });
    }
    const [run] = (await loadRuns(values.store, [positionals[0] ?? 'latest'])) as [RunData];
    if (values.table) {
      const { renderTerminalTable } = await import('../../report/terminal.ts');
      process.stdout.write(renderTerminalTable(run, { wide: values.wide }));
    }
    let exitCode = 0;
    if (values.svg !== undefined || values.png !== undefined) {
      const { writeFigures } = await import('../../report/figures.ts');
      const { written, failed } = await writeFigures(run, { svgDir: values.svg, pngDir: values.png });
      process.stdout.write(
        written.length === 0 && failed.length === 0
          ? `run ${run.run.runId} has no cell with data to chart: no figures written\n`
          : `wrote ${written.length} figures:\n${written.map((path) => `  ${path}\n`).join('')}`,
      );
      for (const { id, reason } of failed)
        process.stderr.write(`conlab: chart ${id} could not be drawn: ${reason}\n`);
      // The other figures are written; the exit status still says that one is missing.
      if (failed.length > 0) exitCode = 1;
    }
    const wantsHtml =
      values.output !== undefined || (!values.table && values.svg === undefined && values.png === undefined);
    if (wantsHtml) {
      const { writeHtmlReport } = await import('../../report/html.ts');
      const path = values.output ?? `reports/${run.run.runId}.html`;
      await writeHtmlReport(run, path);
      process.stdout.write(`wrote ${path} (run ${run.run.runId}, ${run.cells.length} records)\n`);
    }
    return exitCode;
  },
};
