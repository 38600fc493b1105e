/**
 * Overhead of conlab's server plumbing: GET /hello on `single` vs a bare
 * node:http hello server, same run, same load, alternating A/B rounds so
 * machine noise hits both. Prints per-round req/s and the ratio
 * conlab ÷ bare (target ≥ 0.9).
 *
 * Because the machine is shared, it also prints server CPU time per request
 * (from /proc/PID/stat), which contention from other tenants barely moves:
 * efficiency = bare CPU/request ÷ conlab CPU/request.
 *
 *   node bench/server-overhead.ts [--rounds 10] [--duration 2] [--connections 10]
 */
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { runLoad } from '../src/load/index.ts';
import type { LoadResult } from '../src/load/types.ts';
import { resolveRuntime } from '../src/runtimes/registry.ts';
import { launchServer } from '../src/servers/driver/launch.ts';
import { resolveServerConfig } from '../src/servers/resolve.ts';
import { processCpuUs, startReferenceServer } from './fixtures/reference-process.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '10' },
    duration: { type: 'string', default: '2' },
    connections: { type: 'string', default: '10' },
  },
});
const rounds = Number(values.rounds);
const durationS = Number(values.duration);
const connections = Number(values.connections);
const runtime = resolveRuntime('node');

interface Measured {
  load: LoadResult;
  cpuUsPerRequest: number;
}

async function measure(url: string, pid: number): Promise<Measured> {
  const options = { target: `${url}/hello`, connections, expectBody: 'hello' };
  // A separate warm-up run is harmless here: /hello leaves at most `connections` µs-long requests behind.
  await runLoad({ ...options, durationS: 1 });
  const before = processCpuUs(pid).own;
  const load = await runLoad({ ...options, durationS });
  return {
    load,
    cpuUsPerRequest: (processCpuUs(pid).own - before) / Math.max(1, load.requests + load.errorsTotal),
  };
}

const launched = await launchServer(resolveServerConfig({ arch: 'single' }), runtime);
if (launched.kind !== 'ok') throw new Error(launched.reason);
const conlab = launched.server;
const bare = await startReferenceServer(
  runtime.binPath,
  fileURLToPath(new URL('./server-bare-hello.ts', import.meta.url)),
);
const ratios: number[] = [];
const efficiencies: number[] = [];
try {
  for (let round = 1; round <= rounds; round++) {
    // Alternate which goes first so a drifting machine load does not favour one side.
    const order = round % 2 === 1 ? (['conlab', 'bare'] as const) : (['bare', 'conlab'] as const);
    const results: Record<string, Measured> = {};
    for (const which of order) {
      results[which] =
        which === 'conlab'
          ? await measure(`http://127.0.0.1:${conlab.port}`, conlab.pid)
          : await measure(bare.url, bare.pid);
    }
    const a = results.conlab;
    const b = results.bare;
    if (!a || !b) throw new Error('missing result');
    const ratio = a.load.rps / b.load.rps;
    const efficiency = b.cpuUsPerRequest / a.cpuUsPerRequest;
    ratios.push(ratio);
    efficiencies.push(efficiency);
    const show = (m: Measured): string =>
      `${m.load.rps.toFixed(0)} req/s, ${m.cpuUsPerRequest.toFixed(1)} us CPU/req, errors ${m.load.errorsTotal}${m.load.warnings.length ? ` [${m.load.warnings.join(',')}]` : ''}`;
    console.log(
      `round ${round}: conlab ${show(a)} | bare ${show(b)} | rps ratio ${ratio.toFixed(3)} | CPU efficiency ${efficiency.toFixed(3)}`,
    );
  }
} finally {
  await bare.stop();
  await conlab.stop();
}
function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
console.log(
  `overhead (/hello, ${connections} connections, ${durationS}s × ${rounds} alternating rounds, load ${loadavg()[0]?.toFixed(1)}): ` +
    `median req/s ratio conlab÷bare ${median(ratios).toFixed(3)} (range ${Math.min(...ratios).toFixed(3)}..${Math.max(...ratios).toFixed(3)}); ` +
    `median CPU-per-request efficiency ${median(efficiencies).toFixed(3)} (range ${Math.min(...efficiencies).toFixed(3)}..${Math.max(...efficiencies).toFixed(3)}); target ≥ 0.9`,
);
