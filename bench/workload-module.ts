/**
 * Benchmark: a workload module against the built-in workload doing the same
 * work. `cpu.js` and `cpu.sha256` are each run as the built-in and as a
 * module (bench/fixtures/: the same function, imported), under sequential,
 * threads and processes, in the same run: rounds alternate which of the two
 * goes first, each cell one repetition in a fresh subject. Prints, per
 * workload and model, the median cell time of each and the ratio
 * module ÷ built-in (median and range of the per-round ratios). Target:
 * within 5 %.
 *
 * Cell times on a shared machine move by more than 5 % from one run to the
 * next, so the script also times the same items in this process, without
 * subjects: the built-in's runSync and the module's runItem (task call,
 * canonical JSON of the result) back to back, pair after pair, on a
 * one-step item (the fixed cost of the module path) and on the cells' item
 * size. The per-pair ratio is immune to drift of the machine.
 *
 *   node bench/workload-module.ts [--rounds 5] [--items 24] [--concurrency 2]
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { runBatchCell } from '../src/batch/driver/run-cell.ts';
import { resolveRuntime } from '../src/runtimes/registry.ts';
import { getWorkload, loadWorkload, resolveParams } from '../src/workloads/index.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    items: { type: 'string', default: '24' },
    concurrency: { type: 'string', default: '2' },
  },
});
const rounds = Number(values.rounds);
const items = Number(values.items);
const concurrency = Number(values.concurrency);
const runtime = resolveRuntime('node');
const models = ['sequential', 'threads', 'processes'];

const fixture = (file: string): string => fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url));
/** Per item ≈ 20 ms on a quiet core, so a sequential cell is about half a second. */
const pairs = [
  { builtin: 'cpu.js', module: getWorkload(fixture('cpu-js-module.ts')).name, params: { iters: 2_000_000 } },
  { builtin: 'cpu.sha256', module: getWorkload(fixture('sha256-module.ts')).name, params: { iters: 20_000 } },
];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

async function cellMs(workload: string, params: Record<string, number>, model: string): Promise<number> {
  const cell = await runBatchCell({ workload, params, model, concurrency, items, repetitions: 1 }, runtime);
  if (cell.status !== 'ok') throw new Error(`${workload} ${model}: ${cell.status} ${cell.reason ?? ''}`);
  return cell.durationMs;
}

/** The q-quantile of values (nearest rank). */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/**
 * In this process, without subjects: one item of the built-in (runSync) and
 * one of the module (runItem: task call + canonical JSON) timed back to back,
 * `pairs` times, alternating which goes first. Drift of the shared machine
 * hits both halves of a pair alike, so the per-pair ratio isolates what the
 * module path costs at this item size.
 */
async function pairedItems(
  builtinName: string,
  modulePath: string,
  params: Record<string, number | string>,
  pairs: number,
  /** Calls timed together as one half of a pair: many for a one-step item, whose single call is below the clock's grain. */
  repeat: number,
): Promise<{ medianRatio: number; q1: number; q3: number; builtinUs: number; moduleUs: number }> {
  const builtin = getWorkload(builtinName);
  const resolved = resolveParams(builtin, params);
  const described = getWorkload(modulePath);
  const module = await loadWorkload(described.name, { params: resolveParams(described, params), items: 1 });
  const runItem = module.runItem;
  if (!runItem) throw new Error('a module workload has runItem');
  const ratios: number[] = [];
  const builtinUs: number[] = [];
  const moduleUs: number[] = [];
  const timeBuiltin = (i: number): number => {
    const start = performance.now();
    for (let k = 0; k < repeat; k++) builtin.runSync(resolved, i);
    return (performance.now() - start) / repeat;
  };
  const timeModule = (i: number): number => {
    let answer: unknown;
    const start = performance.now();
    for (let k = 0; k < repeat; k++) answer = runItem(resolved, i);
    const elapsed = performance.now() - start;
    if (typeof answer !== 'string') throw new Error('these tasks are synchronous and answer a text');
    return elapsed / repeat;
  };
  for (let i = 0; i < pairs + 10; i++) {
    let builtinMs: number;
    let moduleMs: number;
    if (i % 2 === 0) {
      builtinMs = timeBuiltin(i);
      moduleMs = timeModule(i);
    } else {
      moduleMs = timeModule(i);
      builtinMs = timeBuiltin(i);
    }
    if (i < 10) continue; // warm-up: both paths compiled before counting
    builtinUs.push(builtinMs * 1000);
    moduleUs.push(moduleMs * 1000);
    ratios.push(moduleMs / builtinMs);
  }
  return {
    medianRatio: median(ratios),
    q1: quantile(ratios, 0.25),
    q3: quantile(ratios, 0.75),
    builtinUs: median(builtinUs),
    moduleUs: median(moduleUs),
  };
}

const load = loadavg().map((value) => value.toFixed(1));
console.log(`node bench/workload-module.ts --rounds ${rounds} --items ${items} --concurrency ${concurrency}`);
console.log(`${runtime.label}; load average at start ${load.join(' ')}`);
const rows: string[][] = [];
for (const pair of pairs) {
  for (const model of models) {
    const builtinMs: number[] = [];
    const moduleMs: number[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      // Alternate which runs first, so a drift of the shared machine favours neither.
      const order = round % 2 === 0 ? ['builtin', 'module'] : ['module', 'builtin'];
      const times: Record<string, number> = {};
      for (const which of order) {
        times[which] = await cellMs(which === 'builtin' ? pair.builtin : pair.module, pair.params, model);
      }
      builtinMs.push(times.builtin ?? NaN);
      moduleMs.push(times.module ?? NaN);
      ratios.push((times.module ?? NaN) / (times.builtin ?? NaN));
    }
    const row = [
      pair.builtin,
      model,
      median(builtinMs).toFixed(1),
      median(moduleMs).toFixed(1),
      median(ratios).toFixed(3),
      `${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}`,
    ];
    rows.push(row);
    console.log(row.join('\t'));
  }
}
console.log(
  '\nthe same items in this process, built-in and module back to back (median of per-pair ratios, IQR):',
);
for (const pair of pairs) {
  const path = pair.module.slice(0, pair.module.lastIndexOf('#'));
  for (const [label, params] of [
    ['one-step item', { iters: 1 }],
    ['cell-sized item', pair.params],
  ] as const) {
    const oneStep = label === 'one-step item';
    const result = await pairedItems(pair.builtin, path, params, oneStep ? 300 : 150, oneStep ? 2000 : 1);
    const line = `${pair.builtin}, ${label}: built-in ${result.builtinUs.toFixed(2)} µs, module ${result.moduleUs.toFixed(2)} µs, module ÷ built-in ${result.medianRatio.toFixed(3)} (IQR ${result.q1.toFixed(3)}–${result.q3.toFixed(3)})`;
    console.log(line);
  }
}
const loadAtEnd = loadavg().map((value) => value.toFixed(1));
console.log(`load average at end ${loadAtEnd.join(' ')}`);
console.log(
  '\n| workload | model | built-in ms (median) | module ms (median) | module ÷ built-in (median) | per-round range |',
);
console.log('| --- | --- | ---: | ---: | ---: | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
