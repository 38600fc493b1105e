/**
 * Benchmark: is the default lab stable? Runs `conlab run` (the quick lab)
 * twice in a row, each into its own store, and prints a markdown table with
 * every cell's ratio to its baseline in both runs (batch: speedup over
 * sequential, the same workload and runtime; server: req/s over `single`),
 * each with its 95% interval (Fieller), and whether the two runs agree: the
 * two intervals overlap. Also the load average around each run, the wall
 * time, and how many cells carry a verdict. Nothing here reads timings of
 * conlab itself: only what each run stored.
 *
 *   node bench/lab-stability.ts [--suite FILE] [--keep DIR] [extra conlab run flags...]
 *   node bench/lab-stability.ts --keep DIR --tables-only   (the tables again, from the kept stores)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { baselineModel } from '../src/models/registry.ts';
import { mergeRepetitions } from '../src/results/merge.ts';
import type { BatchCell, RunData, ServerCell } from '../src/results/record.ts';
import { speedupGroupKey } from '../src/results/speedup.ts';
import { openStore } from '../src/results/store.ts';
import { baselineArchitecture } from '../src/servers/subject/arch/registry.ts';
import { ratioOfMeans, type RatioInterval } from '../src/stats/inference.ts';
import { precisionPercent } from '../src/stats/precision.ts';
import { primaryMetric } from '../src/results/primary.ts';

const args = process.argv.slice(2);
const tablesOnlyIndex = args.indexOf('--tables-only');
const tablesOnly = tablesOnlyIndex >= 0;
if (tablesOnly) args.splice(tablesOnlyIndex, 1);
const keepIndex = args.indexOf('--keep');
const keep = keepIndex >= 0 ? args.splice(keepIndex, 2)[1] : undefined;
const suiteIndex = args.indexOf('--suite');
const suite = suiteIndex >= 0 ? args.splice(suiteIndex, 2)[1] : undefined;
const bin = fileURLToPath(new URL('../bin/conlab.js', import.meta.url));
const dir = keep ?? mkdtempSync(join(tmpdir(), 'conlab-stability-'));

interface Run {
  data: RunData;
  loadBefore: number;
  loadAfter: number;
  wallS: number;
}

function runLab(index: number): Run {
  const store = join(dir, `run${index}.db`);
  const loadBefore = loadavg()[0] ?? 0;
  const started = performance.now();
  if (!tablesOnly) {
    const result = spawnSync(
      process.execPath,
      [bin, 'run', ...(suite ? [suite] : []), '--store', store, '--no-report', ...args],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (result.status !== 0) throw new Error(`conlab run ${index} exited ${String(result.status)}`);
  }
  const wallS = (performance.now() - started) / 1000;
  const opened = openStore(store, { create: false });
  try {
    return { data: opened.loadRun('latest'), loadBefore, loadAfter: loadavg()[0] ?? 0, wallS };
  } finally {
    opened.close();
  }
}

/** Each ok cell's ratio to its baseline in the same run, keyed by cellKey. */
function ratios(
  run: RunData,
): Map<string, { label: string; ratio: RatioInterval; precision: number | null }> {
  const merged = mergeRepetitions(run.cells).filter((cell) => cell.status === 'ok');
  const out = new Map<string, { label: string; ratio: RatioInterval; precision: number | null }>();
  const batchBaselines = new Map<string, BatchCell>();
  for (const cell of merged)
    if (cell.kind === 'batch' && cell.model === baselineModel.name)
      batchBaselines.set(speedupGroupKey(cell), cell);
  const serverBaseline = (cell: ServerCell): ServerCell | undefined =>
    merged.find(
      (other): other is ServerCell =>
        other.kind === 'server' &&
        other.architecture === baselineArchitecture.name &&
        other.runtime === cell.runtime &&
        other.endpoint === cell.endpoint &&
        other.connections === cell.connections &&
        other.rateRps === cell.rateRps,
    );
  for (const cell of merged) {
    const precision = precisionPercent(primaryMetric(cell).values);
    if (cell.kind === 'batch') {
      const base = batchBaselines.get(speedupGroupKey(cell));
      if (!base || cell.model === baselineModel.name) continue;
      const label = `${cell.runtime.split('.')[0]} ${cell.workload} ${cell.model} c=${cell.concurrency}`;
      out.set(cell.cellKey, { label, ratio: ratioOfMeans(cell.durationsMs, base.durationsMs), precision });
    } else if (cell.kind === 'server') {
      const base = serverBaseline(cell);
      if (!base || cell.architecture === baselineArchitecture.name) continue;
      const label = `${cell.runtime.split('.')[0]} /${cell.endpoint} ${cell.architecture} (req/s vs single)`;
      out.set(cell.cellKey, { label, ratio: ratioOfMeans(base.rpsPerRep, cell.rpsPerRep), precision });
    }
  }
  return out;
}

const interval = (r: RatioInterval): string =>
  `${r.ratio.toFixed(2)}× ${r.low === null || r.high === null ? '[–]' : `[${r.low.toFixed(2)}–${r.high.toFixed(2)}]`}`;
const overlap = (a: RatioInterval, b: RatioInterval): string =>
  a.low === null || a.high === null || b.low === null || b.high === null
    ? 'no interval'
    : a.low <= b.high && b.low <= a.high
      ? 'yes'
      : '**no**';

try {
  const first = runLab(1);
  const second = runLab(2);
  const a = ratios(first.data);
  const b = ratios(second.data);
  const verdicts = (run: Run): number =>
    mergeRepetitions(run.data.cells).filter((cell) => cell.status === 'ok' && cell.verdicts.length > 0)
      .length;
  for (const [i, run] of [first, second].entries()) {
    const stored = run.data.cells.length;
    const timing = tablesOnly
      ? `${run.data.run.startedAt} → ${run.data.run.endedAt ?? '?'}, load average at start ${run.data.run.env.loadAverage1m.toFixed(1)}`
      : `${run.wallS.toFixed(0)} s, load average ${run.loadBefore.toFixed(1)} → ${run.loadAfter.toFixed(1)}`;
    console.log(
      `run ${i + 1} (${run.data.run.runId}): ${run.data.run.status}, ${timing}, ${stored} cell repetitions stored, ${verdicts(run)} cells with a verdict`,
    );
  }
  console.log('\n| cell | run 1 ratio [95%] (±) | run 2 ratio [95%] (±) | agree (intervals overlap) |');
  console.log('| --- | --- | --- | --- |');
  for (const [key, one] of [...a].sort((x, y) => x[1].label.localeCompare(y[1].label))) {
    const two = b.get(key);
    const pm = (p: number | null) => (p === null ? '' : ` (±${p.toFixed(1)}%)`);
    console.log(
      `| ${one.label} | ${interval(one.ratio)}${pm(one.precision)} | ${two ? `${interval(two.ratio)}${pm(two.precision)}` : 'not measured'} | ${two ? overlap(one.ratio, two.ratio) : '-'} |`,
    );
  }
} finally {
  if (!keep) rmSync(dir, { recursive: true, force: true });
}
