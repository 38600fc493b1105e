/**
 * Benchmark: what the suite machinery adds per cell repetition. The same
 * tiny batch cell is run N times (i) by calling the batch lab's
 * runBatchCell directly in a loop — the reference, nothing but the subject
 * process and its measurement — and (ii) through runSuiteSteps with the
 * real executor and a real SQLite store (plan, progress bookkeeping, one
 * transaction per record). Alternating rounds, same process; prints the
 * median wall time per repetition of each and the ratio suite/direct.
 * Both sides size the cell the same way once per round (one calibration
 * subject for a 10 ms window), so the calibration is in both or neither.
 *
 *   node bench/suite-overhead.ts [reps-per-round=6] [rounds=3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calibrateGroup } from '../src/batch/driver/calibrate.ts';
import { runBatchCell } from '../src/batch/driver/run-cell.ts';
import { resolveBatchSpec } from '../src/batch/spec.ts';
import { captureEnvironment } from '../src/monitor/environment.ts';
import { openStore } from '../src/results/store.ts';
import { resolveRuntime } from '../src/runtimes/registry.ts';
import { defaultCatalog } from '../src/suite/catalog.ts';
import { expandSuite, planOrder } from '../src/suite/expand.ts';
import { parseSuiteText } from '../src/suite/parse.ts';
import { resolveSuite } from '../src/suite/resolve.ts';
import { suiteExecutor } from '../src/suite/run-cells.ts';
import { runSuiteSteps } from '../src/suite/runner.ts';

const reps = Number(process.argv[2] ?? 6);
const rounds = Number(process.argv[3] ?? 3);
const runtime = resolveRuntime('node');
const cell = { workload: 'cpu.sha256', params: { iters: 1000 }, model: 'threads', concurrency: 2, items: 4 };

const text = `name: overhead
runtimes: [node]
repetitions: ${reps}
minWindowS: 0.01
order: sequential
batch:
  - workload: ${cell.workload}
    params: { iters: ${cell.params.iters} }
    models: [${cell.model}]
    concurrency: ${cell.concurrency}
    items: ${cell.items}
`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

const dir = mkdtempSync(join(tmpdir(), 'conlab-bench-suite-'));
const direct: number[] = [];
const suite: number[] = [];
const setup: number[] = [];

async function directRound(): Promise<void> {
  const start = performance.now();
  const sizing = await calibrateGroup([resolveBatchSpec(cell)], runtime, {
    minWindowMs: 10,
    repetitions: reps,
  });
  for (let r = 0; r < reps; r++) {
    const record = await runBatchCell({ ...cell, repetitions: 1, sizing }, runtime);
    if (record.status !== 'ok') throw new Error(`direct: ${record.reason}`);
  }
  direct.push((performance.now() - start) / reps);
}

async function suiteRound(round: number): Promise<void> {
  // Once per run (parse, resolve, expand, environment, store): timed apart from the per-repetition cost.
  let start = performance.now();
  const resolved = resolveSuite(parseSuiteText(text, 'bench'), 'bench', defaultCatalog);
  const cells = expandSuite(resolved);
  const plan = planOrder(resolved, cells);
  const store = openStore(join(dir, `round${round}.db`));
  const env = captureEnvironment([runtime.label]);
  const runId = store.createRun({ suiteName: 'overhead', env, suite: resolved, cells, plan });
  setup.push(performance.now() - start);
  start = performance.now();
  const outcome = await runSuiteSteps({
    store,
    runId,
    cells,
    plan,
    repetitions: reps,
    execute: suiteExecutor({ suite: resolved, cells }),
    timeBudgetS: null,
  });
  suite.push((performance.now() - start) / reps);
  store.close();
  if (outcome.status !== 'complete') throw new Error('suite run did not complete');
}

try {
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so drift of the shared machine does not favour one side.
    if (round % 2 === 0) {
      await directRound();
      await suiteRound(round);
    } else {
      await suiteRound(round);
      await directRound();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// The machinery alone: the same runner and store with an executor that returns a record at once.
const instantSteps = 100;
async function instantMsPerStep(): Promise<number> {
  const instantDir = mkdtempSync(join(tmpdir(), 'conlab-bench-suite-'));
  try {
    const resolved = resolveSuite(
      parseSuiteText(text.replace(`repetitions: ${reps}`, `repetitions: ${instantSteps}`), 'bench'),
      'bench',
      defaultCatalog,
    );
    const cells = expandSuite(resolved);
    const plan = planOrder(resolved, cells);
    const store = openStore(join(instantDir, 'instant.db'));
    const suiteEnv = captureEnvironment([runtime.label]);
    const runId = store.createRun({ suiteName: 'instant', env: suiteEnv, suite: resolved, cells, plan });
    const record = await runBatchCell({ ...cell, repetitions: 1 }, runtime);
    const start = performance.now();
    await runSuiteSteps({
      store,
      runId,
      cells,
      plan,
      repetitions: instantSteps,
      execute: () => Promise.resolve(structuredClone(record)),
      timeBudgetS: null,
    });
    const perStep = (performance.now() - start) / instantSteps;
    store.close();
    return perStep;
  } finally {
    rmSync(instantDir, { recursive: true, force: true });
  }
}
const machineryMs = await instantMsPerStep();

const d = median(direct);
const s = median(suite);
console.log(
  `cell: node ${cell.workload} ${cell.model} c=${cell.concurrency} items=${cell.items}; ${reps} repetitions × ${rounds} rounds (medians of per-repetition means)`,
);
console.log(`once per run (parse, resolve, expand, environment, createRun): ${median(setup).toFixed(0)} ms`);
console.log(
  `runner + store machinery alone (instant executor, ${instantSteps} steps): ${machineryMs.toFixed(2)} ms/step`,
);
console.log(
  `direct runBatchCell ${d.toFixed(0)} ms/rep   conlab suite runner + store ${s.toFixed(0)} ms/rep   ratio suite/direct ${(s / d).toFixed(3)}`,
);
