/**
 * Argument parsing shared by every command: node:util parseArgs in strict
 * mode, with its errors turned into LAB_E_USAGE, negative numbers accepted as
 * values (so they reach the range check), and validators that turn strings
 * into numbers with LAB_E_BAD_PARAM errors naming the flag and range.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closestName, ErrorCodes, LabError } from '../core/errors.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** Every spelling a command's flags can be given in: --name and -x. */
export function flagSpellings(options: Options): string[] {
  return Object.entries(options).flatMap(([name, option]) =>
    option.short === undefined ? [`--${name}`] : [`--${name}`, `-${option.short}`],
  );
}

/** An unknown flag, with the nearest known one when there is a close one (as for unknown commands). */
function unknownFlag(command: string, flag: string, options: Options): LabError {
  // '--conections=5' and '--conections 5' both name the flag '--conections'.
  const name = flag.split('=')[0] ?? flag;
  const suggestion = closestName(name, flagSpellings(options).concat('--help'));
  return new LabError(ErrorCodes.USAGE, `${command}: unknown flag '${name}'`, {
    hint: suggestion
      ? `did you mean '${suggestion}'? ('conlab ${command} --help' lists the flags)`
      : `run 'conlab ${command} --help' for the flags it takes`,
  });
}

/** A value that starts with a dash but is a number (`-5`, `-0.5`, `-.5`), not a flag. */
const NEGATIVE_NUMBER = /^-(?:\d|\.\d)/;

/**
 * `-R -5` / `--items -1` → `-R-5` / `--items=-1`. parseArgs refuses a value
 * that starts with a dash as "ambiguous" (it might be a forgotten value
 * followed by a flag); a negative number cannot be a flag, so it is joined
 * to its option and reaches the range check, which says what is allowed.
 */
export function joinNegativeValues(argv: string[], options: Options): string[] {
  const takesValue = new Set<string>();
  for (const [name, spec] of Object.entries(options)) {
    if (spec.type !== 'string') continue;
    takesValue.add(`--${name}`);
    if (spec.short !== undefined) takesValue.add(`-${spec.short}`);
  }
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const next = argv[i + 1];
    if (arg === '--') {
      joined.push(...argv.slice(i));
      break;
    }
    if (takesValue.has(arg) && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      joined.push(arg.startsWith('--') ? `${arg}=${next}` : `${arg}${next}`);
      i++;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

export function parseCommandArgs<T extends Options>(
  command: string,
  argv: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: joinNegativeValues(argv, options), options, strict: true, allowPositionals });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    if (unknown) throw unknownFlag(command, unknown[1] ?? '', options);
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
