/**
 * One measured server cell for the seed presets, built from the server
 * lab's, the load generator's and the monitor's own entry points
 * (launchServer, verify*, runLoad, startMonitor): a fresh server process
 * group, every endpoint verified, warm-up, the measured load (every reply
 * verified) while the monitor samples the server's process tree, and stop.
 *
 * Why not runServerCell: the seeds need two things it does not expose: seed
 * 000's client opens a new connection for every request, and seed 004 counts
 * the processes *and threads* that answered /whoami while the load ran.
 * Never throws for a cell problem: a failed or unsupported cell comes back
 * with its reason and the preset goes on.
 */
import { connectAddress, hostForUrl } from '../../core/net-address.ts';
import { errorText } from '../../core/errors.ts';
import { runLoad } from '../../load/index.ts';
import type { LoadOptions, LoadResult } from '../../load/types.ts';
import { startMonitor } from '../../monitor/index.ts';
import type { MonitorReport } from '../../monitor/types.ts';
import type { RuntimeSpec } from '../../runtimes/registry.ts';
import type { ServerConfig } from '../../servers/config.ts';
import {
  WHOAMI_RE,
  requestSpec,
  type EndpointName,
  type EndpointParams,
} from '../../servers/driver/endpoints.ts';
import { httpCall } from '../../servers/driver/http-client.ts';
import { launchServer, type LaunchedServer } from '../../servers/driver/launch.ts';
import { verifyHttpServer, verifyTcpServer } from '../../servers/driver/verify.ts';

export interface SeedCellSpec {
  config: ServerConfig;
  endpoint: EndpointName;
  endpointParams: EndpointParams;
  connections: number;
  durationS: number;
  warmupS: number;
  /** TCP: a new connection per request, as seed 000's client does. */
  connectionPerRequest?: boolean;
  /** Ask /whoami on fresh connections while the load runs, to see which processes and threads answer. */
  sampleWhoami?: boolean;
  timeoutMs?: number;
}

export interface ServedBy {
  pid: number;
  thread: number;
}

export interface SeedCellOutcome {
  status: 'ok' | 'failed' | 'skipped';
  reason?: string;
  load: LoadResult | null;
  monitor: MonitorReport | null;
  /** Distinct (pid, thread) pairs seen in /whoami answers during the load. */
  servedBy: ServedBy[];
  /** /whoami answers the sampler got (each on a fresh connection). */
  whoamiSamples: number;
  /** Real PIDs of the server's process tree during the measured window. */
  pids: number[];
}

const failed = (reason: string): SeedCellOutcome => ({
  status: 'failed',
  reason,
  load: null,
  monitor: null,
  servedBy: [],
  whoamiSamples: 0,
  pids: [],
});

export async function runSeedCell(spec: SeedCellSpec, runtime: RuntimeSpec): Promise<SeedCellOutcome> {
  let server: LaunchedServer;
  try {
    const launched = await launchServer(spec.config, runtime, { startTimeoutMs: 60_000 });
    if (launched.kind === 'unsupported') return { ...failed(launched.reason), status: 'skipped' };
    server = launched.server;
  } catch (error) {
    return failed(errorText(error));
  }
  let outcome: SeedCellOutcome;
  try {
    outcome = await measure(spec, runtime, server);
  } catch (error) {
    outcome = failed(errorText(error));
  }
  const stopped = await server.stop();
  if (outcome.status === 'ok' && stopped.leftovers.length > 0) {
    return {
      ...outcome,
      status: 'failed',
      reason: `processes left after stop: ${stopped.leftovers.join(', ')}`,
    };
  }
  return outcome;
}

async function measure(
  spec: SeedCellSpec,
  runtime: RuntimeSpec,
  server: LaunchedServer,
): Promise<SeedCellOutcome> {
  const { config } = spec;
  const host = connectAddress(server.address);
  const baseUrl = `http://${hostForUrl(host)}:${server.port}`;
  if (config.protocol === 'http') await verifyHttpServer(baseUrl, config, runtime.label);
  else await verifyTcpServer(host, server.port, config);
  const { path, ...request } = requestSpec(spec.endpoint, spec.endpointParams);
  const loadOptions: LoadOptions = {
    ...request,
    target: config.protocol === 'http' ? `${baseUrl}${path}` : `tcp://${hostForUrl(host)}:${server.port}`,
    connections: spec.connections,
    timeoutMs: spec.timeoutMs ?? 10_000,
    ...(spec.connectionPerRequest ? { connectionPerRequest: true } : {}),
  };
  if (spec.warmupS > 0) await runLoad({ ...loadOptions, durationS: spec.warmupS });
  const monitor = startMonitor({ rootPid: server.pid });
  const sampler = spec.sampleWhoami ? startWhoamiSampler(baseUrl) : null;
  let load: LoadResult | null = null;
  let loadError: unknown = null;
  try {
    load = await runLoad({ ...loadOptions, durationS: spec.durationS });
  } catch (error) {
    loadError = error;
  }
  // Stopped even when the load threw, so no timer or sampler outlives the cell.
  const report = monitor.stop();
  const sampled = (await sampler?.stop()) ?? { servedBy: [], samples: 0 };
  const { servedBy } = sampled;
  if (load === null) throw loadError instanceof Error ? loadError : new Error(errorText(loadError));
  const pids = [...new Set([server.pid, ...report.pids])].sort((a, b) => a - b);
  if (load.requests === 0) {
    const reason =
      load.errorsTotal === 0
        ? `no reply completed within the ${spec.durationS} s window and none failed: each reply takes longer than that (give a longer --duration)`
        : `no verified replies (errors: ${JSON.stringify(load.errors)})`;
    return {
      status: 'failed',
      reason,
      load,
      monitor: report,
      servedBy,
      whoamiSamples: sampled.samples,
      pids,
    };
  }
  return { status: 'ok', load, monitor: report, servedBy, whoamiSamples: sampled.samples, pids };
}

/**
 * Asks /whoami on a fresh connection, one request at a time, until stopped.
 * Light on purpose (one request in flight) so it barely adds to the load it
 * observes; fresh connections because a kept-alive one would always reach
 * the same process.
 */
function startWhoamiSampler(baseUrl: string): { stop(): Promise<{ servedBy: ServedBy[]; samples: number }> } {
  const seen = new Map<string, ServedBy>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const response = await httpCall(baseUrl, '/whoami', { timeoutMs: 10_000 });
        const match = WHOAMI_RE.exec(response.body);
        if (response.status === 200 && match) {
          const servedBy = { pid: Number(match[2]), thread: Number(match[3]) };
          seen.set(`${servedBy.pid}/${servedBy.thread}`, servedBy);
          samples++;
        }
      } catch {
        // A failed sample says nothing about who serves; the load counts failures.
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { servedBy: [...seen.values()].sort((a, b) => a.pid - b.pid || a.thread - b.thread), samples };
    },
  };
}
