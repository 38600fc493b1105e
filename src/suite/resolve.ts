/**
 * Step two of two: the validated suite the user wrote → the resolved suite,
 * with every default filled in and every name checked against the
 * registries. The resolved form is what a run stores, so a result always
 * says what was measured, not only what was asked for.
 */
import { availableParallelism } from 'node:os';
import { randomInt } from 'node:crypto';
import { basename, dirname, resolve } from 'node:path';
import { APP_ENDPOINT, DEFAULT_ENDPOINT_PARAMS } from '../servers/driver/endpoints.ts';
import type { AppRef } from '../servers/subject/app/app-module.ts';
import { resolveServerApp, type AppContext } from './app.ts';
import { DEFAULT_SPIN_ITERS } from '../servers/subject/work/compute.ts';
import { ErrorCodes, LabError, unknownName, type ErrorCode } from '../core/errors.ts';
import { workloadLabel } from '../workloads/index.ts';
import {
  checkAxisValue,
  modelAxisNames,
  type ModelAxisName,
  type ModelDefinition,
} from '../models/registry.ts';
import { batchMetrics, serverMetrics } from '../results/thresholds.ts';
import { capacitySettings } from '../servers/capacity/run.ts';
import { parseThreshold, type ThresholdMetric } from '../stats/thresholds.ts';
import { DEFAULT_MIN_WINDOW_S, MIN_WINDOW_LIMITS_S } from '../batch/sizing.ts';
import {
  ADAPTIVE_LIMITS,
  DEFAULT_ADAPTIVE_RULE,
  adaptiveRuleProblem,
  type AdaptiveRule,
} from '../stats/precision.ts';
import { parseSuiteValue } from './parse.ts';
import type { SuiteInput } from './schema.ts';
import type {
  ResolvedBatchExperiment,
  ResolvedCapacityExperiment,
  ResolvedServerExperiment,
  ResolvedSuite,
} from './types.ts';

/** Names and validators the suite is checked against; tests may pass their own. */
export interface SuiteCatalog {
  /**
   * A built-in workload's name as it is, or a workload module's path
   * (relative to baseDir, the suite file's folder) as its resolved name;
   * throws LabError (unknown name, or a module that is missing or breaks the contract).
   */
  resolveWorkload(workload: string, baseDir: string): string;
  /** Validates a workload's params and fills its defaults; throws LabError. */
  resolveWorkloadParams(
    workload: string,
    raw: Record<string, unknown>,
  ): Record<string, number | string | boolean>;
  modelNames: readonly string[];
  /** A model's definition: the axes it varies, their defaults and ranges. */
  model(name: string): ModelDefinition;
  architectureNames: readonly string[];
  /**
   * 'installed', or 'missing' (a known runtime that is not installed);
   * throws LabError for a name that is no runtime at all (a typo must never be skipped silently).
   */
  runtimeStatus(name: string): 'installed' | { missing: LabError };
  /** Imports a server app under a runtime (a probe process) and says what it exports; LAB_E_APP_* when it cannot be hosted. */
  checkApp(path: string, runtime: string, what: string): AppRef;
}

/** What CLI flags may override; applied before validation so they get the same checks. */
export interface SuiteOverrides {
  runtimes?: string[];
  repetitions?: number | 'auto';
  /** `5%` or 5. */
  precision?: string | number;
  maxRepetitions?: number;
  minWindowS?: number;
  warmupS?: number;
  order?: string;
  seed?: number;
  timeBudgetS?: number;
  /** Every server experiment's duration. */
  durationS?: number;
  /** Every batch experiment's item count. */
  items?: number;
  /** Every batch experiment's concurrency levels. */
  concurrency?: number[];
  /** Every server experiment's connection counts. */
  connections?: number[];
}

export const suiteDefaults = {
  runtimes: ['node'],
  repetitions: 3,
  warmupS: 1,
  order: 'interleaved',
  batchItems: 32,
  batchTimeoutS: 120,
  endpoint: 'hello',
  serverConnections: [32],
  serverDurationS: 5,
  serverTimeoutS: 120,
  capacityConnections: 64,
  capacityDurationS: 3,
} as const;

