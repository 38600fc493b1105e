/**
 * Benchmark: how the spread of a batch cell's repetitions depends on the
 * length of its measured window — the evidence behind the default minimum
 * window (src/batch/sizing.ts). One cell is timed over windows of several
 * lengths (rounds over the same items, as calibration sizes them), each
 * repetition a fresh subject, the window lengths interleaved in a shuffled
 * order per repetition so drift of a shared machine spreads over all of
 * them. Prints, per window: the rounds, the median window, the coefficient
 * of variation of the per-pass time and the 95% precision it gives.
 *
 *   node bench/min-window.ts [reps=6] [model=threads] [workload=cpu.js] [param=iters=1000000] [items=4]
 */
import { loadavg } from 'node:os';
import { calibrateGroup } from '../src/batch/driver/calibrate.ts';
import { runBatchCell } from '../src/batch/driver/run-cell.ts';
import { resolveBatchSpec } from '../src/batch/spec.ts';
import { resolveRuntime } from '../src/runtimes/registry.ts';
import { coefficientOfVariation } from '../src/stats/descriptive.ts';
import { precisionPercent } from '../src/stats/precision.ts';
import { mulberry32 } from '../src/workloads/prng.ts';

const reps = Number(process.argv[2] ?? 6);
const model = process.argv[3] ?? 'threads';
const workload = process.argv[4] ?? 'cpu.js';
const [paramName, paramValue] = (process.argv[5] ?? 'iters=1000000').split('=');
const items = Number(process.argv[6] ?? 4);
const windowsS = [0.05, 0.1, 0.25, 0.5, 1, 2];

const runtime = resolveRuntime('node');
const spec = resolveBatchSpec({
  workload,
  params: paramName ? { [paramName]: paramValue } : {},
  model,
  concurrency: 2,
  items,
});
const load0 = loadavg()[0] ?? 0;
// The pass time, as a calibration pass sees it (its minimum is irrelevant here: only fastestRoundMs is used).
const { fastestRoundMs } = await calibrateGroup([spec], runtime, { minWindowMs: 500, repetitions: 1 });
if (fastestRoundMs === null) throw new Error('the cell could not be calibrated');
const roundsFor = (seconds: number): number => Math.max(1, Math.round((seconds * 1000) / fastestRoundMs));

const perPass = new Map<number, number[]>(windowsS.map((w) => [w, []]));
const windows = new Map<number, number[]>(windowsS.map((w) => [w, []]));
const random = mulberry32(1);
for (let r = 0; r < reps; r++) {
  const order = windowsS.toSorted(() => random() - 0.5);
  for (const w of order) {
    const rounds = roundsFor(w);
    const sizing = { rounds, minWindowMs: 10, fastestRoundMs, fastest: model, capped: false };
    const cell = await runBatchCell({ ...spec, repetitions: 1, sizing }, runtime);
    if (cell.status !== 'ok') throw new Error(`${w} s: ${cell.reason ?? cell.status}`);
    perPass.get(w)?.push(cell.durationsMs[0] ?? Number.NaN);
    windows.get(w)?.push(cell.windowsMs?.[0] ?? Number.NaN);
  }
}
const load1 = loadavg()[0] ?? 0;

const median = (values: number[]): number =>
  values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
console.log(
  `${workload} ${paramName}=${paramValue} × ${items} items, ${model} c=${spec.concurrency} on ${runtime.label}; pass ≈ ${fastestRoundMs.toFixed(1)} ms; ${reps} repetitions per window; load average ${load0.toFixed(1)} → ${load1.toFixed(1)}`,
);
console.log('window target  rounds  median window  per-pass CV  95% precision');
for (const w of windowsS) {
  const values = perPass.get(w) ?? [];
  const cv = coefficientOfVariation(values) * 100;
  const precision = precisionPercent(values);
  console.log(
    `${`${w} s`.padStart(13)}  ${String(roundsFor(w)).padStart(6)}  ${`${median(windows.get(w) ?? []).toFixed(0)} ms`.padStart(13)}  ${`${cv.toFixed(1)}%`.padStart(11)}  ${`±${precision?.toFixed(1) ?? '-'}%`.padStart(13)}`,
  );
}
