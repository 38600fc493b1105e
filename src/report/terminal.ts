/**
 * The cell table for a terminal: the same columns as the HTML report's
 * table. The default view fits an 80-column terminal (the columns marked
 * narrow, shared workload/runtime moved to a heading line, notes shortened);
 * `wide` shows every column in full. A function from RunData to a string so
 * that `conlab run`, `conlab results show` and `conlab report` all print the
 * same thing.
 */
import type { RunData } from '../results/record.ts';
import { batchColumns, notesText, pipelineColumns, serverColumns, type CellColumn } from './columns.ts';
import { reportRows, type ReportRow } from './rows.ts';
import { renderMarkdownTable, renderTextTable, type Column } from '../core/text-table.ts';

export interface TerminalTableOptions {
  /** Every column, untruncated. */
  wide?: boolean;
  /** Terminal width the narrow view must fit; default 80. */
  width?: number;
}

/** Columns dropped, in this order, when a narrow table still does not fit. */
const dropOrder = ['time', 'eff', 'p50', 'errors', 'peak rss', '±95%', 'cpu'];

function truncate(text: string, width: number): string {
  if (text.length <= width) return text;
  return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}~`;
}

type Notes = (row: ReportRow) => string;

function toTextColumns(columns: CellColumn[], notes: Notes | null): Column<ReportRow>[] {
  return columns.map((column) => ({
    header: column.header,
    align: column.align,
    value: column.header === 'notes' && notes !== null ? notes : (row: ReportRow) => column.text(row),
  }));
}

function widest(text: string): number {
  return Math.max(0, ...text.split('\n').map((line) => line.length));
}

/** Long reasons (failure messages) become numbered footnotes under the table, so they are never cut. */
function footnotes(rows: ReportRow[]): { ref: (reason: string) => string; lines: string[] } {
  const numbers = new Map<string, number>();
  for (const row of rows)
    for (const reason of row.reasons) if (!numbers.has(reason)) numbers.set(reason, numbers.size + 1);
  return {
    ref: (reason) => `[${numbers.get(reason) ?? '?'}]`,
    lines: [...numbers].map(([reason, n]) => `[${n}] ${reason}`),
  };
}

function narrowTable(all: CellColumn[], rows: ReportRow[], width: number): string {
  const kept = all.filter((column) => column.narrow);
  const notesColumn = kept.find((column) => column.header === 'notes');
  const numbers = kept.filter((column) => column !== notesColumn);
  const notes = footnotes(rows);
  const notesOf = (row: ReportRow) => notesText(row, true, notes.ref);
  const wanted = Math.max('notes'.length, ...rows.map((row) => notesOf(row).length));
  const withFootnotes = (table: string) =>
    table + notes.lines.map((line) => `${truncate(line, width)}\n`).join('');
  // Notes get the width left over; when that is too little to read, drop a number column instead.
  for (let dropped = 0; ; dropped++) {
    const base = renderTextTable(toTextColumns(numbers, null), rows);
    const room = width - widest(base) - 2;
    if (wanted <= 'notes'.length && rows.every((row) => notesOf(row) === '')) {
      return withFootnotes(base);
    }
    if (room >= Math.min(wanted, 14) || dropped >= dropOrder.length) {
      const notesWidth = Math.max(room, 'notes'.length);
      const columns = [...numbers, ...(notesColumn ? [notesColumn] : [])];
      return withFootnotes(
        renderTextTable(
          toTextColumns(columns, (row) => truncate(notesOf(row), notesWidth)),
          rows,
        ),
      );
    }
    const index = numbers.findIndex((column) => column.header === dropOrder[dropped]);
    if (index >= 0) numbers.splice(index, 1);
  }
}

function section(title: string, all: CellColumn[], rows: ReportRow[], options: TerminalTableOptions): string {
  const width = options.width ?? 80;
  if (options.wide) return `${title}\n${renderTextTable(toTextColumns(all, null), rows)}`;
  // A column every row shares says nothing per row: name it once above the table.
  const sharedNames: string[] = [];
  let columns = all;
  for (const header of ['workload', 'endpoint', 'runtime']) {
    const column = all.find((c) => c.header === header);
    if (!column) continue;
    const values = new Set(rows.map((row) => column.text(row)));
    if (values.size === 1) sharedNames.push([...values][0] ?? '');
    else columns = columns.map((c) => (c === column ? { ...c, narrow: true } : c));
  }
  const heading = sharedNames.length > 0 ? `${title}: ${sharedNames.join(', ')}` : title;
  return `${truncate(heading, width)}\n${narrowTable(columns, rows, width)}`;
}

/** The rows of a run by kind, each with its columns: batch, then pipeline, then server cells. */
function kindSections(rows: ReportRow[]): [string, CellColumn[], ReportRow[]][] {
  return [
    ['batch cells', batchColumns, rows.filter((row) => row.kind === 'batch')],
    ['pipeline cells', pipelineColumns, rows.filter((row) => row.kind === 'pipeline')],
    ['server cells', serverColumns, rows.filter((row) => row.kind === 'server')],
  ];
}

/**
 * Every cell of the run as GitHub Markdown, for a PR: the wide view's
 * columns (nothing truncated, notes in full), one table per kind under a
 * heading naming the run.
 */
export function renderMarkdownCells(run: RunData): string {
  const rows = reportRows(run);
  const heading = `### conlab run ${run.run.runId} (${run.run.suiteName}, ${run.run.status})\n`;
  if (rows.length === 0) return `${heading}\nno cells recorded\n`;
  const parts = kindSections(rows)
    .filter(([, , kindRows]) => kindRows.length > 0)
    .map(
      ([title, columns, kindRows]) =>
        `\n**${title}**\n\n${renderMarkdownTable(toTextColumns(columns, null), kindRows)}`,
    );
  return heading + parts.join('');
}

/** The table of every cell in the run: batch cells, then pipeline cells, then server cells. */
export function renderTerminalTable(run: RunData, options: TerminalTableOptions = {}): string {
  const rows = reportRows(run);
  if (rows.length === 0) return `run ${run.run.runId}: no cells recorded\n`;
  const parts: string[] = [];
  for (const [title, columns, kindRows] of kindSections(rows)) {
    if (kindRows.length === 0) continue;
    if (options.wide) {
      parts.push(section(title, columns, kindRows, options));
      continue;
    }
    // In 80 columns, one table per workload and runtime keeps every narrow column; a shared table would drop some.
    const groups = new Map<string, ReportRow[]>();
    for (const row of kindRows) {
      const key = `${row.workload}|${row.runtime}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    for (const group of groups.values()) parts.push(section(title, columns, group, options));
  }
  const failed = rows.filter((row) => row.status === 'failed').length;
  const footer =
    failed === rows.length
      ? `all ${rows.length} cells failed: nothing was measured\n`
      : failed > 0
        ? `${failed} of ${rows.length} cells failed (see notes)\n`
        : '';
  return parts.join('\n') + footer;
}
