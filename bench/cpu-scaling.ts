/**
 * CPU scaling: cpu.js on 2 workers (conlab threads and processes models,
 * through the real batch driver) as a ratio to what two independent
 * processes started side by side achieve in the same run — the best this
 * machine can do right now, whatever else is running on it.
 *
 *   speedup(model)   = T(sequential, 2N items) ÷ T(model with 2 workers, 2N items)
 *   speedup(ceiling) = 2 × T(one process, N items) ÷ T(two processes side by side, N items each)
 *   ratio            = speedup(model) ÷ speedup(ceiling)      goal ≥ 0.95
 *
 *   node bench/cpu-scaling.ts [--items 20] [--iters 10000000] [--rounds 5] [--runtime node]
 */
import { spawn } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { runBatchCell } from '../src/batch/driver/run-cell.ts';
import { resolveRuntime, type RuntimeSpec } from '../src/runtimes/registry.ts';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '20' },
    iters: { type: 'string', default: '10000000' },
    rounds: { type: 'string', default: '5' },
    runtime: { type: 'string', default: 'node' },
  },
});
const N = Number(values.items);
const ITERS = values.iters;
const ROUNDS = Number(values.rounds);
const runtime = resolveRuntime(values.runtime);
const alone = new URL('./pool-fixture-cpu-alone.ts', import.meta.url).pathname;

/** Starts `count` independent processes, releases them together, returns the slowest one's own time. */
async function independent(rt: RuntimeSpec, count: number): Promise<number> {
  const children = Array.from({ length: count }, () =>
    spawn(rt.binPath, rt.scriptArgs(alone, [String(N), ITERS]), { stdio: ['pipe', 'pipe', 'inherit'] }),
  );
  let ready = 0;
  const times = children.map(
    (child) =>
      new Promise<number>((resolve, reject) => {
        let text = '';
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (chunk: string) => {
          const wasReady = text.includes('ready\n');
          text += chunk;
          // Release everyone at once, when the last one has loaded its code.
          if (!wasReady && text.includes('ready\n') && ++ready === count) {
            for (const c of children) c.stdin.write('go\n');
          }
        });
        child.on('exit', () => {
          const ms = Number(text.split('ready\n')[1]?.trim());
          if (Number.isFinite(ms)) resolve(ms);
          else reject(new Error(`independent process printed '${text}'`));
        });
      }),
  );
  return Math.max(...(await Promise.all(times)));
}

async function cell(model: string, concurrency: number): Promise<number> {
  const result = await runBatchCell(
    { workload: 'cpu.js', params: { iters: ITERS }, model, concurrency, items: 2 * N, repetitions: 1 },
    runtime,
  );
  if (result.status !== 'ok') throw new Error(`${model}: ${result.reason ?? ''}`);
  return result.durationMs;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const samples: Record<string, number[]> = { ceiling: [], threads: [], processes: [] };
console.log(
  `machine: ${availableParallelism()} cores, load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} at start`,
);
console.log(
  `cpu scaling: cpu.js iters=${ITERS}, ${2 * N} items on 2 workers vs ${N} items each in 2 independent processes, ${ROUNDS} rounds, ${runtime.label}`,
);
for (let round = 0; round < ROUNDS; round++) {
  const one = await independent(runtime, 1);
  const two = await independent(runtime, 2);
  const sequential = await cell('sequential', 1);
  const threads = await cell('threads', 2);
  const processes = await cell('processes', 2);
  const ceiling = (2 * one) / two;
  samples.ceiling?.push(ceiling);
  samples.threads?.push(sequential / threads);
  samples.processes?.push(sequential / processes);
  console.log(
    `  round ${round + 1}: one ${one.toFixed(0)} ms, two side by side ${two.toFixed(0)} ms → ceiling ${ceiling.toFixed(2)}×; ` +
      `sequential ${sequential.toFixed(0)} ms, threads ${threads.toFixed(0)} ms (${(sequential / threads).toFixed(2)}×), processes ${processes.toFixed(0)} ms (${(sequential / processes).toFixed(2)}×)`,
  );
}
const ceiling = median(samples.ceiling ?? []);
for (const model of ['threads', 'processes']) {
  const speedup = median(samples[model] ?? []);
  const ratios = (samples[model] ?? []).map((s, i) => s / (samples.ceiling?.[i] ?? NaN));
  console.log(
    `${model.padEnd(9)} speedup ${speedup.toFixed(2)}× vs ceiling ${ceiling.toFixed(2)}× → ratio of medians ${(speedup / ceiling).toFixed(2)}, median of per-round ratios ${median(ratios).toFixed(2)} (goal ≥ 0.95)`,
  );
}
console.log(
  `load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} at end`,
);
