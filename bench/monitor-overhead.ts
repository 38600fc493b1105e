/**
 * Monitor overhead: the same CPU-bound cell (SHA-256 chains on 2 worker
 * threads, a fixed amount of work) with and without the monitor, interleaved
 * (ABBA order) in one run. The monitor samples at the interval it chooses
 * for a window of --window-ms (default 1000: a calibrated batch cell, the
 * shortest default cell; src/monitor/window.ts), or at --interval-ms.
 * Prints the subject's own wall time of the work per arm, the paired
 * difference with its 95% interval, the monitor's own CPU in the driver
 * (% of one core; its per-thread snapshots included), and the cost of one
 * per-thread snapshot of the live subject tree.
 *
 *   node bench/monitor-overhead.ts [--pairs 10] [--iterations 1500000] [--threads 2] [--window-ms 1000] [--interval-ms MS]
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { startMonitor } from '../src/monitor/index.ts';
import { snapshotTree } from '../src/monitor/accounting.ts';
import { chooseIntervalMs } from '../src/monitor/window.ts';

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: '10' },
    iterations: { type: 'string', default: '1500000' },
    threads: { type: 'string', default: '2' },
    'window-ms': { type: 'string', default: '1000' },
    'interval-ms': { type: 'string' },
  },
});
const pairs = Number(values.pairs);
const iterations = Number(values.iterations);
const threads = Number(values.threads);
const windowMs = Number(values['window-ms']);
const intervalMs =
  values['interval-ms'] === undefined ? chooseIntervalMs(windowMs) : Number(values['interval-ms']);
/** CPU ms per per-thread snapshot of the live subject tree, measured before each monitored run's work starts. */
const snapshotMs: number[] = [];
let snapshotThreads = 0;
const work = new URL('./fixtures/monitor-work.ts', import.meta.url).pathname;

interface Sample {
  elapsedMs: number;
  /** Driver CPU during the work, % of one core (the monitor's cost when it runs). */
  driverCpuPercent: number;
  treeCpuPercent: number | null;
}

async function runOnce(withMonitor: boolean): Promise<Sample> {
  const child = spawn(process.execPath, [work, String(threads), String(iterations)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  const lines = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready\n') && !started) start();
      const match = /elapsedMs ([\d.]+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) =>
      out.includes('elapsedMs') ? undefined : reject(new Error(`work exited ${code}`)),
    );
  });
  let started = false;
  let monitor: ReturnType<typeof startMonitor> | null = null;
  let cpuStart = process.cpuUsage();
  let wallStart = performance.now();
  const start = (): void => {
    started = true;
    if (withMonitor) {
      const pid = child.pid ?? 0;
      // CPU time, not wall time: on a busy machine a snapshot's wall time is mostly waiting for a CPU.
      const cpu0 = process.cpuUsage();
      const rounds = 10;
      let snapshot = snapshotTree([pid], 0);
      for (let i = 1; i < rounds; i++) snapshot = snapshotTree([pid], 0);
      const used = process.cpuUsage(cpu0);
      snapshotMs.push((used.user + used.system) / 1000 / rounds);
      snapshotThreads = snapshot.processes[0]?.tasks.length ?? 0;
    }
    // Before startMonitor: its first reading and per-thread snapshot are part of its cost.
    cpuStart = process.cpuUsage();
    wallStart = performance.now();
    if (withMonitor) monitor = startMonitor({ rootPid: child.pid ?? 0, intervalMs });
    child.stdin.end('go\n');
  };
  const elapsedMs = Number(await lines);
  const report = (monitor as ReturnType<typeof startMonitor> | null)?.stop() ?? null;
  const cpu = process.cpuUsage(cpuStart);
  const wallMs = performance.now() - wallStart;
  await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
  return {
    elapsedMs,
    driverCpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
    treeCpuPercent: report ? report.summary.treeCpuPercent : null,
  };
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
function sd(xs: number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}
/** Two-sided 95% t quantiles for small df (df ≥ 30 ≈ 2.04). */
function t95(df: number): number {
  const table = [12.71, 4.3, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23, 2.2, 2.18, 2.16, 2.14, 2.13];
  return table[df - 1] ?? (df < 30 ? 2.09 : 2.04);
}

const without: Sample[] = [];
const withMon: Sample[] = [];
await runOnce(false); // warm the page cache and the JIT of the driver; not counted
for (let i = 0; i < pairs; i++) {
  // ABBA: neither arm always goes first.
  const order = i % 2 === 0 ? [false, true] : [true, false];
  for (const arm of order) (arm ? withMon : without).push(await runOnce(arm));
  process.stderr.write(`pair ${i + 1}/${pairs}\n`);
}

const diffs = withMon.map((s, i) => s.elapsedMs - (without[i]?.elapsedMs ?? 0));
const a = without.map((s) => s.elapsedMs);
const b = withMon.map((s) => s.elapsedMs);
const halfWidth = (t95(diffs.length - 1) * sd(diffs)) / Math.sqrt(diffs.length);
const pct = (x: number): string => `${((x / mean(a)) * 100).toFixed(2)}%`;
console.log(
  `monitor overhead: ${threads} threads × ${iterations} SHA-256, ${pairs} ABBA pairs, interval ${intervalMs} ms${values['interval-ms'] === undefined ? ` (chosen for a ${windowMs} ms window)` : ''}, node ${process.versions.node}`,
);
console.log(`  without monitor: ${mean(a).toFixed(1)} ms ± ${sd(a).toFixed(1)} (sd)`);
console.log(`  with monitor:    ${mean(b).toFixed(1)} ms ± ${sd(b).toFixed(1)} (sd)`);
console.log(
  `  paired difference (with − without): ${mean(diffs).toFixed(1)} ms = ${pct(mean(diffs))}, 95% CI ±${halfWidth.toFixed(1)} ms (±${pct(halfWidth)})`,
);
console.log(`  ratio with/without: ${(mean(b) / mean(a)).toFixed(4)}`);
console.log(
  `  driver CPU during the work: without ${mean(without.map((s) => s.driverCpuPercent)).toFixed(2)}% of a core, with ${mean(withMon.map((s) => s.driverCpuPercent)).toFixed(2)}%`,
);
console.log(
  `  monitor's own cost ≈ ${(mean(withMon.map((s) => s.driverCpuPercent)) - mean(without.map((s) => s.driverCpuPercent))).toFixed(2)}% of one core`,
);
console.log(
  `  tree CPU seen by the monitor: ${mean(withMon.map((s) => s.treeCpuPercent ?? 0)).toFixed(1)}% (of one core)`,
);
const perSnapshot = mean(snapshotMs);
console.log(
  `  per-thread snapshot of the tree (${snapshotThreads} threads): ${perSnapshot.toFixed(2)} ms of CPU; two per window = ${(((2 * perSnapshot) / windowMs) * 100).toFixed(2)}% of one core over a ${windowMs} ms window`,
);
