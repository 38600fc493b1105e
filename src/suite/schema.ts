/**
 * What a user may write in a suite file, as a zod schema. Every object is
 * strict: an unknown key is refused (a typo must never silently fall back
 * to a default and measure the wrong thing). Semantic checks that need the
 * registries (workload, model and architecture names) live in resolve.ts.
 */
import { z } from 'zod';
import { endpointNames, type EndpointName } from '../servers/driver/endpoints.ts';
import { latencyMetricNames } from '../stats/thresholds.ts';

const positiveInt = z.number().int().positive();
const scalar = z.union([z.number(), z.string(), z.boolean()]);
/** A single value or a list of them, so `concurrency: 2` and `concurrency: [1, 2]` both read naturally. */
const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]);

export const orderNames = ['interleaved', 'shuffled', 'sequential'] as const;
export type SuiteOrder = (typeof orderNames)[number];

/** The server lab's endpoints: one list, the one the load generator knows how to check. */
export type ServerEndpoint = EndpointName;

/** A subset of the suite's runtimes an experiment runs on (checked in resolve.ts); omitted: all of them. */
const experimentRuntimes = oneOrMany(z.string().min(1)).optional();
/** repetitions: auto — this experiment's own most repetitions of a cell (range checked in resolve.ts); omitted: the suite's. */
const experimentMaxRepetitions = z.number().int().optional();

/** Gates on every cell of an experiment (`p99<50ms`, `errors<0.1%`), checked after the run: crossed → exit 1. */
const thresholds = oneOrMany(z.string().min(1)).optional();

export const batchExperimentSchema = z.strictObject({
  /** A label for tables; defaults to the workload name. */
  name: z.string().min(1).optional(),
  workload: z.string().min(1),
  runtimes: experimentRuntimes,
  maxRepetitions: experimentMaxRepetitions,
  params: z.record(z.string(), scalar).optional(),
  models: oneOrMany(z.string().min(1)),
  /** Model axes: each model runs the values of the axes it declares (ranges checked per model in resolve.ts). */
  concurrency: oneOrMany(positiveInt.max(10_000)).optional(),
  threadsPerProcess: oneOrMany(positiveInt.max(1024)).optional(),
  itemsPerTask: oneOrMany(positiveInt.max(1_000_000)).optional(),
  items: positiveInt.max(10_000_000).optional(),
  timeoutS: z.number().positive().max(3600).optional(),
  thresholds,
});

/** One request sent to a user's app (server experiments with `app`): what to send, what a good reply is. */
export const appRequestSchema = z.strictObject({
  method: z.string().min(1).optional(),
  /** Path and query, starting with /. */
  path: z.string().startsWith('/'),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
  /** A file whose bytes are the body, relative to the suite file. */
  bodyFile: z.string().min(1).optional(),
  /** Share of the mix (weighted round-robin), default 1. */
  weight: positiveInt.max(1000).optional(),
  /** Default: status 2 (any 2xx). */
  expect: z
    .strictObject({
      status: z.number().int().min(1).max(599).optional(),
      body: z.string().optional(),
      bodyRegex: z.string().optional(),
    })
    .optional(),
});

export const serverExperimentSchema = z.strictObject({
  name: z.string().min(1).optional(),
  architectures: oneOrMany(z.string().min(1)),
  runtimes: experimentRuntimes,
  maxRepetitions: experimentMaxRepetitions,
  endpoint: z.enum(endpointNames).optional(),
  /** A user's app module (relative to the suite file) served instead of the built-in contract; no endpoint or params then. */
  app: z.string().min(1).optional(),
  /** What the load sends the app: one request or a weighted mix (default GET /, any 2xx). */
  requests: z.array(appRequestSchema).min(1).max(256).optional(),
  /** Work per request: SHA-256 chain length (cpu), key index (io), cpu.js iterations per TCP compute reply. */
  params: z
    .strictObject({
      cpuIters: positiveInt.max(10_000_000).optional(),
      ioKeyIndex: z.number().int().min(0).optional(),
      spinIters: positiveInt.max(1_000_000_000).optional(),
    })
    .optional(),
  /** Server event loops (processes or threads); omitted: the architecture's default (cores for multi-process ones). */
  workers: positiveInt.max(256).optional(),
  /** Worker threads for CPU work (offload, prefork); omitted: the architecture's default. */
  threads: positiveInt.max(64).optional(),
  /** Closed loop: connection counts. */
  connections: oneOrMany(positiveInt.max(10_000)).optional(),
  /** Open loop: request rates (req/s), sent over the largest connection count (default 32). */
  rates: oneOrMany(z.number().positive().max(1_000_000)).optional(),
  durationS: z.number().positive().max(3600).optional(),
  timeoutS: z.number().positive().max(3600).optional(),
  thresholds,
});

