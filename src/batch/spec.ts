/**
 * A batch cell as the user (or a suite) writes it → validated and resolved
 * with every default filled in. The resolved form is what runs and what the
 * result record stores.
 */
import { ErrorCodes, LabError } from '../core/errors.ts';
import { axisWords, modelAxisNames, models, resolveShape, type ModelShape } from '../models/registry.ts';
import { getWorkload, resolveParams } from '../workloads/index.ts';
import type { ParamValues } from '../workloads/types.ts';

export interface BatchCellSpec {
  workload: string;
  /** Raw workload params (strings from the CLI or JSON values); validated against the workload's schema. */
  params?: Record<string, unknown>;
  model: string;
  /** The model's axes (src/models/types.ts): omitted = the model's declared default; ignored (1) for an axis the model does not vary. */
  concurrency?: number;
  threadsPerProcess?: number;
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
  repetitions: { min: 1, max: 100 },
  timeoutMs: { min: 100, max: 24 * 3600 * 1000 },
  inFlightPerWorker: { min: 1, max: 1024 },
  /** Workers (threads and processes) one cell may start: the model's declared cores at its shape. */
  coresPerCell: 256,
} as const;

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
  const model = models.get(spec.model);
  if (model.syncOnly !== undefined && workload.asyncTask === true) {
    throw new LabError(
      ErrorCodes.WORKLOAD_MODULE,
      `model '${model.name}' cannot run ${workload.label ?? workload.name}, whose task is an async function: ${model.syncOnly}`,
      { hint: `drop ${model.name} from the models, or export a synchronous function` },
    );
  }
  const params = resolveParams(workload, spec.params ?? {});
  // Axes the model does not vary collapse to 1: a value there would only make two keys for one cell.
  const shape = resolveShape(model, spec);
  const cores = model.cores(shape);
  if (cores > BATCH_LIMITS.coresPerCell) {
    throw new LabError(
      ErrorCodes.BAD_PARAM,
      `${model.name} ${describeShape(shape)} starts ${cores} workers, more than the ${BATCH_LIMITS.coresPerCell} one cell may start`,
      { hint: 'lower --concurrency or --threads-per-process' },
    );
  }
  const items = checkInt('items', spec.items, BATCH_LIMITS.items, 'e.g. --items 50');
  return {
    workload: workload.name,
    params,
    model: model.name,
    ...shape,
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

function describeShape(shape: ModelShape): string {
  return modelAxisNames.map((axis) => `${axisWords[axis].label} ${shape[axis]}`).join(', ');
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
