/**
 * The resolved suite (every default filled in, stored with the run) and the
 * cells it expands to. The runners' specs are built from these in run-cells.ts.
 */
import type { CapacitySearchState, CapacitySettings } from '../servers/capacity/search.ts';
import type { AdaptiveRule } from '../stats/precision.ts';
import type { CellEndpoint } from '../servers/driver/endpoints.ts';
import type { ServerEndpoint, SuiteOrder } from './schema.ts';

/** What every kind of experiment may narrow. */
interface ExperimentScope {
  /**
   * The suite's installed runtimes this experiment runs on, when it names a
   * subset (`runtimes:` on the experiment); absent (and in runs stored
   * before the key existed): every runtime of the suite.
   */
  runtimes?: string[];
}

/** What a batch or server experiment (whose cells repeat) may set for itself. */
interface RepeatedExperiment extends ExperimentScope {
  /** repetitions: auto — the most repetitions of each of its cells, when it sets its own; absent: the suite's. */
  maxRepetitions?: number;
}

export interface ResolvedBatchExperiment extends RepeatedExperiment {
  name: string;
  workload: string;
  /** Workload params with the workload's defaults filled in. */
  params: Record<string, number | string | boolean>;
  models: string[];
  /** Model axes (src/models/types.ts); a model only runs the values of the axes it declares. */
  concurrency: number[];
  /** null: each model's declared default. */
  threadsPerProcess: number[] | null;
  itemsPerTask: number[] | null;
  items: number;
  timeoutS: number;
  /** Gates on every cell, as written (each checked to parse). */
  thresholds: string[];
}

/** A request to a user's app as a suite resolves it (JSON, as the run stores it: a body file by its path). */
export interface ResolvedAppRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Absolute path; read when the cells are planned and run. */
  bodyFile?: string;
  weight: number;
  expect: { status: number; body?: string; bodyRegex?: string };
}

/** A user's app a server experiment serves, as the probe found it. */
export interface ResolvedServerApp {
  /** Absolute path of the module. */
  path: string;
  kind: 'fetch' | 'listener';
  from: string;
  requests: ResolvedAppRequest[];
}

export interface ResolvedServerExperiment extends RepeatedExperiment {
  name: string;
  architectures: string[];
  /** 'app' with `app`. */
  endpoint: CellEndpoint;
  /** The user's app served instead of the built-in contract; null: the contract. */
  app: ResolvedServerApp | null;
  /** Endpoint work parameters with defaults filled in. */
  params: { cpuIters: number; ioKeyIndex: number; spinIters: number };
  /** null: the architecture's default, resolved per architecture in the cells. */
  workers: number | null;
  threads: number | null;
  connections: number[];
  rates: number[];
  durationS: number;
  timeoutS: number;
  thresholds: string[];
}

export interface ResolvedCapacityExperiment extends ExperimentScope {
  name: string;
  architectures: string[];
  endpoint: ServerEndpoint;
  params: { cpuIters: number; ioKeyIndex: number; spinIters: number };
  workers: number | null;
  threads: number | null;
  /** The search: percentile, target, error limit, bounds (src/servers/capacity/search.ts). */
  settings: CapacitySettings;
  connections: number;
  durationS: number;
  timeoutS: number;
  thresholds: string[];
}

export interface ResolvedSuite {
  name: string;
  description: string;
  /** Where the suite came from: a file path or `builtin:quick`. */
  source: string;
  runtimes: string[];
  /** Runtimes named by the suite but not installed, skipped because skipMissingRuntimes was set. */
  skippedRuntimes: string[];
  /** Repetitions planned for every cell: the count, or with `adaptive` its minimum (more follow per cell). */
  repetitions: number;
  /** `repetitions: auto`: the rule extra repetitions follow; null: a fixed count. */
  adaptive: AdaptiveRule | null;
  /** The shortest measured window: batch groups are calibrated to it, server durations must reach it. */
  minWindowS: number;
  warmupS: number;
  order: SuiteOrder;
  seed: number;
  timeBudgetS: number | null;
  skipMissingRuntimes: boolean;
  batch: ResolvedBatchExperiment[];
  server: ResolvedServerExperiment[];
  /** Absent in runs stored before capacity experiments existed. */
  capacity?: ResolvedCapacityExperiment[];
}

export interface BatchCellPlan {
  kind: 'batch';
  cellKey: string;
  /** Human label for progress lines and tables. */
  label: string;
  runtime: string;
  workload: string;
  params: Record<string, number | string | boolean>;
  model: string;
  concurrency: number;
  threadsPerProcess: number;
  itemsPerTask: number;
  items: number;
  warmupS: number;
  /** The suite's minimum window: the group is calibrated to it (optional: runs stored before calibration lack it). */
  minWindowS?: number;
  timeoutMs: number;
  /** The experiment's gates; absent: none. */
  thresholds?: string[];
  /** The experiment's own most repetitions (repetitions: auto); absent: the suite's. */
  maxRepetitions?: number;
}

export interface ServerCellPlan {
  kind: 'server';
  cellKey: string;
  label: string;
  runtime: string;
  architecture: string;
  endpoint: CellEndpoint;
  /** The user's app the cell serves (endpoint 'app'); absent: the built-in contract. */
  app?: ResolvedServerApp;
  params: { cpuIters: number; ioKeyIndex: number; spinIters: number };
  /** As the architecture resolves them (single: 1 worker; threads 0 = work inline). */
  workers: number;
  threads: number;
  /** Connections the load is sent over (closed loop: the concurrency; open loop: spread the rate over). */
  connections: number;
  rateRps: number | null;
  durationS: number;
  warmupS: number;
  timeoutMs: number;
  thresholds?: string[];
  /** The experiment's own most repetitions (repetitions: auto); absent: the suite's. */
  maxRepetitions?: number;
  /** A step of a capacity search: where the search is and the step it plans (rateRps is that step's rate). */
  capacity?: CapacitySearchState;
}

export type CellPlan = BatchCellPlan | ServerCellPlan;

/** One step of a run: a cell and which repetition of it (the store keeps the ordered list). */
export type { PlannedStep as PlannedRep } from '../results/store.ts';
