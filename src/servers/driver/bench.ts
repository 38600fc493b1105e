/**
 * `conlab bench-server` below the CLI: what the user asked (architectures,
 * endpoints, load levels, ...) → the checked cells with every default filled
 * in (the server matrix), then each cell through runServerCell, runtime by
 * runtime. The command only parses flags into a ServerBenchRequest and prints.
 */
import { ErrorCodes, LabError } from '../../core/errors.ts';
import type { LoadRequest } from '../../load/types.ts';
import { expandMatrix } from '../../core/matrix.ts';
import type { ServerCell } from '../../results/record.ts';
import { resolveRuntime, type RuntimeSpec } from '../../runtimes/registry.ts';
import { expandServerMatrix, type ServerLoad, type ServerMatrixCell } from '../matrix.ts';
import { parseArchName, resolveServerConfig } from '../resolve.ts';
import { baselineArchitecture } from '../subject/arch/registry.ts';
import { checkApp, resolveAppPath } from './app-check.ts';
import { checkRequests, DEFAULT_APP_REQUEST, type ServerApp } from './app-requests.ts';
import { APP_ENDPOINT, DEFAULT_ENDPOINT_PARAMS, parseEndpoint, type CellEndpoint } from './endpoints.ts';
import { runServerCell, type ServerCellOptions } from './run-cell.ts';

/** What the user asked, parsed but not yet checked; absent = the default below. */
export interface ServerBenchRequest {
  architectures?: string[];
  endpoints?: string[];
  /** Closed loop connection counts; with rates, the one count the rate is spread over. */
  connections?: number[];
  /** Open loop request rates (req/s) instead of closed loop. */
  rates?: number[];
  durationS?: number;
  warmupS?: number;
  workers?: number;
  threads?: number;
  runtimes?: string[];
  reps?: number;
  cpuIters?: number;
  spinIters?: number;
  loadThreads?: number;
  /** Bind address of the servers (default 127.0.0.1); the load goes to the address they bind. */
  host?: string;
  /** A user's app module to serve instead of the built-in contract (relative to appBaseDir, default the working directory). */
  app?: string;
  appBaseDir?: string;
  /** What the load sends the app: one request or a weighted mix (default GET /, any 2xx). */
  requests?: LoadRequest[];
}

export const SERVER_BENCH_DEFAULTS = {
  architectures: [baselineArchitecture.name],
  endpoints: ['hello'],
  connections: [10],
  durationS: 5,
  warmupS: 1,
  runtimes: ['node'],
  reps: 1,
  cpuIters: DEFAULT_ENDPOINT_PARAMS.cpuIters,
  loadThreads: 1,
} as const;

export interface ServerBenchPlan {
  runtimes: RuntimeSpec[];
  /** The user's app every cell serves, as the probe found it (absent: the built-in contract). */
  app?: ServerApp;
  /** The same cells on every runtime, in run order. */
  cells: ServerMatrixCell[];
  /** Bind address of every server, checked; absent = the default (127.0.0.1). */
  host?: string;
}

function loadLevels(request: ServerBenchRequest): ServerLoad[] {
  const connections = request.connections ?? [...SERVER_BENCH_DEFAULTS.connections];
  const rates = request.rates ?? [];
  if (rates.length === 0) return connections.map((c) => ({ connections: c, rateRps: null }));
  if (connections.length > 1) {
    throw new LabError(
      ErrorCodes.USAGE,
      '--rate takes one --connections value (the connections the rate is spread over)',
      { hint: 'e.g. --rate 100,200 --connections 50' },
    );
  }
  const over = connections[0] ?? SERVER_BENCH_DEFAULTS.connections[0];
  return rates.map((rateRps) => ({ connections: over, rateRps }));
}

