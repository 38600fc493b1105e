/**
 * Argument parsing shared by every command: node:util parseArgs in strict
 * mode, with its errors turned into LAB_E_USAGE, negative numbers accepted as
 * values (so they reach the range check), and validators that turn strings
 * into numbers with LAB_E_BAD_PARAM errors naming the flag and range.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closestName, ErrorCodes, LabError } from '../core/errors.ts';
import {
  parseLatencyUs,
  parsePercent,
  parseThresholds,
  thresholdHelp,
  type Threshold,
  type ThresholdMetric,
} from '../stats/thresholds.ts';

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
    // Tokens keep the flags' order, for flags that group (--request and the options after it).
    return parseArgs({
      args: joinNegativeValues(argv, options),
      options,
      strict: true,
      allowPositionals,
      tokens: true,
    });
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

/** A percentage from `5%` or `5`, returned in percent points (5); the range is checked in percent. */
export function parsePercentPointsFlag(flag: string, value: string, min: number, max: number): number {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*%?\s*$/.exec(value);
  const percent = match ? Number(match[1]) : Number.NaN;
  if (!Number.isFinite(percent) || percent < min || percent > max) {
    throw new LabError(ErrorCodes.BAD_PARAM, `--${flag} '${value}' is not a percentage in ${min}%..${max}%`, {
      hint: `give --${flag} a percentage such as 5%, from ${min}% to ${max}%`,
    });
  }
  return percent;
}

/** `auto` or a whole number of repetitions. */
export function parseRepsFlag(value: string, max: number): number | 'auto' {
  return value.trim() === 'auto' ? 'auto' : parseIntFlag('reps', value, 1, max);
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

/** Seconds from '10', '10s', '500ms' or '2m': the one duration syntax (`load -d`, `capacity --duration`, ...). */
export function parseSeconds(flag: string, value: string, min: number, max: number): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(value);
  if (!match) {
    throw new LabError(ErrorCodes.BAD_PARAM, `--${flag} '${value}' is not a duration`, {
      hint: `e.g. --${flag} 10s, 500ms or 2m (a bare number means seconds)`,
    });
  }
  const scale = match[2] === 'ms' ? 0.001 : match[2] === 'm' ? 60 : 1;
  return parseNumberFlag(flag, String(Number(match[1]) * scale), min, max);
}

/** A latency flag ('50ms', '500us', '1.5s') → µs, above 0. */
export function parseLatencyFlag(flag: string, value: string): number {
  const us = parseLatencyUs(value);
  if (us === undefined || us <= 0) {
    throw new LabError(ErrorCodes.BAD_PARAM, `--${flag} '${value}' is not a latency above 0`, {
      hint: `give a number with a unit: e.g. --${flag} 50ms, 500us or 1s`,
    });
  }
  return us;
}

/** A share flag ('0.1%') → a fraction in min..max. */
export function parsePercentFlag(flag: string, value: string, min = 0, max = 1): number {
  const fraction = parsePercent(value);
  if (fraction === undefined || fraction < min || fraction > max) {
    throw new LabError(
      ErrorCodes.BAD_PARAM,
      `--${flag} '${value}' is not a percentage in ${min * 100}%..${max * 100}%`,
      { hint: `e.g. --${flag} 0.1% or 5%` },
    );
  }
  return fraction;
}

/** `--threshold EXPR`, repeatable, on every command that measures. */
export const thresholdFlags = { threshold: { type: 'string', multiple: true } } as const;

/** Words wrapped to lines of at most `width` characters, each after `indent`. */
function wrap(text: string, indent: string, width = 78): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.map((l) => `${indent}${l}`).join('\n');
}

/** The help line of --threshold for a command that measures `allowed`. */
export function thresholdFlagHelp(allowed: readonly ThresholdMetric[]): string {
  return `  --threshold EXPR      a gate, repeatable: METRIC<VALUE (<, <=, >, >=), e.g. 'p99<50ms',
                        'errors<0.1%', 'rps>2000'; crossed → named on stderr, exit 1.
${wrap(`Metrics: ${thresholdHelp(allowed)}`, ' '.repeat(24))}`;
}

/** The --threshold values, parsed (LAB_E_BAD_THRESHOLD, exit 2, for the first bad one). */
export function parseThresholdFlags(
  values: readonly string[] | undefined,
  allowed: readonly ThresholdMetric[],
): Threshold[] {
  return parseThresholds(values ?? [], allowed);
}
