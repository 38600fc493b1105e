/**
 * Argument parsing shared by every command: node:util parseArgs in strict
 * mode, with its errors turned into LAB_E_USAGE, and validators that turn
 * strings into numbers with LAB_E_BAD_PARAM errors naming the flag and range.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ErrorCodes, LabError } from '../core/errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseCommandArgs<T extends Options>(
  command: string,
  argv: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    // Tokens keep the flags' order, for flags that group (--request and the options after it).
    return parseArgs({ args: argv, options, strict: true, allowPositionals, tokens: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new LabError(ErrorCodes.USAGE, `${command}: ${message}`, {
      hint: `run 'conlab ${command} --help' for the flags it takes`,
    });
  }
}

export function parseIntFlag(flag: string, value: string, min: number, max: number): number {
  const trimmed = value.trim();
  const n = /^-?\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new LabError(ErrorCodes.BAD_PARAM, `--${flag} '${value}' is not a whole number in ${min}..${max}`, {
      hint: `give --${flag} a whole number from ${min} to ${max}`,
    });
  }
  return n;
}

export function parseNumberFlag(flag: string, value: string, min: number, max: number): number {
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new LabError(ErrorCodes.BAD_PARAM, `--${flag} '${value}' is not a number in ${min}..${max}`, {
      hint: `give --${flag} a number from ${min} to ${max}`,
    });
  }
  return n;
}

export function parseIntListFlag(flag: string, value: string, min: number, max: number): number[] {
  const parts = value.split(',').map((part) => part.trim());
  if (parts.length === 0 || parts.some((part) => part === '')) {
    throw new LabError(
      ErrorCodes.BAD_PARAM,
      `--${flag} '${value}' is not a comma-separated list of whole numbers`,
      {
        hint: `e.g. --${flag} 1,2,4`,
      },
    );
  }
  return parts.map((part) => parseIntFlag(flag, part, min, max));
}

export function parseNameListFlag(value: string): string[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** Prints a JSON document to stdout, the one machine-readable form every command offers. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Parses a flag only when it was given: absent stays undefined, so that its default is decided below the CLI. */
export function optionalFlag<T>(value: string | undefined, parse: (text: string) => T): T | undefined {
  return value === undefined ? undefined : parse(value);
}