/** Every cell and runtime of the request; throws LabError for any bad value, before any server starts. */
export function planServerBench(request: ServerBenchRequest): ServerBenchPlan {
  const architectures = (request.architectures ?? [...SERVER_BENCH_DEFAULTS.architectures]).map(
    parseArchName,
  );
  const runtimes = (request.runtimes ?? [...SERVER_BENCH_DEFAULTS.runtimes]).map((name) =>
    resolveRuntime(name),
  );
  const app = planApp(request, runtimes);
  const endpoints: CellEndpoint[] = app
    ? [APP_ENDPOINT]
    : (request.endpoints ?? [...SERVER_BENCH_DEFAULTS.endpoints]).map(parseEndpoint);
  if (architectures.length === 0 || endpoints.length === 0) {
    throw new LabError(ErrorCodes.USAGE, '--arch and --endpoint need at least one name', {
      hint: 'e.g. --arch single,cluster --endpoint cpu',
    });
  }
  const cells = expandServerMatrix({
    architectures,
    endpoints,
    loads: loadLevels(request),
    workers: request.workers,
    threads: request.threads,
    durationS: request.durationS ?? SERVER_BENCH_DEFAULTS.durationS,
    warmupS: request.warmupS ?? SERVER_BENCH_DEFAULTS.warmupS,
    reps: request.reps ?? SERVER_BENCH_DEFAULTS.reps,
    loadThreads: request.loadThreads ?? SERVER_BENCH_DEFAULTS.loadThreads,
    endpointParams: {
      ...DEFAULT_ENDPOINT_PARAMS,
      cpuIters: request.cpuIters ?? SERVER_BENCH_DEFAULTS.cpuIters,
    },
    spinIters: request.spinIters,
    app,
  });
  const host = request.host === undefined ? undefined : resolveServerConfig({ host: request.host }).host;
  return { runtimes, cells, ...(host === undefined ? {} : { host }), ...(app ? { app } : {}) };
}

/**
 * The app, checked under every runtime that will serve it (a module that
 * loads on Bun but not on Node is refused here, before any server starts);
 * undefined when the request names none.
 */
function planApp(request: ServerBenchRequest, runtimes: RuntimeSpec[]): ServerApp | undefined {
  if (request.app === undefined) {
    if (request.requests !== undefined) {
      throw new LabError(ErrorCodes.USAGE, '--request names what to send to your app; it needs --app', {
        hint: 'add --app ./app.ts, or measure the built-in contract with --endpoint',
      });
    }
    return undefined;
  }
  if (request.endpoints !== undefined) {
    throw new LabError(
      ErrorCodes.USAGE,
      '--endpoint measures the built-in contract; with --app, say what to send with --request',
      {
        hint: "e.g. --app ./app.ts --request 'GET /hello'",
      },
    );
  }
  const requests = request.requests ?? [DEFAULT_APP_REQUEST];
  checkRequests(requests);
  const path = resolveAppPath(request.app, '--app', request.appBaseDir);
  const [ref] = runtimes.map((runtime) => checkApp(path, runtime));
  if (ref === undefined) {
    throw new LabError(ErrorCodes.USAGE, '--runtime names no runtime to serve the app', {
      hint: 'e.g. --runtime node,bun',
    });
  }
  return { ref, requests };
}

export interface ServerBenchHooks {
  /** Progress lines (which cell, repetition, what is happening). */
  log?: (line: string) => void;
  /** Each cell as it ends. */
  onCell?: (cell: ServerCell) => void;
  /** Each finished second of a cell's measured window (live progress). */
  onSecond?: ServerCellOptions['onSecond'];
}

/** Runs every cell on every runtime, one at a time (cells never overlap: they would measure each other). */
export async function runServerBench(
  plan: ServerBenchPlan,
  hooks: ServerBenchHooks = {},
): Promise<ServerCell[]> {
  const results: ServerCell[] = [];
  for (const { runtime, cell } of expandMatrix({ runtime: plan.runtimes, cell: plan.cells })) {
    const spec = plan.host === undefined ? cell.spec : { ...cell.spec, host: plan.host };
    const result = await runServerCell(spec, runtime, {
      log: hooks.log ?? (() => undefined),
      onSecond: hooks.onSecond,
    });
    results.push(result);
    hooks.onCell?.(result);
  }
  return results;
}
