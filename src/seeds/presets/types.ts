/**
 * What every seed preset is: a name, the seed it reproduces, and a run that
 * turns a resolved context into a report (rows for a table, the seed's CSV,
 * JSON, and the computed answers to the seed's questions). Adding a preset
 * is one file and one line in registry.ts.
 */
import type { RuntimeSpec } from '../../runtimes/registry.ts';

export interface PresetContext {
  runtime: RuntimeSpec;
  /** Scaled-down matrix and durations, for tests and a first look. */
  quick: boolean;
  /** Seconds of measured load per cell, overriding the preset's default. */
  durationS: number | undefined;
  /** Overrides of the preset's architecture list and client counts (validated by the preset). */
  archs: string[] | undefined;
  clients: number[] | undefined;
  log(line: string): void;
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
  run(context: PresetContext): Promise<PresetReport>;
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
