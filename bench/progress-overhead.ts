/**
 * Cost of `conlab load`'s live progress: the same load run with --progress
 * and with --quiet, interleaved (on, off, on, off, …) against one hello
 * server in its own process; prints the median and spread of the verified
 * req/s of each side and the ratio on/off, and the generator's whole-process
 * CPU per request (processCpuPercent × (warm-up + duration) ÷ measured
 * requests) on/off: req/s
 * moves ±10% between runs on 2 shared cores, CPU per request much less, so
 * it is the finer measure of what progress costs. Progress formats one line per
 * second from the generator's merged per-second report, so the expected
 * cost is noise; the bar is < 1%.
 *
 *   node bench/progress-overhead.ts [pairs=5] [seconds=3]
 */
import { spawn, execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const pairs = Number(process.argv[2] ?? 5);
const WARMUP_S = 1;
const seconds = Number(process.argv[3] ?? 3);
const bin = fileURLToPath(new URL('../bin/conlab.js', import.meta.url));
const serverScript = fileURLToPath(new URL('./load-hello-server.ts', import.meta.url));

const server = spawn(process.execPath, [serverScript, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<number>((resolve) =>
  server.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
);

interface Sample {
  rps: number;
  /** The generator process's CPU per verified request, µs. */
  cpuUsPerRequest: number;
}

function measure(progress: boolean): Sample {
  const args = [
    bin,
    'load',
    `http://127.0.0.1:${port}/`,
    '-c',
    '16',
    '-d',
    String(seconds),
    '--warmup',
    String(WARMUP_S),
    '--json',
  ];
  args.push(progress ? '--progress' : '--quiet');
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const result = JSON.parse(out) as {
    rps: number;
    requests: number;
    durationS: number;
    processCpuPercent?: number;
  };
  // processCpuPercent is over the whole run (1 s warm-up + the window): the same share on both sides.
  const cpuS = ((result.processCpuPercent ?? Number.NaN) / 100) * (seconds + WARMUP_S);
  return { rps: result.rps, cpuUsPerRequest: (cpuS * 1e6) / result.requests };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

try {
  const on: number[] = [];
  const off: number[] = [];
  const ratios: number[] = [];
  const cpuOn: number[] = [];
  const cpuOff: number[] = [];
  const cpuRatios: number[] = [];
  for (let i = 0; i < pairs; i++) {
    // Alternate which side goes first so a drift in machine load hits both.
    const [a, b] = i % 2 === 0 ? [measure(true), measure(false)] : [measure(false), measure(true)].reverse();
    if (!a || !b) continue;
    on.push(a.rps);
    off.push(b.rps);
    ratios.push(a.rps / b.rps);
    cpuOn.push(a.cpuUsPerRequest);
    cpuOff.push(b.cpuUsPerRequest);
    cpuRatios.push(a.cpuUsPerRequest / b.cpuUsPerRequest);
  }
  const spread = (values: number[]) =>
    `${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))}`;
  process.stdout.write(
    `load average ${loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}; ${pairs} pairs of ${seconds}s runs, -c 16, 1 generator thread\n` +
      `progress on:  median ${Math.round(median(on))} req/s (range ${spread(on)})\n` +
      `progress off: median ${Math.round(median(off))} req/s (range ${spread(off)})\n` +
      `on/off per pair: median ${median(ratios).toFixed(4)} (range ${Math.min(...ratios).toFixed(4)}–${Math.max(...ratios).toFixed(4)})\n` +
      `generator CPU per request: on ${median(cpuOn).toFixed(2)} µs, off ${median(cpuOff).toFixed(2)} µs (medians)\n` +
      `CPU per request on/off per pair: median ${median(cpuRatios).toFixed(4)} (range ${Math.min(...cpuRatios).toFixed(4)}–${Math.max(...cpuRatios).toFixed(4)})\n`,
  );
} finally {
  server.kill();
}
