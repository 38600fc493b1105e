/**
 * The one server-cell runner, for `conlab bench-server`, suites and the seed
 * presets: per repetition a fresh server process group → its ready message →
 * every endpoint verified → one load run (warm-up first, then the measured
 * window; every reply verified) while the monitor samples the server's tree
 * and every event loop of the server probes itself → who served (/whoami,
 * after the window or during the load) → stop → nothing left, and a clean
 * exit. runServerCell never throws for a cell problem: it returns status
 * failed (with the reason) or skipped ("unsupported on RUNTIME@VERSION (...)").
 */
import { performance } from 'node:perf_hooks';
import { errorText } from '../../core/errors.ts';
import { connectAddress, hostForUrl } from '../../core/net-address.ts';
import { runLoad } from '../../load/index.ts';
import type { LoadOptions, LoadResult, TimelinePoint } from '../../load/types.ts';
import { startMonitor } from '../../monitor/index.ts';
import type { MonitorReport } from '../../monitor/types.ts';
// One set of verdict rules and thresholds for every lab (the monitor engineer's, with their reasons).
import { cellVerdicts } from '../../monitor/verdicts.ts';
import type { ServerCell, Verdict } from '../../results/record.ts';
import { resolveRuntime, type RuntimeSpec } from '../../runtimes/registry.ts';
import { mean, stdev } from '../../stats/descriptive.ts';
import type { ArchName, ServerConfig } from '../config.ts';
import { resolveCellServerConfig } from '../resolve.ts';
import { appKeyPart, describeRequests, verifyAppServer, type ServerApp } from './app-requests.ts';
import {
  APP_ENDPOINT,
  DEFAULT_ENDPOINT_PARAMS,
  endpointProtocol,
  requestSpec,
  type CellEndpoint,
  type EndpointParams,
} from './endpoints.ts';
import type { ExitStatus } from '../../core/subject/launcher.ts';
import { launchServer, type LaunchedServer } from './launch.ts';
import { emptyServerCell } from './record.ts';
import { sampleServedBy, startServedBySampler, type ServedBy } from './served-by.ts';
import { verifyHttpServer, verifyTcpServer } from './verify.ts';
import { loadWindowOffsetMs, measuredServerUsage } from './window.ts';

