/**
 * Why does cpu.sha256 not scale on threads? The cpu.sha256 chain
 * (createHash per link, as the workload does it) and the same chain with the
 * one-shot crypto.hash(), each run sequential, on W worker threads and in W
 * child processes (bench/fixtures/sha256-shapes.ts), interleaved in rounds,
 * every run a fresh process watched by conlab's monitor: per-thread
 * accounting over the window (src/monitor/accounting.ts), GC pauses as the
 * runtime reports them, and the likely cause the lab would give
 * (src/monitor/causes.ts). Speedups are paired within a round (the sequential
 * run of the same variant in the same round).
 *
 *   node bench/sha256-scaling.ts [--rounds 5] [--items 16] [--iters 20000] [--workers 2] [--runtime node]
 *                                [--variants createHash,oneshot] [--runtime-flags "--single-threaded-gc"] [--json]
 *
 * CPU per item (the tree's CPU over the window ÷ items) is the figure that
 * survives a busy machine: it counts the work done, not how long a core was
 * free; a model that spends more CPU than sequential on the same items pays
 * for contention, GC or messaging.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { startMonitor } from '../src/monitor/index.ts';
import { accountingFigures, likelyCause } from '../src/monitor/causes.ts';
import type { MonitorReport } from '../src/monitor/types.ts';
import { resolveRuntime } from '../src/runtimes/registry.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    items: { type: 'string', default: '16' },
    iters: { type: 'string', default: '20000' },
    workers: { type: 'string', default: '2' },
    runtime: { type: 'string', default: 'node' },
    variants: { type: 'string', default: 'createHash,oneshot' },
    'runtime-flags': { type: 'string', default: '' },
    json: { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const items = Number(values.items);
const iters = Number(values.iters);
const workers = Number(values.workers);
const runtime = resolveRuntime(values.runtime);
const variants = values.variants.split(',');
const runtimeFlags = values['runtime-flags'].split(' ').filter((flag) => flag !== '');
const modes = ['sequential', 'threads', 'processes'] as const;
const fixture = new URL('./fixtures/sha256-shapes.ts', import.meta.url).pathname;

interface Run {
  variant: string;
  mode: string;
  round: number;
  durationMs: number;
  gcMs: number | null;
  gcCount: number | null;
  monitor: MonitorReport;
}

async function runOnce(variant: string, mode: string, round: number): Promise<Run> {
  const child = spawn(
    runtime.binPath,
    [
      ...runtimeFlags,
      ...runtime.scriptArgs(fixture, [mode, variant, String(workers), String(items), String(iters)]),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'], detached: true },
  );
  let out = '';
  const line = (test: (text: string) => boolean): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const found = out.split('\n').find(test);
        if (found !== undefined) resolve(found);
      };
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        check();
      });
      child.once('exit', (code) => reject(new Error(`${mode} ${variant} exited ${code}: ${out}`)));
    });
  await line((text) => text === 'ready');
  const monitor = startMonitor({ rootPid: child.pid ?? 0, expectedWindowMs: 1000 });
  child.stdin.write('go\n');
  const result = JSON.parse(await line((text) => text.startsWith('{'))) as {
    durationMs: number;
    gcMs: number | null;
    gcCount: number | null;
  };
  const report = monitor.stop({ offsetMs: 0, durationMs: result.durationMs });
  child.stdin.end();
  await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
  return { variant, mode, round, ...result, monitor: report };
}

const median = (xs: number[]): number => {
  const sorted = xs.toSorted((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const range = (xs: number[], digits = 2): string =>
  `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;

const runs: Run[] = [];
for (let round = 0; round < rounds; round++) {
  // Rotate the order each round so no configuration always runs first.
  const order = variants.flatMap((variant) => modes.map((mode) => ({ variant, mode })));
  const shift = round % order.length;
  for (const { variant, mode } of [...order.slice(shift), ...order.slice(0, shift)]) {
    runs.push(await runOnce(variant, mode, round));
  }
  process.stderr.write(`round ${round + 1}/${rounds}\n`);
}

const rows = variants.flatMap((variant) =>
  modes.map((mode) => {
    const mine = runs.filter((run) => run.variant === variant && run.mode === mode);
    const speedups = mine.flatMap((run) => {
      const base = runs.find(
        (r) => r.variant === variant && r.mode === 'sequential' && r.round === run.round,
      );
      return base ? [base.durationMs / run.durationMs] : [];
    });
    const figures = mine.flatMap((run) =>
      run.monitor.accounting ? [accountingFigures(run.monitor.accounting)] : [],
    );
    const treeCpu = mine.map(
      (run) => run.monitor.window?.treeCpuPercent ?? run.monitor.summary.treeCpuPercent,
    );
    const cpuMsPerItem = figures.map((f) => f.cpuMs / items);
    const outside = mine.map((run) => run.monitor.window?.outsideCpuPercent ?? 0);
    const gc = mine.flatMap((run) => (run.gcMs === null ? [] : [run.gcMs]));
    const gcCount = mine.flatMap((run) => (run.gcCount === null ? [] : [run.gcCount]));
    return {
      variant,
      mode,
      durationMs: median(mine.map((run) => run.durationMs)),
      speedup: median(speedups),
      speedupRange: range(speedups),
      treeCpuPercent: median(treeCpu),
      cpuMsPerItem: median(cpuMsPerItem),
      cpuMsPerItemRange: range(cpuMsPerItem, 1),
      systemShare: median(figures.map((f) => f.systemShare)),
      workingWaitShare: median(figures.map((f) => f.workingWaitShare ?? 0)),
      switchesPerCpuSecond: median(figures.map((f) => f.workingSwitchesPerCpuSecond)),
      involuntarySwitches: median(figures.map((f) => f.involuntarySwitches)),
      helperShare: median(figures.map((f) => (f.cpuMs > 0 ? f.helperCpuMs / f.cpuMs : 0))),
      gcMs: gc.length > 0 ? median(gc) : null,
      gcCount: gcCount.length > 0 ? median(gcCount) : null,
      outsideCpuPercent: median(outside),
      last: mine.at(-1),
    };
  }),
);

const causes = rows.map((row) => {
  if (row.mode === 'sequential') return '';
  const base = rows.find((r) => r.variant === row.variant && r.mode === 'sequential');
  const cause = likelyCause({
    speedup: row.speedup,
    workers,
    cores: row.last?.monitor.cores ?? 2,
    baselineName: 'sequential',
    baselineCpuPercent: base?.treeCpuPercent ?? 100,
    cellCpuPercent: row.treeCpuPercent,
    ...(base?.last?.monitor.accounting ? { baseline: base.last.monitor.accounting } : {}),
    ...(row.last?.monitor.accounting ? { cell: row.last.monitor.accounting } : {}),
    outsideCpuPercent: row.outsideCpuPercent,
  });
  return cause ? cause.text : 'reached 85% of its workers';
});

if (values.json) {
  process.stdout.write(
    `${JSON.stringify({ runtime: runtime.label, rows: rows.map(({ last: _last, ...row }) => row), causes }, null, 2)}\n`,
  );
} else {
  const pct = (x: number): string => `${Math.round(x * 100)}%`;
  console.log(
    `cpu.sha256 scaling on ${runtime.label}${runtimeFlags.length > 0 ? ` ${runtimeFlags.join(' ')}` : ''}: ${items} items × ${iters} links, ${workers} workers, ${rounds} rounds (medians; speedup paired per round)`,
  );
  console.log(
    "| variant | model | time ms | speedup (range) | tree CPU | CPU ms/item (range) | ÷ sequential | sys | workers' rq wait | vol. sw./CPU-s | invol. sw. | helpers' CPU | GC ms (count) | outside CPU |",
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const row of rows) {
    const base = rows.find((r) => r.variant === row.variant && r.mode === 'sequential');
    console.log(
      `| ${row.variant} | ${row.mode} | ${row.durationMs.toFixed(0)} | ${row.speedup.toFixed(2)}× (${row.speedupRange}) | ${row.treeCpuPercent.toFixed(0)}% | ${row.cpuMsPerItem.toFixed(1)} (${row.cpuMsPerItemRange}) | ${base ? (row.cpuMsPerItem / base.cpuMsPerItem).toFixed(2) : '-'} | ${pct(row.systemShare)} | ${pct(row.workingWaitShare)} | ${row.switchesPerCpuSecond.toFixed(0)} | ${row.involuntarySwitches.toFixed(0)} | ${pct(row.helperShare)} | ${row.gcMs === null ? '-' : `${row.gcMs.toFixed(0)} (${row.gcCount ?? '?'})`} | ${row.outsideCpuPercent.toFixed(0)}% |`,
    );
  }
  console.log("\nlikely causes (the lab's rules, src/monitor/causes.ts):");
  rows.forEach((row, i) => {
    if (row.mode !== 'sequential') console.log(`  ${row.variant} ${row.mode}: ${causes[i]}`);
  });
}
