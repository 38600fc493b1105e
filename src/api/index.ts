/**
 * The programmatic API of concurrency-lab: `import { … } from 'concurrency-lab'`.
 * These are the same functions the CLI's commands call (the commands only
 * parse flags, call them and print), so a script gets exactly what
 * `conlab batch`, `conlab bench-server` and `conlab load` measure.
 *
 * Plan first, then run: a plan function checks every value and resolves every
 * default (throwing a LabError with a LAB_E_* code for bad input) before any
 * process starts; the run function measures.
 */

// The batch lab: one workload over N items under concurrency models.
export { planBatch, BATCH_DEFAULTS, type BatchRequest, type BatchPlan } from '../batch/driver/plan.ts';
export { runBatch, type RunBatchOptions } from '../batch/driver/run-batch.ts';
export { renderBatchTable } from '../batch/driver/table.ts';

// The server lab: one endpoint, or a user's app (`app`, `requests`), under server architectures, driven by the load generator.
export {
  planServerBench,
  runServerBench,
  SERVER_BENCH_DEFAULTS,
  type ServerBenchRequest,
  type ServerBenchPlan,
  type ServerBenchHooks,
} from '../servers/driver/bench.ts';
export { renderServerTable } from '../servers/driver/table.ts';

// The load generator on its own, against any loopback URL (or a remote one with allowRemote).
export { runLoad, type LoadOptions, type LoadResult, type LoadHooks } from '../load/index.ts';
// One request of a mix (LoadOptions.mix, ServerBenchRequest.requests for a user's app).
export type { LoadRequest } from '../load/types.ts';

// Stored runs: what `conlab results`, `compare` and `report` read.
export { openStore as openResults, DEFAULT_STORE_PATH, type ResultStore } from '../results/store.ts';
export { mergeRepetitions } from '../results/merge.ts';

// Registries: what can be measured.
export { models } from '../models/registry.ts';
export { architectures } from '../servers/subject/arch/registry.ts';
export { workloads } from '../workloads/index.ts';
export { discoverRuntimes, resolveRuntime, type RuntimeSpec } from '../runtimes/registry.ts';

// Records and errors.
export type {
  BatchCell,
  ServerCell,
  ServerAppInfo,
  CellRecord,
  RunData,
  RunInfo,
  LatencySummaryUs,
  Verdict,
} from '../results/record.ts';
export { LabError, isLabError, ErrorCodes } from '../core/errors.ts';
export { conlabVersion } from '../core/version.ts';
