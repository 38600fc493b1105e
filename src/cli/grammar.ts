/**
 * The grammar every command shares, so that a flag means the same thing
 * wherever it appears:
 *
 *   -o, --output FILE   write the result to FILE instead of stdout
 *   --format F          table (the terminal view), json, csv, markdown,
 *                       openmetrics, hdr — each command lists the ones it has
 *   --json              the same as --format json
 *   durations           10 (seconds), 10s, 500ms, 1m, 1.5s
 *
 * A command declares `...outputFlags` in its parseArgs options, then calls
 * outputOf(...) once and hands its text to `emit`.
 */
import { writeFileSync } from 'node:fs';
import { ErrorCodes, LabError, unknownName } from '../core/errors.ts';
import { parseNumberFlag } from './args.ts';

/** Every result format some command writes; a command allows a subset. */
export type OutputFormat = 'table' | 'json' | 'csv' | 'markdown' | 'openmetrics' | 'hdr';

/** The flag declarations (parseArgs options) of the output grammar. */
export const outputFlags = {
  output: { type: 'string', short: 'o' },
  format: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export interface OutputValues {
  output?: string;
  format?: string;
  json?: boolean;
}

export interface Output {
  format: OutputFormat;
  /** The file given with -o/--output; undefined: stdout. */
  path: string | undefined;
  /** Writes the whole result to the file or stdout. */
  emit(text: string): void;
}

/** Writes a result to `path` (LAB_E_IO when it cannot) or, without one, to stdout. */
export function writeResult(text: string, path: string | undefined): void {
  if (path === undefined) {
    process.stdout.write(text);
    return;
  }
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new LabError(
      ErrorCodes.IO,
      `cannot write '${path}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { hint: 'give a writable path with -o/--output, or leave it out to print to stdout' },
    );
  }
}

/**
 * The format and destination a command was asked for. `allowed[0]` is the
 * default; `--json` is `--format json`, and giving both with different
 * formats is refused rather than guessed.
 */
export function outputOf(command: string, values: OutputValues, allowed: readonly OutputFormat[]): Output {
  if (values.json && values.format !== undefined && values.format !== 'json') {
    throw new LabError(ErrorCodes.USAGE, `${command}: --json and --format ${values.format} disagree`, {
      hint: '--json is short for --format json; give one of them',
    });
  }
  const requested = values.json ? 'json' : (values.format ?? allowed[0] ?? 'table');
  const format = allowed.find((name) => name === requested);
  if (format === undefined) throw unknownName(ErrorCodes.BAD_PARAM, `${command} format`, requested, allowed);
  const path = values.output;
  return { format, path, emit: (text) => writeResult(text, path) };
}

/** A JSON document as every command prints it (two-space indent, final newline). */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Seconds from one duration syntax used by every flag that takes a time:
 * '10' (seconds), '10s', '500ms', '2m', '1.5s'; then checked against min..max.
 */
export function parseDuration(flag: string, value: string, min: number, max: number): number {
  const match = /^\s*(-?)(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m)?\s*$/.exec(value);
  if (match?.[1] === '-') {
    // A negative duration parses (so '-1' is not "ambiguous" or "not a duration") and gets the range error.
    throw new LabError(ErrorCodes.BAD_PARAM, `--${flag} '${value}' is outside ${min}s..${max}s`, {
      hint: `give --${flag} a duration from ${min}s to ${max}s (10s, 500ms, 2m)`,
    });
  }
  if (!match) {
    throw new LabError(ErrorCodes.BAD_PARAM, `--${flag} '${value}' is not a duration`, {
      hint: `e.g. --${flag} 10s, 500ms or 2m (a bare number means seconds)`,
    });
  }
  const scale = match[3] === 'ms' ? 0.001 : match[3] === 'm' ? 60 : 1;
  const seconds = Number(match[2]) * scale;
  try {
    return parseNumberFlag(flag, String(seconds), min, max);
  } catch {
    throw new LabError(ErrorCodes.BAD_PARAM, `--${flag} '${value}' is outside ${min}s..${max}s`, {
      hint: `give --${flag} a duration from ${min}s to ${max}s (10s, 500ms, 2m)`,
    });
  }
}