export interface ServerCellSpec {
  arch: ArchName;
  /** Omitted: the architecture's default (cores for multi-process ones). */
  workers?: number;
  threads?: number;
  /** 'app' when the cell serves `app`. */
  endpoint: CellEndpoint;
  /** A user's app served instead of the built-in contract, and the requests (one or a mix) the load sends it. */
  app?: ServerApp;
  /** Closed loop connections; for open loop, the connections the rate is spread over. */
  connections: number;
  /** Open loop target rate; omitted = closed loop. */
  rateRps?: number;
  durationS: number;
  warmupS: number;
  /** Each repetition is a fresh server process. */
  reps: number;
  /** Load-generator threads, default 1. */
  loadThreads?: number;
  endpointParams?: Partial<EndpointParams>;
  /** cpu.js iterations per TCP compute reply. */
  spinIters?: number;
  /** Per-request timeout of the load, default 10 s. */
  timeoutMs?: number;
  /** Bind address of the server (default 127.0.0.1). */
  host?: string;
  /** TCP: a new connection for every request, as seed 000's client does (default: persistent connections). */
  connectionPerRequest?: boolean;
  /**
   * HTTP: ask /whoami (one at a time, new connections) while the load runs,
   * as seed 004 counts who served under load; default: a burst of 8 × workers
   * samples after the measured window.
   */
  servedByDuringLoad?: boolean;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export interface ServerCellOptions {
  log?: (line: string) => void;
  startTimeoutMs?: number;
  /** Each finished second of the measured window as it arrives (live progress; no work per request). */
  onSecond?: (point: TimelinePoint) => void;
}

interface RepOutcome {
  load: LoadResult;
  monitor: MonitorReport;
  /** Where the measured load window (the timeline's t=0) starts in the monitor window. */
  measuredOffsetMs: number;
  /** Server tree CPU (% of one core) and peak RSS inside the measured window. */
  serverCpuPercent: number;
  serverPeakRssBytes: number;
  servedBy: ServedBy;
  pids: number[];
  /** The listener that served a user's app (the server's ready message). */
  front: string | undefined;
  /** Serving units and pool threads that died during the repetition and were replaced (the server's own count). */
  unitRestarts: number;
  poolThreadRestarts: number;
}

export function serverCellKey(spec: ServerCellSpec, config: ServerConfig, runtimeLabel: string): string {
  const load = spec.rateRps === undefined ? `c${spec.connections}` : `r${spec.rateRps}c${spec.connections}`;
  const params = { ...DEFAULT_ENDPOINT_PARAMS, ...spec.endpointParams };
  const work =
    spec.endpoint === 'cpu'
      ? `i${params.cpuIters}`
      : spec.endpoint === 'tcp-compute'
        ? `s${config.spinIters}`
        : '';
  const what = spec.app ? appKeyPart(spec.app) : `${spec.endpoint}${work}`;
  // Only what changes the measurement is in the key; the suite sets neither option, so its keys stay as they were.
  const shape = `${spec.connectionPerRequest ? '|new-conn' : ''}${spec.servedByDuringLoad ? '|whoami-live' : ''}`;
  return `server|${config.arch}|w${config.workers}|t${config.threads}|${what}|${load}${shape}|d${spec.durationS}|${runtimeLabel}`;
}

/**
 * One repetition's verdicts: the monitor's rules (machine-busy,
 * monitor-unavailable) and client-saturated from the load generator's own
 * thread figures, with the monitor's threshold — the load's own
 * client-saturated warning is dropped so that one rule decides. The load's
 * schedule-drift has no counterpart there and is kept.
 */
function repetitionVerdicts(outcome: RepOutcome): Verdict[] {
  const { load } = outcome;
  return [
    ...(outcome.unitRestarts + outcome.poolThreadRestarts > 0 ? ['unit-restarted' as const] : []),
    ...load.warnings.filter((warning) => warning !== 'client-saturated'),
    ...cellVerdicts({
      monitor: outcome.monitor,
      clientThreads: Math.max(1, load.threads.length),
      clientCpuPercent: load.clientCpuPercent,
      clientEventLoopUtilization: load.threads.flatMap((thread) =>
        thread.eventLoopUtilization === undefined ? [] : [thread.eventLoopUtilization],
      ),
      clientThreadCpu: load.threads.flatMap(({ cpuPercent, runQueueWaitPercent }) =>
        runQueueWaitPercent === undefined ? [] : [{ cpuPercent, runQueueWaitPercent }],
      ),
    }),
  ];
}

export async function runServerCell(
  spec: ServerCellSpec,
  runtimeInput: RuntimeSpec | string,
  options: ServerCellOptions = {},
): Promise<ServerCell> {
  const startedAt = new Date().toISOString();
  const log = options.log ?? (() => undefined);
  const params = { ...DEFAULT_ENDPOINT_PARAMS, ...spec.endpointParams };
  let runtime: RuntimeSpec | null = null;
  let config: ServerConfig | null = null;
  const base = (): ServerCell => ({
    ...emptyServerCell(
      {
        architecture: spec.arch,
        workers: config?.workers ?? spec.workers ?? 1,
        threads: config?.threads ?? spec.threads ?? 0,
        endpoint: spec.endpoint,
        connections: spec.connections,
        rateRps: spec.rateRps ?? null,
        durationS: spec.durationS,
      },
      config && runtime ? serverCellKey(spec, config, runtime.label) : `server|${spec.arch}|${spec.endpoint}`,
      runtime?.label ?? String(typeof runtimeInput === 'string' ? runtimeInput : runtimeInput.label),
      startedAt,
    ),
    serverParams: config
      ? {
          ...config,
          endpoint: params,
          loadThreads: spec.loadThreads ?? 1,
          warmupS: spec.warmupS,
          reps: spec.reps,
          timeoutMs: spec.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          connectionPerRequest: spec.connectionPerRequest ?? false,
          servedByDuringLoad: spec.servedByDuringLoad ?? false,
        }
      : {},
    ...(spec.app ? { app: { ...spec.app.ref, requests: describeRequests(spec.app.requests) } } : {}),
  });
  try {
    runtime = typeof runtimeInput === 'string' ? resolveRuntime(runtimeInput) : runtimeInput;
    config = resolveCellServerConfig(spec);
  } catch (error) {
    return { ...base(), status: 'failed', reason: errorText(error) };
  }
  const outcomes: RepOutcome[] = [];
  for (let rep = 0; rep < spec.reps; rep++) {
    log(`${spec.arch} ${spec.endpoint} on ${runtime.label}: repetition ${rep + 1}/${spec.reps}`);
    const result = await runRepetition(spec, runtime, config, params, options);
    if (result.kind === 'skipped') return { ...base(), status: 'skipped', reason: result.reason };
    if (result.kind === 'failed') {
      return {
        ...base(),
        status: 'failed',
        reason: `repetition ${rep + 1}: ${result.reason}`,
        repetitions: [],
      };
    }
    outcomes.push(result.outcome);
  }
  const last = outcomes[outcomes.length - 1];
  if (!last) return { ...base(), status: 'failed', reason: 'no repetitions ran (--reps must be at least 1)' };
  const rpsPerRep = outcomes.map((o) => o.load.rps);
  // A verdict of any repetition qualifies the cell; noisy and underpowered are about the cell as shown.
  const verdicts = new Set<Verdict>(outcomes.flatMap(repetitionVerdicts));
  const shown = cellVerdicts({
    monitor: last.monitor,
    repetitionValues: rpsPerRep,
    requests: last.load.requests,
    percentileShown: 99,
  });
  for (const verdict of shown) verdicts.add(verdict);
  const errors = last.load.errors;
  const cellBase = base();
  const cell: ServerCell = {
    ...cellBase,
    verdicts: [...verdicts],
    pids: last.pids,
    repetitions: outcomes.map((_, i) => i),
    monitor: last.monitor,
    measuredOffsetMs: last.measuredOffsetMs,
    requests: last.load.requests,
    rpsPerRep,
    rps: mean(rpsPerRep),
    rpsStdev: stdev(rpsPerRep),
    latencyUs: last.load.latencyUs,
    errors,
    serverCpuPercent: last.serverCpuPercent,
    serverPeakRssBytes: last.serverPeakRssBytes,
    clientCpuPercent: last.load.clientCpuPercent,
    servedByPids: last.servedBy.pids,
    servedByUnits: last.servedBy.units,
    servedBySamples: last.servedBy.samples,
    servedBySampledDuringLoad: spec.servedByDuringLoad === true && config.protocol === 'http',
    histogram: last.load.histogram,
    timeline: last.load.timeline,
    unfinishedRequests: last.load.unfinished ?? 0,
    ...(last.load.schedule ? { sendLagUs: last.load.schedule.sendLagUs } : {}),
    ...(cellBase.app ? { app: { ...cellBase.app, ...(last.front ? { front: last.front } : {}) } } : {}),
    unitRestarts: outcomes.reduce((sum, o) => sum + o.unitRestarts, 0),
    poolThreadRestarts: outcomes.reduce((sum, o) => sum + o.poolThreadRestarts, 0),
  };
  if (last.load.requests === 0) {
    return {
      ...cell,
      status: 'failed',
      reason:
        `no verified replies in ${spec.durationS} s (${last.load.unfinished ?? 0} request(s) still unanswered when the window closed; ` +
        `errors: ${JSON.stringify(errors)}${last.load.errorSamples?.length ? `; ${last.load.errorSamples.join(' | ')}` : ''}) → ` +
        'a slower architecture needs a longer --duration',
    };
  }
  return cell;
}

/** What the load sends and expects: the app's requests (one, or a mix), or the endpoint's one request. */
function loadRequestOptions(
  spec: ServerCellSpec,
  params: EndpointParams,
  baseUrl: string,
  tcpTarget: string,
): Omit<LoadOptions, 'connections'> {
  const endpoint = spec.endpoint;
  if (endpoint === APP_ENDPOINT) {
    if (!spec.app) throw new Error(`cell ${spec.arch} has endpoint '${APP_ENDPOINT}' but no app`);
    return { target: `${baseUrl}/`, mix: spec.app.requests };
  }
  const { path, ...rest } = requestSpec(endpoint, params);
  return { ...rest, target: endpointProtocol(endpoint) === 'http' ? `${baseUrl}${path}` : tcpTarget };
}

/**
 * The primary itself ended during the repetition. In-process architectures
 * (single, offload, spawn) serve in it, so nothing can replace it: an app
 * that ends its process there fails the cell, while architectures with units
 * replace the unit and flag the cell unit-restarted instead.
 */
function primaryDied(config: ServerConfig, status: ExitStatus, stderrTail: string): string {
  const how = status.signal === null ? `exit code ${status.code}` : `signal ${status.signal}`;
  return (
    `the server's primary process exited during the repetition (${how})${stderrTail ? `: ${stderrTail}` : ''} → ` +
    `${config.arch} cannot replace it; an app that ends its process (process.exit, an uncaught error) fails ${config.arch} cells, ` +
    'and architectures with units (cluster, reuseport, reuseport-threads, prefork) replace the unit and flag the cell unit-restarted'
  );
}

type RepResult =
  | { kind: 'ok'; outcome: RepOutcome }
  | { kind: 'skipped'; reason: string }
  | { kind: 'failed'; reason: string };

async function runRepetition(
  spec: ServerCellSpec,
  runtime: RuntimeSpec,
  config: ServerConfig,
  params: EndpointParams,
  options: ServerCellOptions,
): Promise<RepResult> {
  let server: LaunchedServer;
  try {
    const launched = await launchServer(config, runtime, {
      startTimeoutMs: options.startTimeoutMs ?? 60_000,
    });
    if (launched.kind === 'unsupported') return { kind: 'skipped', reason: launched.reason };
    server = launched.server;
  } catch (error) {
    return { kind: 'failed', reason: errorText(error) };
  }
  let outcome: RepOutcome | null = null;
  let failure: string | null = null;
  let exitedEarly: ExitStatus | null = null;
  void server.exited.then((status) => {
    exitedEarly ??= status;
  });
  try {
    // The address the server bound (a wildcard bind is reached through loopback).
    const host = connectAddress(server.ready.host);
    const baseUrl = `http://${hostForUrl(host)}:${server.port}`;
    const timeoutMs = spec.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (spec.app) await verifyAppServer(baseUrl, spec.app.requests, timeoutMs);
    else if (config.protocol === 'http') await verifyHttpServer(baseUrl, config, runtime.label);
    else await verifyTcpServer(host, server.port, config);
    const loadOptions: LoadOptions = {
      ...loadRequestOptions(spec, params, baseUrl, `tcp://${hostForUrl(host)}:${server.port}`),
      connections: spec.connections,
      threads: spec.loadThreads ?? 1,
      timeoutMs: spec.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(spec.rateRps === undefined ? {} : { rateRps: spec.rateRps }),
      ...(spec.connectionPerRequest ? { connectionPerRequest: true } : {}),
    };
    // Warm-up and measurement are one run on the same connections: a separate warm-up run would leave
    // its in-flight requests queued in the server (closing a connection does not cancel the work), and
    // the measured window would start behind that backlog. The monitor spans both; the server figures
    // are taken from its samples inside the measured window, located as window.ts explains.
    const monitorStartMs = performance.now();
    const monitor = startMonitor({ rootPid: server.pid, expectedWindowMs: spec.durationS * 1000 });
    // An app has no /whoami to ask: who served is not sampled for it.
    const asksWhoami = config.protocol === 'http' && !spec.app;
    const liveSampler = spec.servedByDuringLoad && asksWhoami ? startServedBySampler(baseUrl) : null;
    const secondArrivals: { second: number; atMs: number }[] = [];
    const loadCalledMs = performance.now();
    // The server's event loops are probed over the measured window: from the warm-up's end to the load's.
    const measureTimer = setTimeout(() => {
      server.startMeasuring();
      // Per-thread accounting (src/monitor/accounting.ts) covers the measured window, not the warm-up.
      monitor.beginWindow();
    }, spec.warmupS * 1000);
    let load: LoadResult;
    try {
      load = await runLoad(
        { ...loadOptions, durationS: spec.durationS, warmupS: spec.warmupS },
        {
          onProgress: (point) => {
            secondArrivals.push({ second: point.second, atMs: performance.now() });
            options.onSecond?.(point);
          },
        },
      );
    } catch (error) {
      // Stopped even when the load throws, so no timer or sampler outlives the cell.
      clearTimeout(measureTimer);
      monitor.stop();
      await liveSampler?.stop();
      throw error;
    }
    clearTimeout(measureTimer);
    const loadEndedMs = performance.now();
    const measuredOffsetMs = loadWindowOffsetMs({
      monitorStartMs,
      loadCalledMs,
      warmupS: spec.warmupS,
      durationS: spec.durationS,
      loadEndedMs,
      measuredS: load.durationS,
      secondArrivals,
    });
    const report = monitor.stop({ offsetMs: measuredOffsetMs, durationMs: load.durationS * 1000 });
    report.eventLoop.push(...(await server.eventLoopStats()));
    const servedBy: ServedBy = liveSampler
      ? await liveSampler.stop()
      : asksWhoami
        ? await sampleServedBy(baseUrl, Math.max(8, config.workers * 8))
        : { pids: [], units: [], samples: 0 };
    const pids = [...new Set([server.pid, ...report.pids])].sort((a, b) => a - b);
    outcome = {
      load,
      monitor: report,
      servedBy,
      pids,
      measuredOffsetMs,
      ...measuredServerUsage(report, { offsetMs: measuredOffsetMs, durationMs: load.durationS * 1000 }),
      front: server.ready.front,
      // Known once the server stops (its `done` message).
      unitRestarts: 0,
      poolThreadRestarts: 0,
    };
  } catch (error) {
    failure = errorText(error);
  }
  if (exitedEarly !== null) {
    // Whatever else went wrong followed from this: the server's primary is gone.
    failure = primaryDied(config, exitedEarly, server.stderrTail());
  }
  const stopped = await server.stop();
  if (failure === null && stopped.leftovers.length > 0) {
    failure = `processes left after SIGTERM: ${stopped.leftovers.join(', ')} (killed)`;
  } else if (failure === null && !stopped.graceful) {
    failure = `server did not stop cleanly on SIGTERM (exit code ${stopped.exitCode}): ${server.stderrTail()}`;
  }
  if (failure !== null || outcome === null) return { kind: 'failed', reason: failure ?? 'no outcome' };
  return {
    kind: 'ok',
    outcome: {
      ...outcome,
      unitRestarts: stopped.restarts ?? 0,
      poolThreadRestarts: stopped.poolRestarts ?? 0,
    },
  };
}
