/**
 * `conlab capacity` below the CLI: what the user asked → the checked
 * searches (one per architecture × runtime, every default filled in), then
 * every search's steps as one stored run (command `capacity`) through the
 * one step loop: each step is stored the moment it ends, and the next one
 * is added to the plan from what it measured. The searches' steps are
 * interleaved (one step of each in turn), as a suite interleaves cells, so
 * slow drift of a busy machine does not favour one architecture.
 */
import { ErrorCodes, LabError } from '../../core/errors.ts';
import { LOAD_LIMITS } from '../../load/options.ts';
import type { CellRecord } from '../../results/record.ts';
import { recordRun, type RecordedRun } from '../../results/record-run.ts';
import type { StepEvent } from '../../results/steps.ts';
import type { ResultStore } from '../../results/store.ts';
import { latencyMetricNames, type LatencyMetric } from '../../stats/thresholds.ts';
import { resolveRuntime, type RuntimeSpec } from '../../runtimes/registry.ts';
import { DEFAULT_ENDPOINT_PARAMS, parseEndpoint } from '../driver/endpoints.ts';
import type { ServerCellOptions, ServerCellSpec } from '../driver/run-cell.ts';
import { parseArchName } from '../resolve.ts';
import { baselineArchitecture } from '../subject/arch/registry.ts';
import {
  CAPACITY_SEARCH_DEFAULTS,
  startSearch,
  type CapacitySearchState,
  type CapacitySettings,
} from './search.ts';
import { failedStepRecord, runCapacityStep, searchKey, stateAfter, stepKey, stepLabel } from './steps.ts';
import { summarizeCapacity, type CapacitySummary } from './summary.ts';

/** What the user asked, parsed but not yet checked; absent = the default. */
export interface CapacityRequest {
  architectures?: string[];
  endpoint?: string;
  runtimes?: string[];
  percentile?: string;
  /** The target of the percentile, µs (required). */
  targetUs: number;
  maxErrorRate?: number;
  maxSteps?: number;
  timeBudgetS?: number | null;
  resolution?: number;
  idleRps?: number;
  maxRateRps?: number | null;
  connections?: number;
  durationS?: number;
  warmupS?: number;
  workers?: number;
  threads?: number;
  cpuIters?: number;
  spinIters?: number;
  loadThreads?: number;
}

export const CAPACITY_DEFAULTS = {
  ...CAPACITY_SEARCH_DEFAULTS,
  architectures: [baselineArchitecture.name],
  endpoint: 'hello',
  runtimes: ['node'],
  /** Enough that connections are never the limit below a few thousand req/s at tens of ms. */
  connections: 64,
  durationS: 3,
  warmupS: 1,
  loadThreads: 1,
} as const;

/** One search: a server (architecture, counts, endpoint, load shape) on a runtime, with its first step planned. */
export interface CapacitySearchPlan {
  /** The runtime by the name the user gave (cell keys use it, as suites do). */
  runtime: string;
  /** The search's server and load shape; each step sets its own rate. */
  spec: ServerCellSpec;
  state: CapacitySearchState;
}

export interface CapacityPlan {
  runtimes: RuntimeSpec[];
  settings: CapacitySettings;
  searches: CapacitySearchPlan[];
}

/** The cell the step loop runs: a step of one search. */
export interface CapacityStepCell extends CapacitySearchPlan {
  cellKey: string;
  label: string;
}

function bad(message: string, hint: string): LabError {
  return new LabError(ErrorCodes.BAD_PARAM, message, { hint });
}

/** `p99.9` → p999; anything else not a latency percentile → LAB_E_BAD_PARAM with the list. */
export function parsePercentileName(name: string): LatencyMetric {
  const normal = name.trim().toLowerCase() === 'p99.9' ? 'p999' : name.trim().toLowerCase();
  if ((latencyMetricNames as readonly string[]).includes(normal)) return normal as LatencyMetric;
  throw bad(
    `unknown metric '${name}' for a capacity target → allowed: ${latencyMetricNames.join(', ')} (p99.9 = p999)`,
    'e.g. --p99 50ms, or --percentile p999 --target 20ms',
  );
}

/** Every check that can be made before a server starts: a bad target, limit or name is refused here (exit 2). */
export function capacitySettings(request: CapacityRequest): CapacitySettings {
  const d = CAPACITY_DEFAULTS;
  if (!(request.targetUs > 0) || !Number.isFinite(request.targetUs)) {
    throw bad(
      `a capacity target must be a latency above 0 (got ${request.targetUs} µs)`,
      'e.g. --p99 50ms: the rate at which p99 stays under 50 ms',
    );
  }
  const maxRateRps = request.maxRateRps ?? null;
  const [, generatorMax] = LOAD_LIMITS.rateRps;
  if (maxRateRps !== null && !(maxRateRps > 0 && maxRateRps <= generatorMax)) {
    throw bad(
      `--max-rate ${maxRateRps} is beyond what the load generator can schedule (0 < rate ≤ ${generatorMax} req/s)`,
      'give a lower --max-rate, or none (the closed-loop probe then bounds the search)',
    );
  }
  const idleRps = request.idleRps ?? d.idleRps;
  return {
    percentile: parsePercentileName(request.percentile ?? d.percentile),
    targetUs: request.targetUs,
    maxErrorRate: request.maxErrorRate ?? d.maxErrorRate,
    maxSteps: request.maxSteps ?? d.maxSteps,
    timeBudgetS: request.timeBudgetS ?? d.timeBudgetS,
    resolution: request.resolution ?? d.resolution,
    growth: d.growth,
    idleRps,
    maxRateRps,
  };
}

