/**
 * The server lab's matrix: endpoints × architectures × load levels →
 * cells, each with the server config its architecture resolves to (the
 * registry decides what --workers and --threads mean for it: single runs 1
 * worker whatever is asked). Used by suites (src/suite/expand.ts) and
 * `conlab bench-server`, so both expand the same way; duplicates are dropped.
 */
import { expandMatrix, uniqueBy } from '../core/matrix.ts';
import type { ServerConfig } from './config.ts';
import type { ServerApp } from './driver/app-requests.ts';
import type { CellEndpoint, EndpointParams } from './driver/endpoints.ts';
import { serverCellKey, type ServerCellSpec } from './driver/run-cell.ts';
import { resolveCellServerConfig } from './resolve.ts';

/** One load level: closed loop over `connections`, or open loop at `rateRps` spread over them. */
export interface ServerLoad {
  connections: number;
  rateRps: number | null;
}

export interface ServerMatrix {
  architectures: readonly string[];
  /** ['app'] with `app`. */
  endpoints: readonly CellEndpoint[];
  /** A user's app every cell serves, and the requests its load sends. */
  app?: ServerApp | undefined;
  loads: readonly ServerLoad[];
  /** Omitted: each architecture's declared default. */
  workers?: number | undefined;
  threads?: number | undefined;
  durationS: number;
  warmupS: number;
  reps: number;
  loadThreads?: number | undefined;
  endpointParams: EndpointParams;
  spinIters?: number | undefined;
}

export interface ServerMatrixCell {
  spec: ServerCellSpec;
  /** The server as its architecture resolves it (the cell records the real workers and threads). */
  config: ServerConfig;
}

/** Every distinct cell, endpoint outermost, then architecture, then load level. */
export function expandServerMatrix(matrix: ServerMatrix): ServerMatrixCell[] {
  const cells = expandMatrix({
    endpoint: matrix.endpoints,
    arch: matrix.architectures,
    load: matrix.loads,
  }).map(({ endpoint, arch, load }) => {
    const config = resolveCellServerConfig({
      arch,
      workers: matrix.workers,
      threads: matrix.threads,
      endpoint,
      spinIters: matrix.spinIters,
      app: matrix.app,
    });
    const spec: ServerCellSpec = {
      arch: config.arch,
      workers: config.workers,
      threads: config.threads,
      endpoint,
      connections: load.connections,
      ...(load.rateRps === null ? {} : { rateRps: load.rateRps }),
      durationS: matrix.durationS,
      warmupS: matrix.warmupS,
      reps: matrix.reps,
      ...(matrix.loadThreads === undefined ? {} : { loadThreads: matrix.loadThreads }),
      endpointParams: matrix.endpointParams,
      spinIters: config.spinIters,
      ...(matrix.app ? { app: matrix.app } : {}),
    };
    return { spec, config };
  });
  return uniqueBy(cells, (cell) => serverCellKey(cell.spec, cell.config, ''));
}
