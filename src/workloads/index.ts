/**
 * The workload registry. Adding a workload = one module + one line here.
 * A name that is a path (`./task.ts`, `tasks.mjs#resize`) is the user's own
 * workload module instead (module/): checked in the driver, imported in
 * every subject and worker. The server lab imports sha256Chain, jsLoop and
 * openKvDb from this folder.
 */
import { ErrorCodes, LabError, unknownName } from '../core/errors.ts';
import { cpuJs } from './cpu-js.ts';
import { cpuPrimes } from './primes.ts';
import { cpuRotate } from './rotate.ts';
import { cpuSha256 } from './sha256.ts';
import { echo } from './echo.ts';
import { ioFile } from './file.ts';
import { ioSleep } from './sleep.ts';
import { ioSqlite } from './sqlite.ts';
import { checkModule } from './module/check.ts';
import { loadModuleWorkload } from './module/load.ts';
import { formatRef, looksLikeModule, moduleLabel, resolveModuleRef } from './module/ref.ts';
import { describedWorkload } from './module/workload.ts';
import type { ParamValues, Workload } from './types.ts';

export const workloads: Record<string, Workload> = {
  'cpu.sha256': cpuSha256,
  'cpu.js': cpuJs,
  'cpu.primes': cpuPrimes,
  'cpu.rotate': cpuRotate,
  'io.sleep': ioSleep,
  'io.sqlite': ioSqlite,
  'io.file': ioFile,
  echo,
};

export const workloadNames = Object.keys(workloads);

/**
 * Module workloads this process knows, by resolved name: described (the
 * driver checked them) or runnable (a subject or worker loaded them).
 */
const moduleWorkloads = new Map<string, Workload>();

/**
 * A built-in workload, or a workload module: a path relative to `baseDir`
 * (the current folder for a flag, the suite's folder for a suite) or an
 * already resolved name. A module this process has not seen is checked
 * first (module/check.ts: a short process imports it; LAB_E_WORKLOAD_MODULE
 * for anything wrong); the workload's `name` is then the resolved name
 * (`/abs/task.ts#default@hash`) that cells and records carry.
 */
export function getWorkload(name: string, baseDir: string = process.cwd()): Workload {
  const workload = workloads[name] ?? moduleWorkloads.get(name);
  if (workload) return workload;
  if (!looksLikeModule(name)) {
    const error = unknownName(ErrorCodes.UNKNOWN_WORKLOAD, 'workload', name, workloadNames);
    throw new LabError(error.code, `${error.message}, or the path of your own module (./task.ts)`, {
      hint: error.hint ?? '',
    });
  }
  const ref = resolveModuleRef(name, baseDir);
  const resolved = formatRef(ref);
  const known = moduleWorkloads.get(resolved);
  if (known) return known;
  const described = describedWorkload(resolved, checkModule(ref));
  moduleWorkloads.set(resolved, described);
  return described;
}

/** The workload if this process knows it already (built in, checked or loaded); never checks or reads anything. */
export function findWorkload(name: string): Workload | undefined {
  return workloads[name] ?? moduleWorkloads.get(name);
}

/**
 * In a subject or pool worker, before any model runs: a built-in workload
 * as it is; a workload module (by its resolved name) imported and made
 * runnable, so that getWorkload(name) returns it from then on. `items` (the
 * cell's item count, in a subject) builds the module's items and checks
 * that the file is still the one the run was planned with.
 */
export async function loadWorkload(
  name: string,
  options: { params: ParamValues; items?: number },
): Promise<Workload> {
  const builtin = workloads[name];
  if (builtin) return builtin;
  const loaded = await loadModuleWorkload(name, options);
  moduleWorkloads.set(name, loaded);
  return loaded;
}

/** A workload's name for tables and reports: a module's file name (and export) rather than its resolved path. */
export function workloadLabel(name: string): string {
  return workloads[name] || !looksLikeModule(name) ? name : moduleLabel(name);
}

export { resolveParams, parseParamPairs, describeParamRange } from './params.ts';
export { looksLikeModule } from './module/ref.ts';
export { sha256Chain } from './sha256.ts';
export { jsLoop } from './cpu-js.ts';
export { openKvDb, kvKey, kvValue, defaultKvPath } from './sqlite.ts';
export { countPrimesBelow } from './primes.ts';
export type { Workload, ItemAnswer, ParamValues, ParamSpec } from './types.ts';