export function applyOverrides(input: SuiteInput, overrides: SuiteOverrides, source: string): SuiteInput {
  const { durationS, items, concurrency, connections, ...top } = overrides;
  const merged: Record<string, unknown> = { ...input };
  // `--reps 5` on a suite with `repetitions: auto`: its precision and maximum no longer apply (flags given with it still do).
  if (typeof top.repetitions === 'number') {
    delete merged.precision;
    delete merged.maxRepetitions;
  }
  for (const [key, value] of Object.entries(top)) if (value !== undefined) merged[key] = value;
  const batch = { items, concurrency };
  const server = { durationS, connections };
  const defined = (fields: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  if (Object.keys(defined(batch)).length > 0) {
    merged.batch = input.batch?.map((experiment) => ({ ...experiment, ...defined(batch) }));
  }
  if (Object.keys(defined(server)).length > 0) {
    merged.server = input.server?.map((experiment) => ({ ...experiment, ...defined(server) }));
  }
  if (top.runtimes !== undefined) narrowExperimentRuntimes(merged, top.runtimes);
  // Re-validate: a flag is user input too.
  return parseSuiteValue(merged, `${source} (with command-line overrides)`);
}

/**
 * `--runtimes` replaces the suite's runtimes: an experiment that names its
 * own keeps those of them still asked for, and one left with none is
 * dropped (it asked not to run on any of them), rather than refused.
 */
function narrowExperimentRuntimes(merged: Record<string, unknown>, asked: readonly string[]): void {
  for (const kind of ['batch', 'server', 'capacity'] as const) {
    const experiments = merged[kind] as { runtimes?: string | string[] }[] | undefined;
    if (experiments === undefined) continue;
    merged[kind] = experiments.flatMap((experiment) => {
      if (experiment.runtimes === undefined) return [experiment];
      const kept = [experiment.runtimes].flat().filter((name) => asked.includes(name));
      return kept.length === 0 ? [] : [{ ...experiment, runtimes: kept }];
    });
  }
}

const list = <T>(value: T | T[] | undefined, fallback: readonly T[]): T[] =>
  value === undefined ? [...fallback] : Array.isArray(value) ? [...new Set(value)] : [value];

function checkName(
  what: string,
  code: (typeof ErrorCodes)[keyof typeof ErrorCodes],
  path: string,
  name: string,
  allowed: readonly string[],
): void {
  if (allowed.includes(name)) return;
  const error = unknownName(code, what, name, allowed);
  throw new LabError(
    ErrorCodes.SUITE_INVALID,
    `${path}: ${error.message}`,
    error.hint ? { hint: error.hint } : {},
  );
}

/** Re-labels a LabError from a registry with the suite path it came from (as LAB_E_SUITE_INVALID unless its code is kept). */
function atPath<T>(path: string, fn: () => T, keepCodes: readonly ErrorCode[] = []): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof LabError) {
      throw new LabError(
        keepCodes.includes(error.code) ? error.code : ErrorCodes.SUITE_INVALID,
        `${path}: ${error.message}`,
        error.hint ? { hint: error.hint } : {},
      );
    }
    throw error;
  }
}

/** An experiment's gates, each checked to parse for the metrics its cells have (LAB_E_BAD_THRESHOLD with the path). */
function resolveThresholds(
  path: string,
  input: string | string[] | undefined,
  allowed: readonly ThresholdMetric[],
): string[] {
  return list(input, []).map((text, i) => {
    try {
      return parseThreshold(text, allowed).text;
    } catch (error) {
      if (!(error instanceof LabError)) throw error;
      throw new LabError(
        error.code,
        `${path}.thresholds[${i}]: ${error.message}`,
        error.hint ? { hint: error.hint } : {},
      );
    }
  });
}

