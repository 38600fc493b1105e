/**
 * The capacity search against a server whose capacity can be computed: the
 * fixture-queue architecture (test/servers/fixtures/queue-arch.ts), c slots
 * each holding a request for exactly S ms, the rest queued FIFO. conlab's
 * open loop sends on an even schedule, so this is a D/D/c queue: below
 * μ = c / S every request takes S; above it the queue grows by (λ − μ) per
 * second for the whole run (warm-up W, then the window T), so a request
 * sent at time t takes S + (λ/μ − 1)·t, and the window's p99 reaches the
 * target G at
 *
 *     λ* = μ · (1 + (G − S) / (W + 0.99·T)).
 *
 * The fixture's real service time is a timer's, a little longer than S on a
 * busy machine; S' (the idle step's p50: service plus the loopback round
 * trip) gives μ' and λ*' the same way. Each round runs the real
 * `conlab capacity` CLI and compares the capacity it finds with λ* and λ*'
 * (target: within 10%), with its step count and total time.
 *
 *   node bench/capacity.ts [--rounds 3] [--service-ms 200] [--slots 16] [--target-ms 600]
 *                          [--duration 2] [--warmup 0.5]
 *
 * The defaults leave the target 400 ms above the service time: on a busy
 * machine the p99 of any step carries tens of ms of scheduling jitter (the
 * fixture's timers, the generator's loop), which a target only 100 ms above
 * S turns into early failures.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { REGISTRY_MODULES_ENV } from '../src/core/registry.ts';
import { openStore } from '../src/results/store.ts';
import type { CapacitySummary } from '../src/servers/capacity/summary.ts';
import { QUEUE_SERVICE_ENV } from '../test/servers/fixtures/queue-arch.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    'service-ms': { type: 'string', default: '200' },
    slots: { type: 'string', default: '16' },
    'target-ms': { type: 'string', default: '600' },
    duration: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '0.5' },
  },
});
const rounds = Number(values.rounds);
const serviceMs = Number(values['service-ms']);
const slots = Number(values.slots);
const targetMs = Number(values['target-ms']);
const durationS = Number(values.duration);
const warmupS = Number(values.warmup);

const bin = fileURLToPath(new URL('../bin/conlab.js', import.meta.url));
const fixture = fileURLToPath(new URL('../test/servers/fixtures/queue-arch.ts', import.meta.url));

/** Where the window's p99 of a D/D/c queue with service time `serviceS` crosses the target. */
function crossing(serviceS: number): number {
  const mu = slots / serviceS;
  return mu * (1 + (targetMs / 1000 - serviceS) / (warmupS + 0.99 * durationS));
}

function conlab(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      {
        env: { ...process.env, [REGISTRY_MODULES_ENV]: fixture, [QUEUE_SERVICE_ENV]: String(serviceMs) },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

interface Round {
  found: number | null;
  status: string;
  steps: number;
  searchS: number;
  wallS: number;
  idleP50Us: number;
  load: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
};

const dir = mkdtempSync(join(tmpdir(), 'conlab-bench-capacity-'));
const store = join(dir, 'results.db');
const results: Round[] = [];
try {
  for (let round = 1; round <= rounds; round++) {
    const load = loadavg()[0] ?? 0;
    const started = performance.now();
    const run = await conlab([
      'capacity',
      '--arch',
      'fixture-queue',
      '--threads',
      String(slots),
      '--endpoint',
      'cpu',
      '--iters',
      '1',
      '--p99',
      `${targetMs}ms`,
      '--duration',
      String(durationS),
      '--warmup',
      String(warmupS),
      '--json',
      '--store',
      store,
    ]);
    const wallS = (performance.now() - started) / 1000;
    if (run.stdout.trim() === '') throw new Error(`conlab capacity exited ${run.code}: ${run.stderr}`);
    const doc = JSON.parse(run.stdout) as { runId: string; searches: CapacitySummary[] };
    const search = doc.searches[0];
    if (!search) throw new Error('no search in the result');
    const opened = openStore(store, { create: false });
    const idle = opened
      .loadRun(doc.runId)
      .cells.find((cell) => cell.kind === 'server' && cell.capacity?.phase === 'idle');
    opened.close();
    const idleP50Us = idle?.kind === 'server' ? idle.latencyUs.p50 : NaN;
    results.push({
      found: search.capacityRps,
      status: search.status,
      steps: search.steps.length,
      searchS: search.spentS,
      wallS,
      idleP50Us,
      load,
    });
    const nominal = crossing(serviceMs / 1000);
    const measured = crossing(idleP50Us / 1e6);
    console.log(
      `round ${round}: ${search.status} ${search.capacityRps ?? '-'} req/s (interval ${search.lowRps ?? '-'}–${search.highRps ?? '-'}), ` +
        `λ* ${nominal.toFixed(1)} (S ${serviceMs} ms) → ×${((search.capacityRps ?? NaN) / nominal).toFixed(3)}, ` +
        `λ*' ${measured.toFixed(1)} (S' ${(idleP50Us / 1000).toFixed(1)} ms) → ×${((search.capacityRps ?? NaN) / measured).toFixed(3)}, ` +
        `${search.steps.length} steps, search ${search.spentS.toFixed(1)} s, wall ${wallS.toFixed(1)} s, load ${load.toFixed(1)}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const nominal = crossing(serviceMs / 1000);
// Only searches that found a capacity (not generator-limited at once, not failed) have a ratio.
const withCapacity = results.filter((r) => r.found !== null && Number.isFinite(r.idleP50Us));
const ratios = withCapacity.map((r) => (r.found ?? NaN) / nominal);
const measuredRatios = withCapacity.map((r) => (r.found ?? NaN) / crossing(r.idleP50Us / 1e6));
const statuses = results.map((r) => r.status).join(', ');
console.log(
  `\nD/D/c: c ${slots}, S ${serviceMs} ms (μ ${(slots / (serviceMs / 1000)).toFixed(1)} req/s), target p99 < ${targetMs} ms, window ${warmupS}+${durationS} s → λ* ${nominal.toFixed(1)} req/s`,
);
console.log(`searches: ${statuses}; with a capacity: ${withCapacity.length} of ${results.length}`);
console.log(
  `found ÷ λ*: median ${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}); ` +
    `found ÷ λ*' (measured S'): median ${median(measuredRatios).toFixed(3)} (${Math.min(...measuredRatios).toFixed(3)}–${Math.max(...measuredRatios).toFixed(3)})`,
);
console.log(
  `steps: median ${median(results.map((r) => r.steps))} (${Math.min(...results.map((r) => r.steps))}–${Math.max(...results.map((r) => r.steps))}); ` +
    `search time: median ${median(results.map((r) => r.searchS)).toFixed(1)} s; wall: median ${median(results.map((r) => r.wallS)).toFixed(1)} s; ` +
    `load average ${Math.min(...results.map((r) => r.load)).toFixed(1)}–${Math.max(...results.map((r) => r.load)).toFixed(1)}`,
);
