/**
 * What a workload module exports, checked against the contract: the task
 * (the default export, or the named one) is a function `(item, params) =>
 * result | Promise<result>`; optional `items(count, params)`, `params`
 * (defaults: numbers, booleans, strings), `kind` ('cpu' | 'io') and
 * `description`. The driver's check process and every subject that imports
 * the module run this same check, so a problem reads the same wherever it
 * is found.
 */
import type { ParamValues } from '../types.ts';

export type WorkloadKind = 'cpu' | 'io';

/** Everything the driver needs to know about a module's task without running it. */
export interface TaskFacts {
  /** Declared `async`: a model that needs synchronous work refuses it up front. */
  async: boolean;
  params: ParamValues;
  kind: WorkloadKind;
  hasItems: boolean;
  description: string | undefined;
}

export type Inspection =
  | { ok: true; task: TaskFacts }
  | {
      ok: false;
      /** What was found instead, e.g. "has no export 'resize' → exports found: default (a function)". */
      problem: string;
      hint: string;
    };

/** The names a module uses for its own settings, never a task. */
export const RESERVED_EXPORTS = ['items', 'params', 'kind', 'description'] as const;

const CONTRACT = 'export default function (item, params) { ... return result } (async allowed)';

function isClass(value: unknown): boolean {
  return typeof value === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(value));
}

export function isAsyncFunction(value: unknown): boolean {
  return typeof value === 'function' && value.constructor.name === 'AsyncFunction';
}

/** "a number (42)", "an async function", "an object", for messages that say what was found. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (isClass(value)) return 'a class';
  if (isAsyncFunction(value)) return 'an async function';
  switch (typeof value) {
    case 'function':
      return 'a function';
    case 'number':
    case 'boolean':
      return `a ${typeof value} (${String(value)})`;
    case 'string':
      return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

function exportList(namespace: Record<string, unknown>): string {
  const names = Object.keys(namespace);
  if (names.length === 0) return 'it exports nothing';
  return `exports found: ${names.map((name) => `${name}: ${typeName(namespace[name])}`).join('; ')}`;
}

function checkParams(value: unknown): ParamValues | string {
  if (value === undefined) return {};
  const proto: unknown = typeof value === 'object' && value !== null ? Object.getPrototypeOf(value) : null;
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    (proto !== Object.prototype && proto !== null)
  ) {
    return `export 'params' is ${typeName(value)}, not an object of defaults`;
  }
  const params: ParamValues = {};
  for (const [name, given] of Object.entries(value)) {
    if (
      typeof given === 'string' ||
      typeof given === 'boolean' ||
      (typeof given === 'number' && Number.isFinite(given))
    ) {
      params[name] = given;
    } else {
      return `params.${name} is ${typeName(given)}; a default is a finite number, a boolean or a string (it sets the type --param ${name}=… takes)`;
    }
  }
  return params;
}

/** Checks a module's namespace (what `import()` gave) for the task named `exportName`; `file` names it in hints. */
export function inspectModule(
  namespace: Record<string, unknown>,
  exportName: string,
  file: string,
): Inspection {
  const fail = (problem: string, hint: string): Inspection => ({ ok: false, problem, hint });
  if (!(exportName in namespace) || namespace[exportName] === undefined) {
    const functions = Object.keys(namespace).filter(
      (name) =>
        typeof namespace[name] === 'function' && !(RESERVED_EXPORTS as readonly string[]).includes(name),
    );
    return fail(
      `has no ${exportName === 'default' ? 'default export' : `export '${exportName}'`} → ${exportList(namespace)}`,
      functions.length > 0
        ? `pick the task with #name, e.g. --workload ${file}#${functions[0] ?? ''}, or ${CONTRACT}`
        : CONTRACT,
    );
  }
  const task = namespace[exportName];
  if (typeof task !== 'function' || isClass(task)) {
    return fail(
      `export '${exportName}' is ${typeName(task)}, not a function`,
      `the task is a function (item, params) => result | Promise<result>: ${CONTRACT}`,
    );
  }
  if (namespace.items !== undefined && typeof namespace.items !== 'function') {
    return fail(
      `export 'items' is ${typeName(namespace.items)}, not a function`,
      'export function items(count, params) { return [...] } (count values, one per item), or drop it: the items are then 0..count-1',
    );
  }
  const params = checkParams(namespace.params);
  if (typeof params === 'string') {
    return fail(params, "export const params = { size: 1000, verbose: false, mode: 'fast' }");
  }
  const kind = namespace.kind ?? 'cpu';
  if (kind !== 'cpu' && kind !== 'io') {
    return fail(
      `export 'kind' is ${typeName(kind)}; allowed: 'cpu', 'io'`,
      "export const kind = 'io' (it only changes labels; default 'cpu')",
    );
  }
  const description = namespace.description;
  if (description !== undefined && typeof description !== 'string') {
    return fail(
      `export 'description' is ${typeName(description)}, not a string`,
      'export const description = "what one item does"',
    );
  }
  return {
    ok: true,
    task: {
      async: isAsyncFunction(task),
      params,
      kind,
      hasItems: namespace.items !== undefined,
      description,
    },
  };
}
