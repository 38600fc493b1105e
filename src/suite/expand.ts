/**
 * The resolved suite → its cells (runtimes × experiments × models or
 * architectures × concurrency levels), each with a stable cellKey, and the
 * order in which their repetitions run.
 */
import { batchCellKey, resolveBatchSpec } from '../batch/spec.ts';
import type { ArchName } from '../servers/config.ts';
import { serverCellKey, type ServerCellSpec } from '../servers/driver/run-cell.ts';
import { resolveServerConfig } from '../servers/resolve.ts';
import { mulberry32 } from '../workloads/prng.ts';
import { defaultCatalog } from './catalog.ts';
import { suiteDefaults, type SuiteCatalog } from './resolve.ts';
import type { BatchCellPlan, CellPlan, PlannedRep, ResolvedSuite, ServerCellPlan } from './types.ts';

/**
 * Cell keys name the runtime by the name the suite uses (`node`, not
 * `node@24.21.0`), so that last week's run compares with today's after a
 * runtime update; the record keeps the exact version. Batch keys use the
 * batch lab's own key format (src/batch/spec.ts) so there is one format.
 */
export function batchKeyOf(
  cell: Omit<BatchCellPlan, 'cellKey' | 'label' | 'kind' | 'warmupS' | 'timeoutMs'>,
): string {
  return batchCellKey(resolveBatchSpec({ ...cell, repetitions: 1 }), cell.runtime);
}

function expandBatch(suite: ResolvedSuite, runtime: string, catalog: SuiteCatalog): BatchCellPlan[] {
  const cells: BatchCellPlan[] = [];
  for (const experiment of suite.batch) {
    for (const model of experiment.models) {
      // Sequential has no concurrency, and only hybrid has threads per process: collapse those axes.
      const levels = catalog.modelUsesConcurrency(model) ? experiment.concurrency : [1];
      const threads = model === 'hybrid' ? experiment.threadsPerProcess : [1];
      for (const concurrency of levels) {
        for (const threadsPerProcess of threads) {
          const base = {
            runtime,
            workload: experiment.workload,
            params: experiment.params,
            model,
            concurrency,
            threadsPerProcess,
            itemsPerTask: experiment.itemsPerTask,
            items: experiment.items,
          };
          const shape = model === 'hybrid' ? `${concurrency}x${threadsPerProcess}` : `${concurrency}`;
          cells.push({
            kind: 'batch',
            cellKey: batchKeyOf(base),
            label: `${runtime} ${experiment.name} ${model} c=${shape}`,
            warmupS: suite.warmupS,
            timeoutMs: experiment.timeoutS * 1000,
            ...base,
          });
        }
      }
    }
  }
  return cells;
}

/** The server runner's spec for a planned cell (one repetition). */
export function serverSpecOf(
  cell: Omit<ServerCellPlan, 'cellKey' | 'label' | 'kind' | 'timeoutMs'>,
): ServerCellSpec {
  return {
    arch: cell.architecture as ArchName,
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
  };
}

function expandServer(suite: ResolvedSuite, runtime: string): ServerCellPlan[] {
  const cells: ServerCellPlan[] = [];
  for (const experiment of suite.server) {
    const openLoopConnections = Math.max(suiteDefaults.serverConnections[0], ...experiment.connections);
    const loads = [
      ...experiment.connections.map((connections) => ({ connections, rateRps: null })),
      ...experiment.rates.map((rateRps) => ({ connections: openLoopConnections, rateRps })),
    ];
    const protocol = experiment.endpoint.startsWith('tcp-') ? 'tcp' : 'http';
    for (const architecture of experiment.architectures) {
      // The architecture decides what "workers" and "threads" mean (single: 1 worker); the cell records the real values.
      const config = resolveServerConfig({
        arch: architecture,
        ...(experiment.workers === null ? {} : { workers: experiment.workers }),
        ...(experiment.threads === null ? {} : { threads: experiment.threads }),
        tcp: protocol === 'tcp',
        ...(protocol === 'tcp' ? { mode: experiment.endpoint === 'tcp-echo' ? 'echo' : 'compute' } : {}),
        spinIters: experiment.params.spinIters,
      });
      for (const load of loads) {
        const base = {
          runtime,
          architecture,
          endpoint: experiment.endpoint,
          params: experiment.params,
          workers: config.workers,
          threads: config.threads,
          connections: load.connections,
          rateRps: load.rateRps,
          durationS: experiment.durationS,
          warmupS: suite.warmupS,
        };
        const loadLabel = load.rateRps === null ? `c=${load.connections}` : `${load.rateRps}rps`;
        cells.push({
          kind: 'server',
          cellKey: serverCellKey(serverSpecOf(base), config, runtime),
          label: `${runtime} ${experiment.endpoint} ${architecture} ${loadLabel}`,
          timeoutMs: experiment.timeoutS * 1000,
          ...base,
        });
      }
    }
  }
  return cells;
}

/** Every distinct cell of the suite, in declaration order (runtimes outermost). */
export function expandSuite(suite: ResolvedSuite, catalog: SuiteCatalog = defaultCatalog): CellPlan[] {
  const seen = new Set<string>();
  const cells: CellPlan[] = [];
  for (const runtime of suite.runtimes) {
    for (const cell of [...expandBatch(suite, runtime, catalog), ...expandServer(suite, runtime)]) {
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
  const keys = cells.map((cell) => cell.cellKey);
  const reps = Array.from({ length: suite.repetitions }, (_, r) => r);
  switch (suite.order) {
    case 'sequential':
      return keys.flatMap((cellKey) => reps.map((repetition) => ({ cellKey, repetition })));
    case 'shuffled':
      return shuffle(
        keys.flatMap((cellKey) => reps.map((repetition) => ({ cellKey, repetition }))),
        random,
      );
    case 'interleaved':
      return reps.flatMap((repetition) => shuffle(keys, random).map((cellKey) => ({ cellKey, repetition })));
  }
}
