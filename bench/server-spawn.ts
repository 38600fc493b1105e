/**
 * The `spawn` architecture (a new process per request) against the smallest
 * process-per-request server we can write (bench/fixtures/spawn-reference-
 * server.ts: node:http + `node -e` per request), GET /hello, same run,
 * rounds in rotating order, at each connection count. conlab's server runs
 * twice: with the compile cache (as conlab starts it) and without
 * (NODE_DISABLE_COMPILE_CACHE=1), to show what the cache buys.
 *
 * Reported per variant: req/s (median of rounds), p50 latency, and CPU per
 * request of the whole server tree (the primary's utime+stime plus its
 * reaped children's cutime+cstime, /proc/PID/stat), which contention from
 * other tenants moves much less than req/s. Target: conlab ≥ 0.8× the
 * reference's req/s.
 *
 *   node bench/server-spawn.ts [--rounds 3] [--duration 5] [--connections 1,4]
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runLoad } from '../src/load/index.ts';
import { resolveRuntime } from '../src/runtimes/registry.ts';
import { launchServer } from '../src/servers/driver/launch.ts';
import { resolveServerConfig } from '../src/servers/resolve.ts';
import { processCpuUs, startReferenceServer, type ReferenceServer } from './fixtures/reference-process.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '1,4' },
  },
});
const rounds = Number(values.rounds);
const durationS = Number(values.duration);
const connectionCounts = values.connections.split(',').map(Number);
const runtime = resolveRuntime('node');

const startReference = (): Promise<ReferenceServer> =>
  startReferenceServer(
    runtime.binPath,
    fileURLToPath(new URL('./fixtures/spawn-reference-server.ts', import.meta.url)),
  );

async function startConlab(cache: boolean): Promise<ReferenceServer> {
  // The subject inherits our environment, and its per-request children inherit the subject's.
  if (cache) delete process.env.NODE_DISABLE_COMPILE_CACHE;
  else process.env.NODE_DISABLE_COMPILE_CACHE = '1';
  const launched = await launchServer(resolveServerConfig({ arch: 'spawn' }), runtime);
  delete process.env.NODE_DISABLE_COMPILE_CACHE;
  if (launched.kind !== 'ok') throw new Error(launched.reason);
  const { server } = launched;
  return {
    url: `http://127.0.0.1:${server.port}`,
    pid: server.pid,
    stop: async () => void (await server.stop()),
  };
}

interface Measured {
  rps: number;
  p50Us: number;
  /** Server tree CPU per request: the server process plus its per-request children. */
  cpuMsPerRequest: number;
  /** The server process's own share of it. */
  serverCpuMsPerRequest: number;
  errors: number;
}

async function measure(server: ReferenceServer, connections: number): Promise<Measured> {
  const options = { target: `${server.url}/hello`, connections, expectBody: 'hello', timeoutMs: 30_000 };
  // The first requests fill the compile cache (conlab) and warm the page cache (both).
  await runLoad({ ...options, durationS: 1 });
  const before = processCpuUs(server.pid);
  const load = await runLoad({ ...options, durationS });
  const after = processCpuUs(server.pid);
  const served = Math.max(1, load.requests + load.errorsTotal + (load.unfinished ?? 0));
  const own = (after.own - before.own) / 1000 / served;
  return {
    rps: load.rps,
    p50Us: load.latencyUs.p50,
    cpuMsPerRequest: own + (after.children - before.children) / 1000 / served,
    serverCpuMsPerRequest: own,
    errors: load.errorsTotal,
  };
}

const variants = [
  { name: 'reference (node -e per request)', start: startReference },
  { name: 'conlab spawn, compile cache', start: () => startConlab(true) },
  { name: 'conlab spawn, no compile cache', start: () => startConlab(false) },
];
const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const loadAtStart = loadavg()[0]?.toFixed(1);
const results = new Map<string, Measured[]>();
for (let round = 0; round < rounds; round++) {
  // Rotate the order each round so drift in machine load does not favour one variant.
  const order = [...variants.slice(round % variants.length), ...variants.slice(0, round % variants.length)];
  for (const variant of order) {
    const server = await variant.start();
    try {
      for (const connections of connectionCounts) {
        const m = await measure(server, connections);
        const key = `${variant.name}|${connections}`;
        results.set(key, [...(results.get(key) ?? []), m]);
        process.stderr.write(
          `round ${round + 1} c=${connections} ${variant.name}: ${m.rps.toFixed(1)} req/s, p50 ${(m.p50Us / 1000).toFixed(1)} ms, ${m.cpuMsPerRequest.toFixed(1)} ms CPU/req (server ${m.serverCpuMsPerRequest.toFixed(1)}), errors ${m.errors}\n`,
        );
      }
    } finally {
      await server.stop();
    }
  }
}

const lines = [
  `spawn architecture vs the minimal process-per-request server, GET /hello, ${durationS} s × ${rounds} rounds (rotating order), load average ${loadAtStart} at start, ${loadavg()[0]?.toFixed(1)} at end`,
  '',
  '| connections | server | req/s (median) | per-round req/s | p50 latency | CPU per request: server tree (server process) | ÷ reference req/s | ÷ reference CPU/request |',
  '| ---: | --- | ---: | --- | ---: | ---: | ---: | ---: |',
];
for (const connections of connectionCounts) {
  const ref = results.get(`${variants[0]?.name}|${connections}`) ?? [];
  for (const variant of variants) {
    const list = results.get(`${variant.name}|${connections}`) ?? [];
    const rps = median(list.map((m) => m.rps));
    const cpu = median(list.map((m) => m.cpuMsPerRequest));
    lines.push(
      `| ${connections} | ${variant.name} | ${rps.toFixed(1)} | ${list.map((m) => m.rps.toFixed(1)).join(', ')} | ${(median(list.map((m) => m.p50Us)) / 1000).toFixed(1)} ms | ${cpu.toFixed(1)} (${median(list.map((m) => m.serverCpuMsPerRequest)).toFixed(1)}) ms | ${(rps / median(ref.map((m) => m.rps))).toFixed(2)} | ${(cpu / median(ref.map((m) => m.cpuMsPerRequest))).toFixed(2)} |`,
    );
  }
}
process.stdout.write(`${lines.join('\n')}\n`);
