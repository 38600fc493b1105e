/**
 * The resolved suite → its cells (runtimes × experiments × models or
 * architectures × concurrency levels), each with a stable cellKey, and the
 * order in which their repetitions run.
 */
import { expandBatchMatrix } from '../batch/matrix.ts';
import { batchCellKey } from '../batch/spec.ts';
import { modelVaries } from '../models/registry.ts';
import { expandServerMatrix, type ServerLoad } from '../servers/matrix.ts';
import type { ServerConfig } from '../servers/config.ts';
import { serverCellKey, type ServerCellSpec } from '../servers/driver/run-cell.ts';
import { startSearch, type CapacitySearchState } from '../servers/capacity/search.ts';
import { searchKey, stepKey, stepLabel } from '../servers/capacity/steps.ts';
import { mulberry32 } from '../workloads/prng.ts';
import type { AdaptiveRule } from '../stats/precision.ts';
import { serverAppOf } from './app.ts';
import { suiteDefaults } from './resolve.ts';
import type {
  BatchCellPlan,
  CellPlan,
  PlannedRep,
  ResolvedServerExperiment,
  ResolvedSuite,
  ServerCellPlan,
} from './types.ts';

/**
 * Cell keys name the runtime by the name the suite uses (`node`, not
 * `node@24.21.0`), so that last week's run compares with today's after a
 * runtime update; the record keeps the exact version. Batch keys use the
 * batch lab's own key format (src/batch/spec.ts) so there is one format.
 */
function expandBatch(suite: ResolvedSuite, runtime: string): BatchCellPlan[] {
  return suite.batch.flatMap((experiment) =>
    // The batch lab's matrix decides which axes apply to which model (its registry declares them).
    expandBatchMatrix([
      {
        workload: experiment.workload,
        params: experiment.params,
        models: experiment.models,
        axes: {
          concurrency: experiment.concurrency,
          ...(experiment.threadsPerProcess === null
            ? {}
            : { threadsPerProcess: experiment.threadsPerProcess }),
          ...(experiment.itemsPerTask === null ? {} : { itemsPerTask: experiment.itemsPerTask }),
        },
        items: experiment.items,
      },
    ]).map((spec): BatchCellPlan => {
      const shape = modelVaries(spec.model, 'threadsPerProcess')
        ? `${spec.concurrency}x${spec.threadsPerProcess}`
        : `${spec.concurrency}`;
      return {
        kind: 'batch',
        cellKey: batchCellKey(spec, runtime),
        label: `${runtime} ${experiment.name} ${spec.model} c=${shape}`,
        warmupS: suite.warmupS,
        minWindowS: suite.minWindowS,
        timeoutMs: experiment.timeoutS * 1000,
        runtime,
        workload: spec.workload,
        params: experiment.params,
        model: spec.model,
        concurrency: spec.concurrency,
        threadsPerProcess: spec.threadsPerProcess,
        itemsPerTask: spec.itemsPerTask,
        items: spec.items,
        ...gates(experiment.thresholds),
        ...ownMaximum(experiment),
      };
    }),
  );
}

/** Gates travel with the cell only when there are some, so cells without them look as they always did. */
function gates(thresholds: readonly string[]): { thresholds?: string[] } {
  return thresholds.length > 0 ? { thresholds: [...thresholds] } : {};
}

/** The experiment's own maximum of adaptive repetitions, when it sets one. */
function ownMaximum(experiment: { maxRepetitions?: number }): { maxRepetitions?: number } {
  return experiment.maxRepetitions === undefined ? {} : { maxRepetitions: experiment.maxRepetitions };
}

/** The server runner's spec for a planned cell (one repetition). */
export function serverSpecOf(
  cell: Omit<ServerCellPlan, 'cellKey' | 'label' | 'kind' | 'timeoutMs'>,
): ServerCellSpec {
  return {
    arch: cell.architecture,
    workers: cell.workers,
    threads: cell.threads,
    endpoint: cell.endpoint,
    connections: cell.connections,
    ...(cell.rateRps === null ? {} : { rateRps: cell.rateRps }),
    durationS: cell.durationS,
    warmupS: cell.warmupS,
    reps: 1,
    endpointParams: { cpuIters: cell.params.cpuIters, ioKeyIndex: cell.params.ioKeyIndex },
    spinIters: cell.params.spinIters,
    ...(cell.app === undefined ? {} : { app: serverAppOf(cell.app) }),
  };
}

