/**
 * The subject side of a workload module: import it (once per process or
 * thread: the runtime's module cache sees to that), check it against the
 * contract as the driver did, and build the runnable workload. A subject
 * also checks that the file is still the one the run was planned with and
 * builds the items (items(count, params), before timing); a pool worker gets
 * its items with each task instead.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { currentRuntimeLabel } from '../../core/runtime-info.ts';
import { unsupportedOn } from '../../core/subject/protocol.ts';
import type { ParamValues, Workload } from '../types.ts';
import { inspectModule } from './inspect.ts';
import { canonicalJson } from './json.ts';
import { hashSource, splitRef } from './ref.ts';
import { describedWorkload, runnableWorkload } from './workload.ts';

export interface LoadOptions {
  params: ParamValues;
  /** In a subject: the cell's item count, to build the items and check the file's hash. Absent in a pool worker. */
  items?: number;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function importModule(path: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      // This runtime cannot strip types: a named skip, as for conlab's own TypeScript subjects.
      throw new Error(
        unsupportedOn(currentRuntimeLabel(), `cannot import the TypeScript workload module ${path}`),
        {
          cause: error,
        },
      );
    }
    throw new Error(
      `workload module ${path} failed while loading under ${currentRuntimeLabel()}: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
}

async function buildItems(
  path: string,
  make: (count: number, params: Readonly<ParamValues>) => unknown,
  count: number,
  params: ParamValues,
): Promise<unknown[]> {
  let made: unknown;
  try {
    made = await make(count, Object.freeze({ ...params }));
  } catch (error) {
    throw new Error(`workload module ${path}: items(${count}, params) threw: ${messageOf(error)}`, {
      cause: error,
    });
  }
  let values: unknown[] | undefined;
  if (Array.isArray(made)) values = made as unknown[];
  else if (made !== null && typeof made === 'object' && Symbol.iterator in made) {
    values = [...(made as Iterable<unknown>)];
  }
  if (!values || values.length !== count) {
    throw new Error(
      `workload module ${path}: items(${count}, params) returned ${values ? `${values.length} values` : String(made)}; it must return ${count}, one per item`,
    );
  }
  values.forEach((value, i) => {
    try {
      canonicalJson(value);
    } catch (error) {
      // Items travel to pool workers as JSON: a value JSON would change must not reach the task in one model only.
      throw new Error(`workload module ${path}: items()[${i}]: ${messageOf(error)}`, { cause: error });
    }
  });
  return values;
}

/** Imports the module a resolved name points to and returns its runnable workload. */
export async function loadModuleWorkload(name: string, options: LoadOptions): Promise<Workload> {
  const ref = splitRef(name);
  if (options.items !== undefined && ref.hash !== undefined) {
    const source = await readFile(ref.path).catch((error: unknown) => {
      throw new Error(`workload module ${ref.path} cannot be read any more: ${messageOf(error)}`, {
        cause: error,
      });
    });
    const now = hashSource(source);
    if (now !== ref.hash) {
      throw new Error(
        `workload module ${ref.path} changed since the run was planned (content hash ${ref.hash}, now ${now}): this cell would measure other code`,
      );
    }
  }
  const namespace = await importModule(ref.path);
  const inspection = inspectModule(namespace, ref.exportName, basename(ref.path));
  if (!inspection.ok) {
    throw new Error(`workload module ${ref.path} ${inspection.problem} (under ${currentRuntimeLabel()})`);
  }
  const task = namespace[ref.exportName] as (item: unknown, params: Readonly<ParamValues>) => unknown;
  const makeItems = namespace.items as
    ((count: number, params: Readonly<ParamValues>) => unknown) | undefined;
  const itemValues =
    options.items !== undefined && makeItems
      ? await buildItems(ref.path, makeItems, options.items, options.params)
      : undefined;
  return runnableWorkload(describedWorkload(name, inspection.task), task, options.params, itemValues);
}