export function planCapacity(request: CapacityRequest): CapacityPlan {
  const d = CAPACITY_DEFAULTS;
  const settings = capacitySettings(request);
  const architectures = (request.architectures ?? [...d.architectures]).map(parseArchName);
  if (architectures.length === 0) {
    throw new LabError(ErrorCodes.USAGE, '--arch needs at least one architecture', {
      hint: 'e.g. --arch single,cluster',
    });
  }
  const endpoint = parseEndpoint(request.endpoint ?? d.endpoint);
  const names = request.runtimes ?? [...d.runtimes];
  const runtimes = names.map((name) => resolveRuntime(name));
  const searches: CapacitySearchPlan[] = [];
  for (const [i, runtime] of names.entries()) {
    for (const arch of [...new Set(architectures)]) {
      const spec: ServerCellSpec = {
        arch,
        ...(request.workers === undefined ? {} : { workers: request.workers }),
        ...(request.threads === undefined ? {} : { threads: request.threads }),
        endpoint,
        connections: request.connections ?? d.connections,
        durationS: request.durationS ?? d.durationS,
        warmupS: request.warmupS ?? d.warmupS,
        reps: 1,
        loadThreads: request.loadThreads ?? d.loadThreads,
        endpointParams: {
          ...DEFAULT_ENDPOINT_PARAMS,
          cpuIters: request.cpuIters ?? DEFAULT_ENDPOINT_PARAMS.cpuIters,
        },
        ...(request.spinIters === undefined ? {} : { spinIters: request.spinIters }),
      };
      const label = runtimes[i]?.name ?? runtime;
      searches.push({ runtime: label, spec, state: startSearch(searchKey(spec, label, settings), settings) });
    }
  }
  return { runtimes, settings, searches };
}

export function stepCell(
  search: Omit<CapacitySearchPlan, 'state'>,
  state: CapacitySearchState,
): CapacityStepCell {
  return {
    runtime: search.runtime,
    spec: search.spec,
    state,
    cellKey: stepKey(search.spec, search.runtime, state),
    label: stepLabel(search.spec, search.runtime, state),
  };
}

/** The next step of a search after `record`, or nothing when the search ended at it. */
export function nextStepCell(cell: CapacityStepCell, record: CellRecord): CapacityStepCell | undefined {
  if (record.kind !== 'server' || record.capacity === undefined) return undefined;
  const state = stateAfter(cell.state, record.capacity);
  return state === null ? undefined : stepCell(cell, state);
}

export interface CapacityHooks {
  store: ResultStore;
  log?: (line: string) => void;
  onStep?: (event: StepEvent<CapacityStepCell>, record: CellRecord) => void;
  /** Each finished second of a step's measured window (live progress). */
  onSecond?: ServerCellOptions['onSecond'];
  stopRequested?: () => boolean;
}

export interface CapacityRun extends RecordedRun {
  summaries: CapacitySummary[];
}

export async function runCapacity(plan: CapacityPlan, hooks: CapacityHooks): Promise<CapacityRun> {
  const log = hooks.log ?? (() => undefined);
  const recorded = await recordRun<CapacityStepCell>({
    store: hooks.store,
    name: `capacity ${plan.settings.percentile}<${plan.settings.targetUs / 1000}ms`,
    command: 'capacity',
    settings: {
      settings: plan.settings,
      searches: plan.searches.map(({ runtime, spec, state }) => ({ runtime, spec, search: state.search })),
    },
    runtimeLabels: plan.runtimes.map((runtime) => runtime.label),
    cells: plan.searches.map((search) => stepCell(search, search.state)),
    execute: (cell) =>
      runCapacityStep(cell.spec, cell.runtime, cell.state, { log, onSecond: hooks.onSecond }),
    failedRecord: (cell, _repetition, reason) =>
      failedStepRecord(cell.spec, cell.runtime, cell.state, reason),
    estimateSeconds: (cell) => cell.spec.warmupS + cell.spec.durationS + 1,
    extend: (cell, record) => {
      const next = nextStepCell(cell, record);
      return next ? { cells: [next], steps: [{ cellKey: next.cellKey, repetition: 0 }] } : undefined;
    },
    ...(hooks.onStep ? { onEnd: hooks.onStep } : {}),
    ...(hooks.stopRequested ? { stopRequested: hooks.stopRequested } : {}),
  });
  return { ...recorded, summaries: summarizeCapacity(recorded.records) };
}
