/**
 * What every seed preset is: a name, the seed it reproduces, and a plan
 * that turns a resolved context into server cells (each run by the server
 * lab's runServerCell and stored like a suite's cells) plus a report from
 * those cells' records (a table with the answers, the seed's CSV, JSON).
 * Adding a preset is one file and one line in registry.ts.
 */
import type { ServerCell } from '../../results/record.ts';
import type { StepCell } from '../../results/steps.ts';
import type { RuntimeSpec } from '../../runtimes/registry.ts';
import type { ServerCellSpec } from '../../servers/driver/run-cell.ts';

export interface PresetContext {
  runtime: RuntimeSpec;
  /** Scaled-down matrix and durations, for tests and a first look. */
  quick: boolean;
  /** Seconds of measured load per cell, overriding the preset's default. */
  durationS: number | undefined;
  /** Overrides of the preset's architecture list and client counts (validated by the preset). */
  archs: string[] | undefined;
  clients: number[] | undefined;
}

/** One cell of a preset: what runServerCell runs, under the key the store keeps it by. */
export interface PresetCell extends StepCell {
  spec: ServerCellSpec;
}

export interface PresetPlan {
  /** The preset's settings as resolved (durations, matrix), stored with the run. */
  settings: Record<string, unknown>;
  cells: PresetCell[];
  /** The preset's own output, from the records of `cells` (same order, one each). */
  report(records: readonly ServerCell[]): PresetReport;
}

export interface PresetReport {
  preset: string;
  runtime: string;
  /** Human-readable: table plus answers. */
  text: string;
  /** The seed's own CSV (seed 000's controller columns; seed 002's result rows). */
  csv: string;
  /** Every cell with its status, reason, PIDs and figures. */
  json: unknown;
  /** Cells that failed (not skipped as unsupported). */
  failures: number;
}

export interface Preset {
  name: string;
  seed: string;
  summary: string;
  /** Validates the context's overrides (LabError) and lays out the cells; starts nothing. */
  plan(context: PresetContext): PresetPlan;
}

/** Quotes a CSV field only when it needs it (RFC 4180). */
export function csvField(value: string | number): string {
  const text = typeof value === 'number' ? String(value) : value;
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(values: (string | number)[]): string {
  return `${values.map(csvField).join(',')}\n`;
}

/** Rounds for display in CSV without trailing noise. */
export function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
