/**
 * Hosting overhead of a user's app: a fetch app that answers "hello"
 * (bench/fixtures/hello-fetch-app.ts) served by conlab's `single`
 * architecture (`serve --app`, through the same launcher as bench-server)
 * against the same module served without conlab, same run, alternating
 * order per round so machine noise hits both sides:
 *   node: a bare node:http server with the plainest Request/Response adapter
 *         (bench/app-hosting-bare.ts node-adapter) — target ≥ 0.9×;
 *   bun:  Bun.serve({ fetch }) directly (app-hosting-bare.ts native) — target ≥ 0.9×;
 *   deno: (with --runtimes deno) the node:http adapter and Deno.serve, for
 *         the record of why conlab keeps Deno on node:http.
 * Each side: 1 s warm-up, then D s of runLoad (every body verified), and
 * the server's CPU time per request from /proc/PID/stat.
 *
 *   node bench/app-hosting.ts [--rounds 8] [--duration 2] [--connections 10] [--runtimes node,bun]
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runLoad } from '../src/load/index.ts';
import { resolveRuntime, type RuntimeSpec } from '../src/runtimes/registry.ts';
import { checkApp } from '../src/servers/driver/app-check.ts';
import { launchServer } from '../src/servers/driver/launch.ts';
import { resolveServerConfig } from '../src/servers/resolve.ts';
import { processCpuUs, startReferenceServer } from './fixtures/reference-process.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '8' },
    duration: { type: 'string', default: '2' },
    connections: { type: 'string', default: '10' },
    runtimes: { type: 'string', default: 'node,bun' },
  },
});
const rounds = Number(values.rounds);
const durationS = Number(values.duration);
const connections = Number(values.connections);
const appPath = fileURLToPath(new URL('./fixtures/hello-fetch-app.ts', import.meta.url));
const barePath = fileURLToPath(new URL('./app-hosting-bare.ts', import.meta.url));

interface Side {
  name: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function conlabSide(runtime: RuntimeSpec): Promise<Side> {
  const config = resolveServerConfig({ arch: 'single', app: checkApp(appPath, runtime) });
  const launched = await launchServer(config, runtime);
  if (launched.kind !== 'ok') throw new Error(launched.reason);
  const server = launched.server;
  return {
    name: 'conlab single',
    url: server.url,
    pid: server.pid,
    stop: async () => void (await server.stop()),
  };
}

async function bareSide(runtime: RuntimeSpec, mode: 'node-adapter' | 'native'): Promise<Side> {
  const server = await startReferenceServer(runtime.binPath, barePath, runtime.scriptArgs(barePath, [mode]));
  const name =
    mode === 'native' ? (runtime.kind === 'bun' ? 'Bun.serve' : 'Deno.serve') : 'bare node:http adapter';
  return { name, ...server };
}

interface Measured {
  rps: number;
  cpuUsPerRequest: number;
  errors: number;
}

async function measure(side: Side): Promise<Measured> {
  const options = { target: `${side.url}/`, connections, expectBody: 'hello' };
  await runLoad({ ...options, durationS: 1 });
  const before = processCpuUs(side.pid).own;
  const load = await runLoad({ ...options, durationS });
  const cpuUs = processCpuUs(side.pid).own - before;
  return {
    rps: load.rps,
    cpuUsPerRequest: cpuUs / Math.max(1, load.requests + load.errorsTotal),
    errors: load.errorsTotal,
  };
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const spread = (xs: number[]): string => `${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)}`;

const loadStart = loadavg()[0] ?? 0;
console.log(
  `app hosting overhead: ${rounds} rounds × ${durationS} s, ${connections} connections, load average ${loadStart.toFixed(1)}`,
);
for (const name of values.runtimes.split(',')) {
  const runtime = resolveRuntime(name);
  const references: ('node-adapter' | 'native')[] =
    runtime.kind === 'node'
      ? ['node-adapter']
      : runtime.kind === 'bun'
        ? ['native']
        : ['node-adapter', 'native'];
  const sides = [
    await conlabSide(runtime),
    ...(await Promise.all(references.map((mode) => bareSide(runtime, mode)))),
  ];
  const rps = new Map<string, number[]>(sides.map((side) => [side.name, []]));
  const cpu = new Map<string, number[]>(sides.map((side) => [side.name, []]));
  try {
    for (let round = 1; round <= rounds; round++) {
      // Rotate which side goes first so a drifting machine load does not favour one.
      const order = sides.map((_, i) => sides[(i + round) % sides.length] as Side);
      const line: string[] = [];
      for (const side of order) {
        const m = await measure(side);
        rps.get(side.name)?.push(m.rps);
        cpu.get(side.name)?.push(m.cpuUsPerRequest);
        line.push(
          `${side.name} ${m.rps.toFixed(0)} req/s ${m.cpuUsPerRequest.toFixed(1)} us/req${m.errors ? ` ${m.errors} errors` : ''}`,
        );
      }
      console.log(`${runtime.label} round ${round}: ${line.join(' | ')}`);
    }
  } finally {
    for (const side of sides) await side.stop();
  }
  const ours = rps.get('conlab single') ?? [];
  const oursCpu = cpu.get('conlab single') ?? [];
  for (const side of sides.slice(1)) {
    const theirs = rps.get(side.name) ?? [];
    const theirsCpu = cpu.get(side.name) ?? [];
    const ratios = ours.map((value, i) => value / (theirs[i] ?? Number.NaN));
    const efficiency = oursCpu.map((value, i) => (theirsCpu[i] ?? Number.NaN) / value);
    console.log(
      `${runtime.label}: conlab single ÷ ${side.name}: median req/s ratio ${median(ratios).toFixed(3)} (per-round ${spread(ratios)}); ` +
        `median CPU-per-request efficiency ${median(efficiency).toFixed(3)} (${spread(efficiency)}); ` +
        `medians ${median(ours).toFixed(0)} vs ${median(theirs).toFixed(0)} req/s; target ≥ 0.9`,
    );
  }
}
console.log(`load average at the end ${(loadavg()[0] ?? 0).toFixed(1)}`);
