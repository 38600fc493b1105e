/**
 * Scaling of CPU-bound POST /score across 2 workers: cluster, reuseport and
 * prefork (2 processes × 1 pool thread) against single, all in the same run,
 * judged against what the machine can give: the reference is two independent
 * `single` servers each driven with half the connections at the same time.
 *
 *   speedup(arch)  = rps(arch, C) ÷ rps(single, C)
 *   reference      = (rps(single A, C/2) + rps(single B, C/2)) ÷ rps(single, C)
 *   ratio          = speedup(arch) ÷ reference        (target ≥ 0.9)
 *
 * The reference pair shares one session, as an architecture's processes do
 * (Linux autogroups would otherwise give it twice the CPU share on a shared
 * machine). Rounds alternate the order of the cells; the medians are reported with the
 * load average, because the second core is shared with other tenants.
 *
 *   node bench/server-scaling.ts [--rounds 2] [--duration 5] [--connections 10] [--iters 10000]
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runLoad } from '../src/load/index.ts';
import { resolveRuntime } from '../src/runtimes/registry.ts';
import { requestSpec } from '../src/servers/driver/endpoints.ts';
import { LISTENING_RE } from '../src/servers/driver/launch.ts';
import { runServerCell } from '../src/servers/driver/run-cell.ts';
import type { ArchName } from '../src/servers/config.ts';
import { resolveServerConfig } from '../src/servers/resolve.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
    iters: { type: 'string', default: '10000' },
  },
});
const rounds = Number(values.rounds);
const durationS = Number(values.duration);
const connections = Number(values.connections);
const cpuIters = Number(values.iters);
const runtime = resolveRuntime('node');
const archs: ArchName[] = ['cluster', 'reuseport', 'prefork'];

async function archRps(arch: ArchName): Promise<number> {
  const cell = await runServerCell(
    {
      arch,
      workers: arch === 'single' ? undefined : 2,
      threads: arch === 'prefork' ? 1 : undefined,
      endpoint: 'cpu',
      connections,
      durationS,
      warmupS: 1,
      reps: 1,
      endpointParams: { cpuIters },
    },
    runtime,
  );
  if (cell.status !== 'ok') throw new Error(`${arch}: ${cell.status} ${cell.reason ?? ''}`);
  const errors = Object.values(cell.errors).reduce((a, b) => a + (b ?? 0), 0);
  console.log(
    `  ${arch.padEnd(10)} ${cell.rps.toFixed(1)} req/s  p99 ${(cell.latencyUs.p99 / 1000).toFixed(1)} ms  errors ${errors}  server CPU ${cell.serverCpuPercent.toFixed(0)}%  served by ${cell.servedByPids.length} pid(s)`,
  );
  return cell.rps;
}

/**
 * Two independent single servers, each given half the connections, loaded at
 * the same time. Both run in one session (server-two-singles.ts, started
 * detached) like the processes of one architecture, so Linux autogroup
 * scheduling gives the reference no extra CPU share on a shared machine.
 */
async function referenceRps(): Promise<number> {
  const config = JSON.stringify(resolveServerConfig({ arch: 'single' }));
  const pair = spawn(
    runtime.binPath,
    [fileURLToPath(new URL('./server-two-singles.ts', import.meta.url)), config],
    {
      detached: true,
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  try {
    const ports = await new Promise<number[]>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('the two reference servers did not start')), 60_000);
      pair.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const found = out
          .split('\n')
          .map((line) => LISTENING_RE.exec(line))
          .filter((m): m is RegExpExecArray => m !== null)
          .map((m) => Number(m[3]));
        if (found.length === 2) {
          clearTimeout(timer);
          resolve(found);
        }
      });
      pair.once('exit', (code) => reject(new Error(`reference pair exited (${code})`)));
    });
    const { path, ...spec } = requestSpec('cpu', { cpuIters, ioKeyIndex: 42 });
    const halves = [Math.ceil(connections / 2), Math.floor(connections / 2)];
    // Warm-up inside the same run (as runServerCell does), so no abandoned requests queue before the window.
    const results = await Promise.all(
      ports.map((port, i) =>
        runLoad({
          ...spec,
          target: `http://127.0.0.1:${port}${path}`,
          connections: halves[i] ?? 1,
          durationS,
          warmupS: 1,
        }),
      ),
    );
    const total = results.reduce((sum, r) => sum + r.rps, 0);
    console.log(
      `  2×single   ${total.toFixed(1)} req/s  (${results.map((r) => `${r.rps.toFixed(1)} req/s, errors ${r.errorsTotal}`).join(' + ')})`,
    );
    return total;
  } finally {
    const exited = new Promise((resolve) => pair.once('exit', resolve));
    pair.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    try {
      if (pair.pid) process.kill(-pair.pid, 'SIGKILL');
    } catch {
      // Already gone: the normal case.
    }
  }
}

const table: Record<string, number[]> = { reference: [] };
for (const arch of archs) table[arch] = [];
for (let round = 1; round <= rounds; round++) {
  console.log(`round ${round} (load average ${loadavg()[0]?.toFixed(1)})`);
  const single = await archRps('single');
  const reference = (await referenceRps()) / single;
  table.reference?.push(reference);
  const order = round % 2 === 1 ? archs : [...archs].reverse();
  for (const arch of order) {
    const speedup = (await archRps(arch)) / single;
    table[arch]?.push(speedup / reference);
    console.log(
      `    ${arch}: speedup ${speedup.toFixed(2)} vs reference speedup ${reference.toFixed(2)} → ratio ${(speedup / reference).toFixed(3)}`,
    );
  }
}
const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
console.log(
  `\nscaling (cpu /score iters=${cpuIters}, ${connections} connections, 2 workers, ${durationS}s × ${rounds} rounds): reference speedup (2 independent singles) median ${median(table.reference ?? []).toFixed(2)}`,
);
for (const arch of archs) {
  const ratios = table[arch] ?? [];
  console.log(
    `  ${arch.padEnd(10)} ratio to reference: median ${median(ratios).toFixed(3)} (${ratios.map((r) => r.toFixed(3)).join(', ')}) target ≥ 0.9`,
  );
}
