/**
 * Step one of two: read what the user wrote (YAML or JSON; JSON is YAML 1.2)
 * and check its shape with the zod schema. Every problem is reported with
 * the path of the field, what is allowed and, for typos, a suggestion.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ErrorCodes, LabError, closestName } from '../core/errors.ts';
import { suiteSchema, type SuiteInput } from './schema.ts';

type PathKey = PropertyKey;

/** `batch[0].models` from ['batch', 0, 'models']. */
export function formatPath(path: readonly PathKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text === '' ? '(top level)' : text;
}

/** The schema that validates the value at `path`, to list the keys an object allows. */
function schemaAt(schema: z.ZodType, path: readonly PathKey[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = schema;
  for (const key of path) {
    current = unwrap(current);
    if (current instanceof z.ZodObject && typeof key === 'string') {
      current = (current.shape as Record<string, z.ZodType>)[key];
    } else if (current instanceof z.ZodArray && typeof key === 'number') {
      current = current.element as z.ZodType;
    } else {
      return undefined;
    }
  }
  return unwrap(current);
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

/** The keys the object at `path` allows, for "unknown key" messages. */
function allowedKeysAt(path: readonly PathKey[]): string[] {
  const target = schemaAt(suiteSchema, path);
  return target instanceof z.ZodObject ? Object.keys(target.shape) : [];
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(issue.path);
      return issue.keys
        .map((key) => {
          const suggestion = closestName(key, allowed);
          const keyPath = formatPath([...issue.path, key]);
          return `${keyPath}: unknown key → allowed: ${allowed.join(', ')}${
            suggestion ? `; did you mean '${suggestion}'?` : ''
          }`;
        })
        .join('\n  ');
    }
    case 'invalid_value': {
      const allowed = issue.values.map(String);
      return `${where}: not one of ${allowed.join(', ')}`;
    }
    case 'invalid_union': {
      // oneOrMany(): report the branch that got furthest into the value.
      const deepest = issue.errors
        .flat()
        .sort((a, b) => b.path.length - a.path.length)
        .at(0);
      if (deepest) return describeIssue({ ...deepest, path: [...issue.path, ...deepest.path] });
      return `${where}: ${issue.message}`;
    }
    case 'invalid_type':
      // zod says "expected string, received undefined" for a missing field; say it plainly.
      return /received undefined/.test(issue.message)
        ? `${where}: required field is missing (${issue.expected})`
        : `${where}: ${issue.message}`;
    default:
      return `${where}: ${issue.message}`;
  }
}

/** Adds the user's actual value for enum typos, so the hint can suggest the right one. */
function suggestionFor(issue: z.core.$ZodIssue, input: unknown): string | undefined {
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeysAt(issue.path);
    const key = issue.keys[0];
    const guess = key === undefined ? undefined : closestName(key, allowed);
    return guess ? `rename '${key}' to '${guess}'` : `remove '${key}'`;
  }
  if (issue.code === 'invalid_value') {
    let value: unknown = input;
    for (const key of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
    const guess = typeof value === 'string' ? closestName(value, issue.values.map(String)) : undefined;
    return guess ? `did you mean '${guess}'?` : undefined;
  }
  return undefined;
}

/** Validates a parsed document against the schema; throws LAB_E_SUITE_INVALID listing every problem. */
export function parseSuiteValue(value: unknown, source: string): SuiteInput {
  const result = suiteSchema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues;
  // A typo shows up twice (unknown key + missing field): the suggestion for the unknown key is the useful hint.
  const suggestion = issues.map((issue) => suggestionFor(issue, value)).find((text) => text !== undefined);
  throw new LabError(
    ErrorCodes.SUITE_INVALID,
    `suite ${source} is invalid:\n  ${issues.map(describeIssue).join('\n  ')}`,
    {
      hint: suggestion ?? 'see suites/examples/ and docs/architecture/suites-results.md for the suite format',
    },
  );
}

/** Parses suite text (YAML or JSON). */
export function parseSuiteText(text: string, source: string): SuiteInput {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const firstError = document.errors[0];
  if (firstError) {
    throw new LabError(
      ErrorCodes.SUITE_INVALID,
      `suite ${source} is not valid YAML/JSON: ${firstError.message}`,
      {
        hint: 'fix the syntax at the line shown (indentation, a missing colon or quote)',
      },
    );
  }
  return parseSuiteValue(document.toJS(), source);
}

/** Reads and parses a suite file. */
export function readSuiteFile(path: string): SuiteInput {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LabError(
      code === 'ENOENT' ? ErrorCodes.NOT_FOUND : ErrorCodes.IO,
      `cannot read suite file '${path}' (${code ?? 'error'})`,
      { hint: 'give the path of a .yaml or .json suite file, e.g. suites/quick.yaml', cause: error },
    );
  }
  return parseSuiteText(text, path);
}