type ServerLikeExperiment = Pick<
  ResolvedServerExperiment,
  'architectures' | 'endpoint' | 'params' | 'workers' | 'threads' | 'durationS' | 'timeoutS' | 'thresholds'
> &
  Partial<Pick<ResolvedServerExperiment, 'app' | 'maxRepetitions'>>;

/** A planned server cell without what its load level names: key, label, rate (and a capacity state). */
type ServerPlanBase = Omit<ServerCellPlan, 'cellKey' | 'label' | 'rateRps' | 'capacity'>;

/**
 * An experiment's cells through the server lab's matrix (the architecture
 * decides what "workers" and "threads" mean: single runs 1 worker), each
 * with its spec, its resolved server config and its plan so far.
 */
function serverCells(
  suite: ResolvedSuite,
  runtime: string,
  experiment: ServerLikeExperiment,
  loads: ServerLoad[],
): { spec: ServerCellSpec; config: ServerConfig; base: ServerPlanBase }[] {
  return expandServerMatrix({
    architectures: experiment.architectures,
    endpoints: [experiment.endpoint],
    app: experiment.app ? serverAppOf(experiment.app) : undefined,
    loads,
    workers: experiment.workers ?? undefined,
    threads: experiment.threads ?? undefined,
    durationS: experiment.durationS,
    warmupS: suite.warmupS,
    reps: 1,
    endpointParams: { cpuIters: experiment.params.cpuIters, ioKeyIndex: experiment.params.ioKeyIndex },
    spinIters: experiment.params.spinIters,
  }).map(({ spec, config }) => ({
    spec,
    config,
    base: {
      kind: 'server',
      timeoutMs: experiment.timeoutS * 1000,
      runtime,
      architecture: config.arch,
      endpoint: experiment.endpoint,
      ...(experiment.app ? { app: experiment.app } : {}),
      params: experiment.params,
      workers: config.workers,
      threads: config.threads,
      connections: spec.connections,
      durationS: experiment.durationS,
      warmupS: suite.warmupS,
      ...gates(experiment.thresholds),
      ...ownMaximum(experiment),
    },
  }));
}

function expandServer(suite: ResolvedSuite, runtime: string): ServerCellPlan[] {
  return suite.server.flatMap((experiment) => {
    const openLoopConnections = Math.max(suiteDefaults.serverConnections[0], ...experiment.connections);
    const loads = [
      ...experiment.connections.map((connections) => ({ connections, rateRps: null })),
      ...experiment.rates.map((rateRps) => ({ connections: openLoopConnections, rateRps })),
    ];
    return serverCells(suite, runtime, experiment, loads).map(({ spec, config, base }): ServerCellPlan => {
      const loadLabel = spec.rateRps === undefined ? `c=${spec.connections}` : `${spec.rateRps}rps`;
      return {
        ...base,
        cellKey: serverCellKey(spec, config, runtime),
        label: `${runtime} ${experiment.app ? experiment.name : experiment.endpoint} ${config.arch} ${loadLabel}`,
        rateRps: spec.rateRps ?? null,
      };
    });
  });
}

/** A capacity step as a planned server cell: the search's server at the rate its state plans. */
export function capacityStepPlan(first: ServerPlanBase, state: CapacitySearchState): ServerCellPlan {
  const spec = serverSpecOf({ ...first, rateRps: null });
  return {
    ...first,
    cellKey: stepKey(spec, first.runtime, state),
    label: stepLabel(spec, first.runtime, state),
    rateRps: state.next.rateRps,
    capacity: state,
  };
}

