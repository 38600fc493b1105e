/**
 * One server cell, for `conlab bench-server` and the suite engineer:
 * per repetition a fresh server process group → readiness line → every
 * endpoint verified → warm-up → measured load (verified replies) while the
 * monitor samples the server's tree → /whoami samples → stop → nothing left.
 * runServerCell never throws for a cell problem: it returns status failed
 * (with the reason) or skipped ("unsupported on RUNTIME@VERSION (...)").
 */
import { connectAddress, hostForUrl } from '../../core/net-address.ts';
import { performance } from 'node:perf_hooks';
import { errorText } from '../../core/errors.ts';
import { runLoad } from '../../load/index.ts';
import type { LoadOptions, LoadResult } from '../../load/types.ts';
import { startMonitor } from '../../monitor/index.ts';
import type { MonitorReport } from '../../monitor/types.ts';
// One set of verdict rules and thresholds for every lab (the monitor engineer's, with their reasons).
import { cellVerdicts } from '../../monitor/verdicts.ts';
import type { ServerCell, Verdict } from '../../results/record.ts';
import { resolveRuntime, type RuntimeSpec } from '../../runtimes/registry.ts';
import { mean, stdev } from '../../stats/descriptive.ts';
import type { ArchName, ServerConfig } from '../config.ts';
import { resolveServerConfig } from '../resolve.ts';
import {
  DEFAULT_ENDPOINT_PARAMS,
  endpointProtocol,
  requestSpec,
  type EndpointName,
  type EndpointParams,
} from './endpoints.ts';
import { launchServer, type LaunchedServer } from './launch.ts';
import { emptyServerCell } from './record.ts';
import { sampleServingUnits, verifyHttpServer, verifyTcpServer } from './verify.ts';
import { loadWindowOffsetMs, measuredServerUsage } from './window.ts';

export interface ServerCellSpec {
  arch: ArchName;
  /** Omitted: the architecture's default (cores for multi-process ones). */
  workers?: number;
  threads?: number;
  endpoint: EndpointName;
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
}

export interface ServerCellOptions {
  log?: (line: string) => void;
  startTimeoutMs?: number;
}

interface RepOutcome {
  load: LoadResult;
  monitor: MonitorReport;
  /** Where the measured load window (the timeline's t=0) starts in the monitor window. */
  measuredOffsetMs: number;
  /** Server tree CPU (% of one core) and peak RSS inside the measured window. */
  serverCpuPercent: number;
  serverPeakRssBytes: number;
  servedByPids: number[];
  servedByUnits: string[];
  pids: number[];
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
  return `server|${config.arch}|w${config.workers}|t${config.threads}|${spec.endpoint}${work}|${load}|d${spec.durationS}|${runtimeLabel}`;
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
  const protocol = endpointProtocol(spec.endpoint);
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
        }
      : {},
  });
  try {
    runtime = typeof runtimeInput === 'string' ? resolveRuntime(runtimeInput) : runtimeInput;
    config = resolveServerConfig({
      arch: spec.arch,
      workers: spec.workers,
      threads: spec.threads,
      tcp: protocol === 'tcp',
      mode: protocol === 'tcp' ? (spec.endpoint === 'tcp-echo' ? 'echo' : 'compute') : undefined,
      spinIters: spec.spinIters,
      host: spec.host,
      stopOnStdinEnd: true,
    });
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
  const cell: ServerCell = {
    ...base(),
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
    servedByPids: last.servedByPids,
    servedByUnits: last.servedByUnits,
    histogram: last.load.histogram,
    timeline: last.load.timeline,
    unfinishedRequests: last.load.unfinished ?? 0,
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
  try {
    // The address the server bound (a wildcard bind is reached through loopback).
    const host = connectAddress(server.address);
    const baseUrl = `http://${hostForUrl(host)}:${server.port}`;
    if (config.protocol === 'http') await verifyHttpServer(baseUrl, config, runtime.label);
    else await verifyTcpServer(host, server.port, config);
    const request = requestSpec(spec.endpoint, params);
    const { path, ...rest } = request;
    const loadOptions: LoadOptions = {
      ...rest,
      target: config.protocol === 'http' ? `${baseUrl}${path}` : `tcp://${hostForUrl(host)}:${server.port}`,
      connections: spec.connections,
      threads: spec.loadThreads ?? 1,
      timeoutMs: spec.timeoutMs ?? 10_000,
      ...(spec.rateRps === undefined ? {} : { rateRps: spec.rateRps }),
    };
    // Warm-up and measurement are one run on the same connections: a separate warm-up run would leave
    // its in-flight requests queued in the server (closing a connection does not cancel the work), and
    // the measured window would start behind that backlog. The monitor spans both; the server figures
    // are taken from its samples inside the measured window, located as window.ts explains.
    const monitorStartMs = performance.now();
    const monitor = startMonitor({ rootPid: server.pid });
    const secondArrivals: { second: number; atMs: number }[] = [];
    const loadCalledMs = performance.now();
    let load: LoadResult;
    try {
      load = await runLoad(
        { ...loadOptions, durationS: spec.durationS, warmupS: spec.warmupS },
        { onProgress: (point) => secondArrivals.push({ second: point.second, atMs: performance.now() }) },
      );
    } catch (error) {
      // Stopped even when the load throws, so its timer does not outlive the cell.
      monitor.stop();
      throw error;
    }
    const loadEndedMs = performance.now();
    const report = monitor.stop();
    const measuredOffsetMs = loadWindowOffsetMs({
      monitorStartMs,
      loadCalledMs,
      warmupS: spec.warmupS,
      durationS: spec.durationS,
      loadEndedMs,
      measuredS: load.durationS,
      secondArrivals,
    });
    const served =
      config.protocol === 'http'
        ? await sampleServingUnits(baseUrl, Math.max(8, config.workers * 8))
        : { pids: [], units: [] };
    const pids = [...new Set([server.pid, ...report.pids])].sort((a, b) => a - b);
    outcome = {
      load,
      monitor: report,
      servedByPids: served.pids,
      servedByUnits: served.units,
      pids,
      measuredOffsetMs,
      ...measuredServerUsage(report, { offsetMs: measuredOffsetMs, durationMs: load.durationS * 1000 }),
    };
  } catch (error) {
    failure = errorText(error);
  }
  const stopped = await server.stop();
  if (failure === null && stopped.leftovers.length > 0) {
    failure = `processes left after SIGTERM: ${stopped.leftovers.join(', ')} (killed)`;
  } else if (failure === null && !stopped.graceful) {
    failure = `server did not stop cleanly on SIGTERM (exit code ${stopped.exitCode}): ${server.stderrTail()}`;
  }
  if (failure !== null || outcome === null) return { kind: 'failed', reason: failure ?? 'no outcome' };
  return { kind: 'ok', outcome };
}
