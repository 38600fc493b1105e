/**
 * Param validation for workloads: user strings or JSON values in, every
 * default filled in out (the resolved form stored in results). Errors name
 * the param and its range.
 */
import { ErrorCodes, LabError, unknownName } from '../core/errors.ts';
import type { ParamSpec, ParamValues, Workload } from './types.ts';

/** What a param accepts, for errors and listings: "a whole number in 1..100", "true or false". */
export function describeParamRange(spec: ParamSpec): string {
  switch (spec.type) {
    case 'string':
      return spec.pattern ? `a string matching ${String(spec.pattern)}` : 'a string';
    case 'boolean':
      return 'true or false';
    default: {
      const what = spec.type === 'int' ? 'a whole number' : 'a number';
      return Number.isFinite(spec.min) || Number.isFinite(spec.max)
        ? `${what} in ${spec.min}..${spec.max}`
        : what;
    }
  }
}

function badParam(workload: string, name: string, value: unknown, spec: ParamSpec): LabError {
  const allowed = describeParamRange(spec);
  return new LabError(
    ErrorCodes.BAD_PARAM,
    `${workload} param '${name}' = '${String(value)}' is not ${allowed}`,
    { hint: `${name}: ${spec.description}; default ${String(spec.default)}` },
  );
}

function resolveOne(
  workload: string,
  name: string,
  spec: ParamSpec,
  raw: unknown,
): number | string | boolean {
  if (raw === undefined) return spec.default;
  if (spec.type === 'string') {
    if (typeof raw !== 'string' || (spec.pattern && !spec.pattern.test(raw))) {
      throw badParam(workload, name, raw, spec);
    }
    return raw;
  }
  if (spec.type === 'boolean') {
    // A suite gives a YAML boolean, the command line the word.
    if (raw === true || raw === 'true') return true;
    if (raw === false || raw === 'false') return false;
    throw badParam(workload, name, raw, spec);
  }
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  const ok =
    Number.isFinite(n) && n >= spec.min && n <= spec.max && (spec.type !== 'int' || Number.isSafeInteger(n));
  if (!ok) throw badParam(workload, name, raw, spec);
  return n;
}

/** Validates user params against a workload's schema and fills in the defaults. */
export function resolveParams(workload: Workload, raw: Record<string, unknown>): ParamValues {
  const known = Object.keys(workload.params);
  for (const name of Object.keys(raw)) {
    if (!Object.hasOwn(workload.params, name)) {
      const label = workload.label ?? workload.name;
      const error = unknownName(ErrorCodes.BAD_PARAM, `${label} param`, name, known);
      if (known.length === 0) {
        throw new LabError(ErrorCodes.BAD_PARAM, `${label} takes no params (got '${name}')`, {
          hint: 'drop --param',
        });
      }
      throw error;
    }
  }
  const resolved: ParamValues = {};
  for (const [name, spec] of Object.entries(workload.params)) {
    resolved[name] = resolveOne(workload.label ?? workload.name, name, spec, raw[name]);
  }
  return resolved;
}

/** Typed accessors: params are resolved before they reach a workload, so a wrong type is a bug. */
export function numParam(params: ParamValues, name: string): number {
  const value = params[name];
  if (typeof value !== 'number') throw new Error(`param '${name}' is not resolved to a number`);
  return value;
}

export function stringParam(params: ParamValues, name: string): string {
  const value = params[name];
  if (typeof value !== 'string') throw new Error(`param '${name}' is not resolved to a string`);
  return value;
}

/** Parses `--param key=value` pairs (repeatable flag or comma list) to a raw map. */
export function parseParamPairs(pairs: readonly string[]): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const pair of pairs.flatMap((p) => p.split(','))) {
    const trimmed = pair.trim();
    if (trimmed === '') continue;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) {
      throw new LabError(ErrorCodes.BAD_PARAM, `--param '${trimmed}' is not key=value`, {
        hint: 'e.g. --param limit=100000',
      });
    }
    raw[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  return raw;
}

/** Integer params are numbers too; the name says which range check resolved them. */
export const intParam = numParam;
