/**
 * Benchmark: how much one window of a batch cell can move between fresh
 * processes, and why. Each of N fresh processes times P passes over the
 * same items of a kernel (the cpu.sha256 chain, or pure arithmetic as the
 * control) and reports every pass; the parent prints, for windows of W
 * passes after 0–3 untimed warm-up passes, the coefficient of variation of
 * the window means across processes. A kernel that allocates shows its
 * young generation growing in the first passes and major GCs landing in
 * some windows and not others; arithmetic shows neither.
 *
 *   node bench/pass-spread.ts [--processes 8] [--passes 16] [--window 5]
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const KERNELS = {
  /** cpu.sha256 as the workload runs it: 8 items × 20 000 chained createHash calls. */
  sha256: (): void => {
    for (let i = 0; i < 8; i++) {
      let digest = Buffer.from(`item-${i}`, 'utf8');
      for (let k = 0; k < 20_000; k++) digest = createHash('sha256').update(digest).digest();
    }
  },
  /** The control: arithmetic of about the same length, no allocation. */
  arithmetic: (): void => {
    let sink = 0;
    for (let i = 0; i < 8; i++) {
      let x = i + 1;
      for (let k = 0; k < 4_000_000; k++) x = (x * 1103515245 + 12345) % 2147483647;
      sink += x;
    }
    if (sink === -1) process.stdout.write('');
  },
} as const;
type Kernel = keyof typeof KERNELS;

const { values } = parseArgs({
  options: {
    processes: { type: 'string', default: '8' },
    passes: { type: 'string', default: '16' },
    window: { type: 'string', default: '5' },
    child: { type: 'string' },
  },
});
const passes = Number(values.passes);

if (values.child !== undefined) {
  const kernel = KERNELS[values.child as Kernel];
  const times: number[] = [];
  for (let p = 0; p < passes; p++) {
    const t0 = performance.now();
    kernel();
    times.push(performance.now() - t0);
  }
  process.stdout.write(JSON.stringify(times));
} else {
  const self = fileURLToPath(import.meta.url);
  const windowPasses = Number(values.window);
  const runs: Record<Kernel, number[][]> = { sha256: [], arithmetic: [] };
  // Alternate the kernels so a drift of the machine reaches both.
  for (let i = 0; i < Number(values.processes); i++) {
    for (const kernel of Object.keys(KERNELS) as Kernel[]) {
      const out = execFileSync(process.execPath, [self, '--child', kernel, '--passes', String(passes)], {
        encoding: 'utf8',
      });
      runs[kernel].push(JSON.parse(out) as number[]);
    }
  }
  const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
  const cv = (values: number[]): number => {
    const m = mean(values);
    return Math.sqrt(values.reduce((sum, v) => sum + (v - m) ** 2, 0) / (values.length - 1)) / m;
  };
  process.stdout.write(
    `pass spread: ${values.processes} fresh processes × ${passes} passes per kernel, windows of ${windowPasses} passes, node ${process.version}, load average ${loadavg()[0]?.toFixed(1)}\n\n`,
  );
  for (const kernel of Object.keys(KERNELS) as Kernel[]) {
    const list = runs[kernel];
    process.stdout.write(`${kernel}: passes per process (ms)\n`);
    for (const times of list) process.stdout.write(`  ${times.map((t) => Math.round(t)).join(' ')}\n`);
    process.stdout.write(
      '| untimed warm-up passes | window means (ms) | CV across processes |\n| ---: | --- | ---: |\n',
    );
    for (let warmup = 0; warmup <= 3 && warmup + windowPasses <= passes; warmup++) {
      const means = list.map((times) => mean(times.slice(warmup, warmup + windowPasses)));
      process.stdout.write(
        `| ${warmup} | ${means.map((m) => Math.round(m)).join(', ')} | ${(cv(means) * 100).toFixed(1)}% |\n`,
      );
    }
    process.stdout.write('\n');
  }
}
