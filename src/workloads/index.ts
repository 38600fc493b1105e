/**
 * The workload registry. Adding a workload = one module + one line here.
 * The server lab imports sha256Chain, jsLoop and openKvDb from this folder.
 */
import { ErrorCodes, unknownName } from '../core/errors.ts';
import { cpuJs } from './cpu-js.ts';
import { cpuPrimes } from './primes.ts';
import { cpuRotate } from './rotate.ts';
import { cpuSha256 } from './sha256.ts';
import { echo } from './echo.ts';
import { ioFile } from './file.ts';
import { ioSleep } from './sleep.ts';
import { ioSqlite } from './sqlite.ts';
import type { Workload } from './types.ts';

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

export function getWorkload(name: string): Workload {
  const workload = workloads[name];
  if (!workload) throw unknownName(ErrorCodes.UNKNOWN_WORKLOAD, 'workload', name, workloadNames);
  return workload;
}

export { resolveParams, parseParamPairs } from './params.ts';
export { sha256Chain } from './sha256.ts';
export { jsLoop } from './cpu-js.ts';
export { openKvDb, kvKey, kvValue, defaultKvPath } from './sqlite.ts';
export { countPrimesBelow } from './primes.ts';
export type { Workload, ItemAnswer, ParamValues, ParamSpec } from './types.ts';
