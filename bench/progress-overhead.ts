/**
 * Cost of `conlab load`'s live progress: the same load run with --progress
 * and with --quiet, interleaved (on, off, on, off, …) against one hello
 * server in its own process; prints the median and spread of the verified
 * req/s of each side and the ratio on/off. Progress formats one line per
 * second from the generator's merged per-second report, so the expected
 * cost is noise; the bar is < 1%.
 *
 *   node bench/progress-overhead.ts [pairs=5] [seconds=3]
 */
import { spawn, execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const pairs = Number(process.argv[2] ?? 5);
const seconds = Number(process.argv[3] ?? 3);
const bin = fileURLToPath(new URL('../bin/conlab.js', import.meta.url));
const serverScript = fileURLToPath(new URL('./load-hello-server.ts', import.meta.url));

const server = spawn(process.execPath, [serverScript, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<number>((resolve) =>
  server.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
);

function rps(progress: boolean): number {
  const args = [
    bin,
    'load',
    `http://127.0.0.1:${port}/`,
    '-c',
    '16',
    '-d',
    String(seconds),
    '--warmup',
    '1',
    '--json',
  ];
  args.push(progress ? '--progress' : '--quiet');
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return (JSON.parse(out) as { rps: number }).rps;
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
  for (let i = 0; i < pairs; i++) {
    // Alternate which side goes first so a drift in machine load hits both.
    const [a, b] = i % 2 === 0 ? [rps(true), rps(false)] : [rps(false), rps(true)].reverse();
    on.push(a ?? 0);
    off.push(b ?? 0);
    ratios.push((a ?? 0) / (b ?? 1));
  }
  const spread = (values: number[]) =>
    `${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))}`;
  process.stdout.write(
    `load average ${loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}; ${pairs} pairs of ${seconds}s runs, -c 16, 1 generator thread\n` +
      `progress on:  median ${Math.round(median(on))} req/s (range ${spread(on)})\n` +
      `progress off: median ${Math.round(median(off))} req/s (range ${spread(off)})\n` +
      `on/off per pair: median ${median(ratios).toFixed(4)} (range ${Math.min(...ratios).toFixed(4)}–${Math.max(...ratios).toFixed(4)})\n`,
  );
} finally {
  server.kill();
}
