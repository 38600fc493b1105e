/**
 * A cell record → flat `column → value` pairs, shared by the CSV export and
 * the store's metrics table. Nested objects become dotted names
 * (`latencyUs.p99`, `params.iters`), so the unit stays in the name; lists
 * of scalars become `;`-joined text. Timelines and histograms are left out:
 * they are not one value per cell (export JSON to get them).
 */
import type { CellRecord } from './record.ts';

export type FlatValue = string | number | boolean | null;

/** Fields that are series or encodings, never flattened into columns. */
const seriesFields = new Set(['monitor', 'histogram', 'timeline', 'progress']);

function flattenInto(out: Record<string, FlatValue>, prefix: string, value: unknown): void {
  if (value === undefined) return;
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  ) {
    out[prefix] = value;
  } else if (Array.isArray(value)) {
    out[prefix] = value
      .map((item) => (typeof item === 'object' ? JSON.stringify(item) : String(item)))
      .join(';');
  } else if (typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) flattenInto(out, `${prefix}.${key}`, inner);
  }
}

export function flattenRecord(record: CellRecord): Record<string, FlatValue> {
  const out: Record<string, FlatValue> = {};
  for (const [key, value] of Object.entries(record)) {
    if (seriesFields.has(key)) continue;
    flattenInto(out, key, value);
  }
  // The monitor's summary is one value per cell and worth a column; its timelines are not.
  if (record.monitor) {
    flattenInto(out, 'monitor.available', record.monitor.available);
    flattenInto(out, 'monitor', record.monitor.summary);
    // The measured window's figures and evidence (samples, tooShort): one value each, as the summary's.
    if (record.monitor.window) flattenInto(out, 'monitor.window', record.monitor.window);
  }
  return out;
}

/** The numeric columns only (for the store's metrics table). */
export function numericMetrics(record: CellRecord): [string, number][] {
  return Object.entries(flattenRecord(record)).filter(
    (entry): entry is [string, number] => typeof entry[1] === 'number' && Number.isFinite(entry[1]),
  );
}