function resolveBatch(
  input: NonNullable<SuiteInput['batch']>[number],
  index: number,
  catalog: SuiteCatalog,
  baseDir: string,
): ResolvedBatchExperiment {
  const path = `batch[${index}]`;
  // A module keeps its own code: what is wrong is the module, not the suite's shape.
  const workload = atPath(`${path}.workload`, () => catalog.resolveWorkload(input.workload, baseDir), [
    ErrorCodes.WORKLOAD_MODULE,
  ]);
  const models = list(input.models, []);
  models.forEach((model, i) =>
    checkName('model', ErrorCodes.UNKNOWN_MODEL, `${path}.models[${i}]`, model, catalog.modelNames),
  );
  const definitions = models.map((name) => catalog.model(name));
  const axes = {
    concurrency: list(input.concurrency, [availableParallelism()]),
    // Absent: each model's own default (null, like a server experiment's workers).
    threadsPerProcess: input.threadsPerProcess === undefined ? null : list(input.threadsPerProcess, []),
    itemsPerTask: input.itemsPerTask === undefined ? null : list(input.itemsPerTask, []),
  } satisfies Record<ModelAxisName, number[] | null>;
  for (const axis of modelAxisNames) {
    const values = axes[axis];
    if (values === null) continue;
    const declaring = definitions.filter((model) => model.axes[axis] !== undefined);
    // A value that no model of the experiment varies would be silently ignored: refuse it. (Concurrency has a
    // default for every experiment, so a model without it, like sequential, just runs once.)
    if (axis !== 'concurrency' && declaring.length === 0 && values.some((value) => value !== 1)) {
      const takers = catalog.modelNames.filter((name) => catalog.model(name).axes[axis] !== undefined);
      throw new LabError(
        ErrorCodes.SUITE_INVALID,
        `${path}.${axis}: a value other than 1 only applies to model${takers.length === 1 ? '' : 's'} ${takers.map((name) => `'${name}'`).join(', ')} (models: ${models.join(', ')})`,
        { hint: `add ${takers.map((name) => `'${name}'`).join(' or ')} to models, or remove ${axis}` },
      );
    }
    for (const model of declaring) {
      for (const value of values) atPath(`${path}.${axis}`, () => checkAxisValue(model, axis, value));
    }
  }
  return {
    name: input.name ?? workloadLabel(workload),
    workload,
    params: atPath(`${path}.params`, () => catalog.resolveWorkloadParams(workload, input.params ?? {})),
    models,
    ...axes,
    items: input.items ?? suiteDefaults.batchItems,
    timeoutS: input.timeoutS ?? suiteDefaults.batchTimeoutS,
    thresholds: resolveThresholds(path, input.thresholds, batchMetrics),
  };
}

/** A server or capacity experiment's architectures, each checked against the registry. */
function checkedArchitectures(path: string, input: string | string[], catalog: SuiteCatalog): string[] {
  const architectures = list(input, []);
  architectures.forEach((architecture, i) =>
    checkName(
      'architecture',
      ErrorCodes.UNKNOWN_ARCH,
      `${path}.architectures[${i}]`,
      architecture,
      catalog.architectureNames,
    ),
  );
  return architectures;
}

/** The endpoint's work parameters with every default filled in. */
function endpointParams(
  input: NonNullable<SuiteInput['server']>[number]['params'],
): ResolvedServerExperiment['params'] {
  return {
    cpuIters: input?.cpuIters ?? DEFAULT_ENDPOINT_PARAMS.cpuIters,
    ioKeyIndex: input?.ioKeyIndex ?? DEFAULT_ENDPOINT_PARAMS.ioKeyIndex,
    spinIters: input?.spinIters ?? DEFAULT_SPIN_ITERS,
  };
}

