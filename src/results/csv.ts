/**
 * CSV export: one row per stored cell record, the union of every record's
 * flattened fields as columns, fixed identifying columns first, units in
 * the column names (they come from the record's field names).
 */
import { flattenRecord, type FlatValue } from './flatten.ts';
import type { CellRecord } from './record.ts';

const leadingColumns = ['runId', 'cellKey', 'repetition', 'kind', 'status', 'reason', 'runtime', 'startedAt'];

function csvField(value: FlatValue | undefined): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function cellsToCsv(runId: string, cells: readonly CellRecord[]): string {
  const rows = cells.map((cell) => {
    const flat = flattenRecord(cell);
    // `repetitions` is a list in the record; a stored suite record holds exactly one.
    return { ...flat, runId, repetition: cell.repetitions.join(';') };
  });
  const seen = new Set(leadingColumns);
  const rest: string[] = [];
  for (const row of rows) {
    for (const column of Object.keys(row)) {
      if (!seen.has(column)) {
        seen.add(column);
        rest.push(column);
      }
    }
  }
  rest.sort();
  const columns = [...leadingColumns, ...rest.filter((column) => column !== 'repetitions')];
  const lines = [columns.join(',')];
  for (const row of rows) {
    const record = row as Record<string, FlatValue>;
    lines.push(columns.map((column) => csvField(record[column])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
