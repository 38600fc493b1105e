/**
 * A batch cell as the user (or a suite) writes it → validated and resolved
 * with every default filled in. The resolved form is what runs and what the
 * result record stores.
 */
import { ErrorCodes, LabError } from '../core/errors.ts';
import { getModel } from '../models/index.ts';
import { getWorkload, resolveParams } from '../workloads/index.ts';
import type { ParamValues } from '../workloads/types.ts';

export interface BatchCellSpec {
  workload: string;
  /** Raw workload params (strings from the CLI or JSON values); validated against the workload's schema. */
  params?: Record<string, unknown>;
  model: string;
  concurrency: number;
  /** Hybrid only; default 2. */
  threadsPerProcess?: number;
  /** Pools and spawn; default 1. */
  itemsPerTask?: number;
  items: number;
  /** Each repetition is a fresh subject process; default 1. */
  repetitions?: number;
  /** Per repetition, timed section only; default 600000. */
  timeoutMs?: number;
  /** Tasks a pool keeps in flight per worker; default 2. */
  inFlightPerWorker?: number;
}

/**
 * The fields that say which cell this is and what its subject runs: the one
 * list of them, shared by the resolved spec, the subject protocol, the
 * result record and the suite's cell plan.
 */
export interface BatchCellIdentity<P = Record<string, unknown>> {
  workload: string;
  params: P;
  model: string;
  concurrency: number;
  threadsPerProcess: number;
  itemsPerTask: number;
  items: number;
}

/** Copies a cell's identity fields out of anything that carries them (a plan, a spec, a record). */
export function batchIdentityOf<P>(source: BatchCellIdentity<P>): BatchCellIdentity<P> {
  return {
    workload: source.workload,
    params: source.params,
    model: source.model,
    concurrency: source.concurrency,
    threadsPerProcess: source.threadsPerProcess,
    itemsPerTask: source.itemsPerTask,
    items: source.items,
  };
}

export interface ResolvedBatchSpec extends BatchCellIdentity<ParamValues> {
  repetitions: number;
  timeoutMs: number;
  inFlightPerWorker: number;
}

export const BATCH_LIMITS = {
  items: { min: 1, max: 10_000_000 },
  itemsPerTask: { min: 1, max: 1_000_000 },
  threadsPerProcess: { min: 1, max: 64 },
  repetitions: { min: 1, max: 100 },
  timeoutMs: { min: 100, max: 24 * 3600 * 1000 },
  inFlightPerWorker: { min: 1, max: 1024 },
  /** Threads started by one hybrid cell (processes × threads). */
  hybridThreads: 256,
} as const;

export const DEFAULT_THREADS_PER_PROCESS = 2;
export const DEFAULT_TIMEOUT_MS = 600_000;
/** Enough to hide dispatch latency; few enough that a busy worker does not hoard items another could take. */
export const DEFAULT_IN_FLIGHT_PER_WORKER = 2;

function checkInt(name: string, value: number, range: { min: number; max: number }, hint: string): number {
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw new LabError(
      ErrorCodes.BAD_PARAM,
      `${name} '${String(value)}' is not a whole number in ${range.min}..${range.max}`,
      { hint },
    );
  }
  return value;
}

export function resolveBatchSpec(spec: BatchCellSpec): ResolvedBatchSpec {
  const workload = getWorkload(spec.workload);
  const model = getModel(spec.model);
  const params = resolveParams(workload, spec.params ?? {});
  const concurrency = model.usesConcurrency
    ? checkInt(
        `${model.name} concurrency`,
        spec.concurrency,
        { min: 1, max: model.maxConcurrency },
        `${model.name} runs 1..${model.maxConcurrency} at once; e.g. --concurrency 1,2,4`,
      )
    : 1;
  const threadsPerProcess =
    model.name === 'hybrid'
      ? checkInt(
          'threads per process',
          spec.threadsPerProcess ?? DEFAULT_THREADS_PER_PROCESS,
          BATCH_LIMITS.threadsPerProcess,
          'e.g. --threads-per-process 2',
        )
      : 1;
  if (concurrency * threadsPerProcess > BATCH_LIMITS.hybridThreads) {
    throw new LabError(
      ErrorCodes.BAD_PARAM,
      `hybrid ${concurrency} processes × ${threadsPerProcess} threads exceeds ${BATCH_LIMITS.hybridThreads} threads`,
      { hint: 'lower --concurrency or --threads-per-process' },
    );
  }
  const items = checkInt('items', spec.items, BATCH_LIMITS.items, 'e.g. --items 50');
  return {
    workload: workload.name,
    params,
    model: model.name,
    concurrency,
    threadsPerProcess,
    // Models without tasks run item by item: a chunk size there would only make two keys for one cell.
    itemsPerTask: model.usesItemsPerTask
      ? checkInt(
          'items per task',
          spec.itemsPerTask ?? 1,
          BATCH_LIMITS.itemsPerTask,
          'e.g. --items-per-task 1,5',
        )
      : 1,
    items,
    repetitions: checkInt('repetitions', spec.repetitions ?? 1, BATCH_LIMITS.repetitions, 'e.g. --reps 3'),
    timeoutMs: checkInt(
      'timeout ms',
      spec.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      BATCH_LIMITS.timeoutMs,
      'e.g. --timeout-ms 60000',
    ),
    inFlightPerWorker: checkInt(
      'in flight per worker',
      spec.inFlightPerWorker ?? DEFAULT_IN_FLIGHT_PER_WORKER,
      BATCH_LIMITS.inFlightPerWorker,
      'e.g. --in-flight 4',
    ),
  };
}

/** Stable key of a cell's resolved parameters: the same cell in two runs gets the same key. */
export function batchCellKey(spec: ResolvedBatchSpec, runtimeLabel: string): string {
  return [
    'batch',
    runtimeLabel,
    spec.workload,
    JSON.stringify(spec.params),
    spec.model,
    `c${spec.concurrency}`,
    `t${spec.threadsPerProcess}`,
    `ipt${spec.itemsPerTask}`,
    `n${spec.items}`,
  ].join('|');
}