function resolveServer(
  input: NonNullable<SuiteInput['server']>[number],
  index: number,
  catalog: SuiteCatalog,
  appContext: AppContext,
): ResolvedServerExperiment {
  const path = `server[${index}]`;
  const app = resolveServerApp(input, path, appContext);
  const architectures = checkedArchitectures(path, input.architectures, catalog);
  const rates = list(input.rates, []);
  const endpoint = app ? APP_ENDPOINT : (input.endpoint ?? suiteDefaults.endpoint);
  return {
    name: input.name ?? (app ? `${basename(app.path)} app` : `${endpoint} server`),
    architectures,
    endpoint,
    app,
    params: endpointParams(input.params),
    workers: input.workers ?? null,
    threads: input.threads ?? null,
    // Closed loop by default; a suite that only gives rates asked for open loop only.
    connections: list(input.connections, rates.length > 0 ? [] : suiteDefaults.serverConnections),
    rates,
    durationS: input.durationS ?? suiteDefaults.serverDurationS,
    timeoutS: input.timeoutS ?? suiteDefaults.serverTimeoutS,
    thresholds: resolveThresholds(path, input.thresholds, serverMetrics),
  };
}

function resolveCapacity(
  input: NonNullable<SuiteInput['capacity']>[number],
  index: number,
  catalog: SuiteCatalog,
): ResolvedCapacityExperiment {
  const path = `capacity[${index}]`;
  const architectures = checkedArchitectures(path, input.architectures, catalog);
  const endpoint = input.endpoint ?? suiteDefaults.endpoint;
  const settings = atPath(path, () =>
    capacitySettings({
      percentile: input.percentile,
      targetUs: input.targetMs * 1000,
      maxErrorRate: input.maxErrorRatePercent === undefined ? undefined : input.maxErrorRatePercent / 100,
      maxSteps: input.maxSteps,
      timeBudgetS: input.timeBudgetS,
      resolution: input.resolutionPercent === undefined ? undefined : input.resolutionPercent / 100,
      idleRps: input.idleRps,
      maxRateRps: input.maxRateRps,
    }),
  );
  return {
    name: input.name ?? `${endpoint} capacity`,
    architectures,
    endpoint,
    params: endpointParams(input.params),
    workers: input.workers ?? null,
    threads: input.threads ?? null,
    settings,
    connections: input.connections ?? suiteDefaults.capacityConnections,
    durationS: input.durationS ?? suiteDefaults.capacityDurationS,
    timeoutS: input.timeoutS ?? suiteDefaults.serverTimeoutS,
    thresholds: resolveThresholds(path, input.thresholds, serverMetrics),
  };
}