/**
 * A capacity search per architecture (and runtime): the highest open-loop
 * rate whose `percentile` stays under `targetMs` with errors under the limit
 * (src/servers/capacity). Its steps are server cells; they run once, not per
 * repetition, one step of each search in turn with the other cells.
 */
export const capacityExperimentSchema = z.strictObject({
  name: z.string().min(1).optional(),
  architectures: oneOrMany(z.string().min(1)),
  runtimes: experimentRuntimes,
  endpoint: z.enum(endpointNames).optional(),
  params: serverExperimentSchema.shape.params,
  workers: positiveInt.max(256).optional(),
  threads: positiveInt.max(64).optional(),
  /** The latency percentile the target is on (default p99). */
  percentile: z.enum(latencyMetricNames).optional(),
  targetMs: z.number().positive().max(3_600_000),
  /** The error rate a passing step may have, in % (default 0.1). */
  maxErrorRatePercent: z.number().min(0).max(100).optional(),
  /** The highest rate offered; given, the closed-loop probe is skipped. */
  maxRateRps: z.number().positive().max(10_000_000).optional(),
  maxSteps: positiveInt.min(2).max(100).optional(),
  timeBudgetS: z
    .number()
    .positive()
    .max(7 * 24 * 3600)
    .optional(),
  /** Bisecting stops when the interval is within this many % (default 5). */
  resolutionPercent: z.number().min(0.1).max(100).optional(),
  idleRps: z.number().positive().max(1_000_000).optional(),
  /** Connections every step's load is spread over (default 64). */
  connections: positiveInt.max(10_000).optional(),
  durationS: z.number().positive().max(3600).optional(),
  timeoutS: z.number().positive().max(3600).optional(),
  /** Checked per search: rps on the capacity found, the others on the step measured at it. */
  thresholds,
});

export const suiteSchema = z.strictObject({
  name: z.string().min(1).max(80),
  description: z.string().optional(),
  runtimes: oneOrMany(z.string().min(1)).optional(),
  /** A count, or `auto`: at least 3, then more until `precision` is reached (at most `maxRepetitions`). */
  repetitions: z.union([positiveInt.max(100), z.literal('auto')]).optional(),
  /** repetitions: auto — the target half-width of the 95% interval: `5%` (or the number 5). Range checked in resolve.ts. */
  precision: z.union([z.number(), z.string()]).optional(),
  /** repetitions: auto — the most repetitions of one cell. Range checked in resolve.ts. */
  maxRepetitions: z.number().int().optional(),
  /** The shortest measured window of a batch repetition (and the shortest server durationS), seconds. Range checked in resolve.ts. */
  minWindowS: z.number().optional(),
  /**
   * Load before each server cell's measured window. Batch subjects have no
   * timed warmup: their pools start and warm before the `ready` handshake,
   * and only run() is timed.
   */
  warmupS: z.number().min(0).max(600).optional(),
  order: z.enum(orderNames).optional(),
  /** Seed of the order shuffle; random (and recorded) when absent. */
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  /** The run stops (interrupted, resumable) once this many seconds have passed. */
  timeBudgetS: z
    .number()
    .positive()
    .max(7 * 24 * 3600)
    .optional(),
  /** Runtimes that are not installed are skipped instead of refusing the suite (the default lab uses this). */
  skipMissingRuntimes: z.boolean().optional(),
  batch: z.array(batchExperimentSchema).optional(),
  server: z.array(serverExperimentSchema).optional(),
  capacity: z.array(capacityExperimentSchema).optional(),
});

export type SuiteInput = z.infer<typeof suiteSchema>;
export type BatchExperimentInput = z.infer<typeof batchExperimentSchema>;
export type ServerExperimentInput = z.infer<typeof serverExperimentSchema>;
export type CapacityExperimentInput = z.infer<typeof capacityExperimentSchema>;