/** Each capacity experiment's searches (one per architecture), as the first step of each. */
function expandCapacity(suite: ResolvedSuite, runtime: string): ServerCellPlan[] {
  return (suite.capacity ?? []).flatMap((experiment) =>
    serverCells(suite, runtime, experiment, [{ connections: experiment.connections, rateRps: null }]).map(
      ({ spec, base }) =>
        capacityStepPlan(
          base,
          startSearch(searchKey(spec, runtime, experiment.settings), experiment.settings),
        ),
    ),
  );
}

/** Whether an experiment runs on this runtime: every one of the suite's, unless it names a subset. */
const runsOn = (experiment: { runtimes?: string[] }, runtime: string): boolean =>
  experiment.runtimes === undefined || experiment.runtimes.includes(runtime);

/** The suite as one runtime sees it: only the experiments that run on it. */
function onRuntime(suite: ResolvedSuite, runtime: string): ResolvedSuite {
  return {
    ...suite,
    batch: suite.batch.filter((experiment) => runsOn(experiment, runtime)),
    server: suite.server.filter((experiment) => runsOn(experiment, runtime)),
    capacity: (suite.capacity ?? []).filter((experiment) => runsOn(experiment, runtime)),
  };
}

/** Every distinct cell of the suite, in declaration order (runtimes outermost). */
export function expandSuite(suite: ResolvedSuite): CellPlan[] {
  const seen = new Set<string>();
  const cells: CellPlan[] = [];
  for (const runtime of suite.runtimes) {
    const here = onRuntime(suite, runtime);
    for (const cell of [
      ...expandBatch(here, runtime),
      ...expandServer(here, runtime),
      ...expandCapacity(here, runtime),
    ]) {
      if (seen.has(cell.cellKey)) continue;
      seen.add(cell.cellKey);
      cells.push(cell);
    }
  }
  return cells;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * The order of the run. `interleaved` (default): round r runs repetition r
 * of every cell, each round in its own shuffled order, so slow drift of a
 * noisy machine spreads over all cells instead of favouring the ones that
 * ran first. `shuffled`: one random order of every (cell, repetition).
 * `sequential`: declaration order, repetitions back to back (easiest to
 * follow, least fair).
 */
export function planOrder(suite: ResolvedSuite, cells: readonly CellPlan[]): PlannedRep[] {
  const random = mulberry32(suite.seed);
  // A capacity search runs once: its first step is planned in round 0, and each step plans the next.
  const once = new Set(
    cells.filter((cell) => cell.kind === 'server' && cell.capacity).map((cell) => cell.cellKey),
  );
  const keysOf = (repetition: number) =>
    cells.map((cell) => cell.cellKey).filter((cellKey) => repetition === 0 || !once.has(cellKey));
  const reps = Array.from({ length: suite.repetitions }, (_, r) => r);
  const steps = (cellKey: string) =>
    reps
      .filter((repetition) => repetition === 0 || !once.has(cellKey))
      .map((repetition) => ({ cellKey, repetition }));
  switch (suite.order) {
    case 'sequential':
      return keysOf(0).flatMap(steps);
    case 'shuffled':
      return shuffle(keysOf(0).flatMap(steps), random);
    case 'interleaved':
      return reps.flatMap((repetition) =>
        shuffle(keysOf(repetition), random).map((cellKey) => ({ cellKey, repetition })),
      );
  }
}

/**
 * The order of one extra round of adaptive repetitions (`repetitions:
 * auto`; round 0 is the first after the planned ones), over the cells that
 * still want one: `interleaved` and `shuffled` shuffle each round with its
 * own seeded stream (so a resume replays it), `sequential` keeps
 * declaration order.
 */
export function extraRoundOrder(suite: ResolvedSuite, cellKeys: readonly string[], round: number): string[] {
  if (suite.order === 'sequential') return [...cellKeys];
  // A stream per round, apart from planOrder's (which uses the seed itself).
  return shuffle([...cellKeys], mulberry32((suite.seed + 0x9e3779b9 * (round + 1)) >>> 0));
}

/** A cell's adaptive rule: the suite's, with its experiment's own maximum when it sets one. */
export function cellRule(rule: AdaptiveRule, cell: CellPlan): AdaptiveRule {
  return cell.maxRepetitions === undefined ? rule : { ...rule, maxRepetitions: cell.maxRepetitions };
}