/** `5%`, `5 %` or 5 → 5 (percent); anything else is refused with the key's name. */
function precisionPercentOf(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = /^\s*(-?\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
  if (!match) {
    throw new LabError(ErrorCodes.SUITE_INVALID, `precision: '${value}' is not a percentage`, {
      hint: `write it as e.g. precision: 5% (the half-width of the 95% interval, ${ADAPTIVE_LIMITS.targetPercent.min}%..${ADAPTIVE_LIMITS.targetPercent.max}%)`,
    });
  }
  return Number(match[1]);
}

/**
 * `repetitions: auto` → its rule, checked (precision and maxRepetitions
 * with their ranges); a fixed count refuses them, since they would be
 * silently ignored.
 */
function resolveAdaptive(input: SuiteInput): AdaptiveRule | null {
  if (input.repetitions !== 'auto') {
    const stray = (['precision', 'maxRepetitions'] as const).filter((key) => input[key] !== undefined);
    if (stray.length > 0) {
      throw new LabError(
        ErrorCodes.SUITE_INVALID,
        `${stray.join(', ')}: only apply to repetitions: auto (repetitions is ${String(input.repetitions ?? suiteDefaults.repetitions)})`,
        { hint: `set repetitions: auto, or remove ${stray.join(' and ')}` },
      );
    }
    return null;
  }
  const rule: AdaptiveRule = {
    minRepetitions: DEFAULT_ADAPTIVE_RULE.minRepetitions,
    maxRepetitions: input.maxRepetitions ?? DEFAULT_ADAPTIVE_RULE.maxRepetitions,
    targetPercent:
      input.precision === undefined
        ? DEFAULT_ADAPTIVE_RULE.targetPercent
        : precisionPercentOf(input.precision),
  };
  checkRule(rule, '');
  return rule;
}

/** An adaptive rule that breaks its ranges → LAB_E_SUITE_INVALID naming the key (under `path`, an experiment's) and an example. */
function checkRule(rule: AdaptiveRule, path: string): void {
  const problem = adaptiveRuleProblem(rule);
  if (problem === null) return;
  throw new LabError(ErrorCodes.SUITE_INVALID, `${path}${problem.key}: ${problem.text}`, {
    hint:
      problem.key === 'maxRepetitions'
        ? `e.g. maxRepetitions: ${DEFAULT_ADAPTIVE_RULE.maxRepetitions} (repetitions: auto runs at least ${ADAPTIVE_LIMITS.minRepetitions})`
        : `e.g. precision: ${DEFAULT_ADAPTIVE_RULE.targetPercent}%`,
  });
}

function resolveMinWindowS(input: SuiteInput): number {
  const seconds = input.minWindowS ?? DEFAULT_MIN_WINDOW_S;
  if (!Number.isFinite(seconds) || seconds < MIN_WINDOW_LIMITS_S.min || seconds > MIN_WINDOW_LIMITS_S.max) {
    throw new LabError(
      ErrorCodes.SUITE_INVALID,
      `minWindowS: ${String(seconds)} is not a number of seconds in ${MIN_WINDOW_LIMITS_S.min}..${MIN_WINDOW_LIMITS_S.max}`,
      { hint: `the shortest a measured window may be, in seconds; the default is ${DEFAULT_MIN_WINDOW_S}` },
    );
  }
  return seconds;
}

/** A server cell's measured window is its duration: one below the minimum would be a window too short to trust. */
function checkServerWindows(server: readonly ResolvedServerExperiment[], minWindowS: number): void {
  server.forEach((experiment, i) => {
    if (experiment.durationS >= minWindowS) return;
    throw new LabError(
      ErrorCodes.SUITE_INVALID,
      `server[${i}].durationS: ${experiment.durationS} s is below minWindowS (${minWindowS} s): a server cell's measured window is its duration`,
      { hint: `raise durationS to at least ${minWindowS}, or lower minWindowS` },
    );
  });
}

/**
 * What an experiment sets for itself, checked: `runtimes:` → the suite's
 * installed runtimes it names (a name the suite does not list is refused:
 * the experiment could never run on it; one the suite skipped as not
 * installed is dropped the same way), and `maxRepetitions` (only with
 * repetitions: auto, else it would be silently ignored; the suite's range).
 * Keys it does not set stay absent, so stored runs look as they did.
 */
function experimentScope(
  path: string,
  input: { runtimes?: string | string[]; maxRepetitions?: number },
  suite: { declared: readonly string[]; installed: readonly string[]; adaptive: AdaptiveRule | null },
): { runtimes?: string[]; maxRepetitions?: number } {
  const scope: { runtimes?: string[]; maxRepetitions?: number } = {};
  if (input.runtimes !== undefined) {
    const names = list(input.runtimes, []);
    names.forEach((name, i) => {
      if (suite.declared.includes(name)) return;
      throw new LabError(
        ErrorCodes.SUITE_INVALID,
        `${path}.runtimes[${i}]: '${name}' is not one of the suite's runtimes (${suite.declared.join(', ')})`,
        {
          hint: `an experiment runs on a subset of the suite's runtimes: add '${name}' to the suite's runtimes, or remove it here`,
        },
      );
    });
    scope.runtimes = names.filter((name) => suite.installed.includes(name));
  }
  if (input.maxRepetitions !== undefined) {
    if (suite.adaptive === null) {
      throw new LabError(
        ErrorCodes.SUITE_INVALID,
        `${path}.maxRepetitions: only applies to repetitions: auto`,
        {
          hint: `set repetitions: auto on the suite, or remove ${path}.maxRepetitions`,
        },
      );
    }
    checkRule({ ...suite.adaptive, maxRepetitions: input.maxRepetitions }, `${path}.`);
    scope.maxRepetitions = input.maxRepetitions;
  }
  return scope;
}

/** `baseDir`: where the suite's module paths are relative to (the suite file's folder). */
export function resolveSuite(
  input: SuiteInput,
  source: string,
  catalog: SuiteCatalog,
  baseDir: string = dirname(resolve(source)),
): ResolvedSuite {
  if (
    (input.batch?.length ?? 0) === 0 &&
    (input.server?.length ?? 0) === 0 &&
    (input.capacity?.length ?? 0) === 0
  ) {
    throw new LabError(
      ErrorCodes.SUITE_INVALID,
      `suite ${source} has an empty matrix: no batch, server or capacity experiments`,
      {
        hint: 'add a `batch:` list (workload, models), a `server:` list (architectures, endpoint) or a `capacity:` list (architectures, targetMs)',
      },
    );
  }
  const skipMissing = input.skipMissingRuntimes ?? false;
  const runtimes: string[] = [];
  const skippedRuntimes: string[] = [];
  const declared = list(input.runtimes, suiteDefaults.runtimes);
  declared.forEach((name, i) => {
    const status = atPath(`runtimes[${i}]`, () => catalog.runtimeStatus(name));
    if (status === 'installed') runtimes.push(name);
    else if (skipMissing) skippedRuntimes.push(name);
    else {
      throw new LabError(ErrorCodes.SUITE_INVALID, `runtimes[${i}]: ${status.missing.message}`, {
        hint: `${status.missing.hint ?? 'install it'}, or set skipMissingRuntimes: true to skip runtimes that are not installed`,
      });
    }
  });
  if (runtimes.length === 0) {
    throw new LabError(
      ErrorCodes.SUITE_INVALID,
      `suite ${source}: none of its runtimes is installed (${skippedRuntimes.join(', ')})`,
      {
        hint: "run 'npm install' or 'conlab runtimes' to see what is available",
      },
    );
  }
  const adaptive = resolveAdaptive(input);
  const minWindowS = resolveMinWindowS(input);
  const suiteScope = { declared, installed: runtimes, adaptive };
  const server = (input.server ?? []).map((experiment, i) => {
    const own = experimentScope(`server[${i}]`, experiment, suiteScope);
    const resolved = resolveServer(experiment, i, catalog, {
      baseDir,
      // A user's app is probed under the runtimes its experiment runs on (all of the suite's when none of those is installed).
      runtimes: own.runtimes !== undefined && own.runtimes.length > 0 ? own.runtimes : runtimes,
      checkApp: (path, runtime, what) => catalog.checkApp(path, runtime, what),
    });
    return { ...resolved, ...own };
  });
  checkServerWindows(server, minWindowS);
  return {
    name: input.name,
    description: input.description ?? '',
    source,
    runtimes,
    skippedRuntimes,
    repetitions: adaptive
      ? adaptive.minRepetitions
      : typeof input.repetitions === 'number'
        ? input.repetitions
        : suiteDefaults.repetitions,
    adaptive,
    minWindowS,
    warmupS: input.warmupS ?? suiteDefaults.warmupS,
    order: input.order ?? suiteDefaults.order,
    // A random seed is still a seed: it is recorded so the order can be replayed.
    seed: input.seed ?? randomInt(0, 0xffffffff),
    timeBudgetS: input.timeBudgetS ?? null,
    skipMissingRuntimes: skipMissing,
    batch: (input.batch ?? []).map((experiment, i) => ({
      ...resolveBatch(experiment, i, catalog, baseDir),
      ...experimentScope(`batch[${i}]`, experiment, suiteScope),
    })),
    server,
    capacity: (input.capacity ?? []).map((experiment, i) => ({
      ...resolveCapacity(experiment, i, catalog),
      ...experimentScope(`capacity[${i}]`, experiment, suiteScope),
    })),
  };
}
