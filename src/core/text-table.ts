/**
 * A plain-text table renderer: rows of strings in, a string out, so every
 * command's table is testable without a terminal. Numbers are right-aligned.
 */
export interface Column<Row> {
  header: string;
  value(row: Row): string;
  align?: 'left' | 'right';
}

export function renderTextTable<Row>(columns: Column<Row>[], rows: Row[]): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...cells.map((rowCells) => (rowCells[i] ?? '').length)),
  );
  const pad = (text: string, i: number): string => {
    const width = widths[i] ?? 0;
    return columns[i]?.align === 'right' ? text.padStart(width) : text.padEnd(width);
  };
  const lines = [
    columns.map((column, i) => pad(column.header, i)).join('  '),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...cells.map((rowCells) => rowCells.map((text, i) => pad(text, i)).join('  ')),
  ];
  return `${lines.map((line) => line.trimEnd()).join('\n')}\n`;
}

/** A cell's text made safe inside a Markdown table row: pipes escaped, line breaks as <br>. */
function markdownCell(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('|', '\\|').replace(/\r?\n/g, '<br>');
}

/**
 * The same table as GitHub-flavoured Markdown (paste into a PR or an issue):
 * the same columns and cell texts as renderTextTable, alignment kept with
 * the `---:` marker.
 */
export function renderMarkdownTable<Row>(columns: Column<Row>[], rows: Row[]): string {
  const line = (cells: string[]): string => `| ${cells.map(markdownCell).join(' | ')} |`;
  return `${[
    line(columns.map((column) => column.header)),
    `| ${columns.map((column) => (column.align === 'right' ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((row) => line(columns.map((column) => column.value(row)))),
  ].join('\n')}\n`;
}

/** Formatting helpers with units, used by every table. */
export const fmt = {
  fixed(value: number | null | undefined, digits = 2): string {
    return value === null || value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
  },
  bytes(value: number | null | undefined): string {
    if (value === null || value === undefined || !Number.isFinite(value)) return '-';
    const units = ['B', 'KiB', 'MiB', 'GiB'];
    let v = value;
    let unit = 0;
    while (v >= 1024 && unit < units.length - 1) {
      v /= 1024;
      unit++;
    }
    return `${v.toFixed(unit === 0 ? 0 : 1)}${units[unit]}`;
  },
  durationMs(value: number | null | undefined): string {
    if (value === null || value === undefined || !Number.isFinite(value)) return '-';
    return value >= 1000 ? `${(value / 1000).toFixed(3)}s` : `${value.toFixed(1)}ms`;
  },
  latencyUs(value: number | null | undefined): string {
    if (value === null || value === undefined || !Number.isFinite(value)) return '-';
    if (value >= 1_000_000) return `${(value / 1_000_000).toFixed(2)}s`;
    if (value >= 1000) return `${(value / 1000).toFixed(2)}ms`;
    return `${Math.round(value)}us`;
  },
  rate(value: number | null | undefined): string {
    if (value === null || value === undefined || !Number.isFinite(value)) return '-';
    return value >= 100 ? Math.round(value).toString() : value.toFixed(1);
  },
  percent(value: number | null | undefined): string {
    return value === null || value === undefined || !Number.isFinite(value) ? '-' : `${Math.round(value)}%`;
  },
};
