// runSuiteSteps with an executor that records what it was asked to run: the
// order, the resume logic, failures, skips and the time budget, without subjects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type ResultStore } from '../../src/results/store.ts';
import type { CellRecord } from '../../src/results/record.ts';
import { runSuiteSteps, failedRecord, type CellExecutor } from '../../src/suite/runner.ts';
import type { CellPlan, PlannedRep } from '../../src/suite/types.ts';
import { batchRecord, env } from '../results/fixtures.ts';

function cellPlan(key: string): CellPlan {
  return {
    kind: 'batch',
    cellKey: key,
    label: key,
    runtime: 'node',
    workload: 'cpu.sha256',
    params: {},
    model: 'threads',
    concurrency: 2,
    threadsPerProcess: 1,
    itemsPerTask: 1,
    items: 4,
    warmupS: 0,
    timeoutMs: 1000,
  };
}

const cells = ['a', 'b', 'c'].map(cellPlan);
const plan: PlannedRep[] = [0, 1].flatMap((repetition) =>
  ['c', 'a', 'b'].map((cellKey) => ({ cellKey, repetition })),
);

function setup(
  t: { after(fn: () => void): void },
  runPlan: readonly PlannedRep[] = plan,
): { store: ResultStore; runId: string } {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-runner-'));
  const store = openStore(join(dir, 'r.db'));
  t.after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const runId = store.createRun({ suiteName: 's', env, suite: {}, cells, plan: runPlan });
  return { store, runId };
}

function recordingExecutor(
  calls: string[],
  outcome: (cell: CellPlan) => Partial<CellRecord> = () => ({}),
): CellExecutor {
  return (cell, repetition) => {
    calls.push(`${cell.cellKey}#${repetition}`);
    return Promise.resolve({ ...batchRecord('threads', 0, 100), ...outcome(cell) } as CellRecord);
  };
}

const common = { cells, plan, repetitions: 2, timeBudgetS: null };

test('steps run in the planned order, each stored under its cellKey and repetition', async (t) => {
  const { store, runId } = setup(t);
  const calls: string[] = [];
  const outcome = await runSuiteSteps({ store, runId, ...common, execute: recordingExecutor(calls) });
  assert.deepEqual(calls, ['c#0', 'a#0', 'b#0', 'c#1', 'a#1', 'b#1']);
  assert.deepEqual(outcome, { status: 'complete', note: null, measured: 6, remaining: 0 });
  const stored = store.loadRun(runId);
  assert.equal(stored.run.status, 'complete');
  assert.deepEqual(
    stored.cells.map((cell) => `${cell.cellKey}#${cell.repetitions.join()}`),
    calls,
    'the runner overrides the runner-made key with the plan key',
  );
});

test('a stop request keeps finished steps; resume runs only the rest, exactly once', async (t) => {
  const { store, runId } = setup(t);
  const first: string[] = [];
  let stop = false;
  const stopping: CellExecutor = (cell, repetition) => {
    first.push(`${cell.cellKey}#${repetition}`);
    if (first.length === 3) stop = true; // Ctrl-C arrives while the third step runs
    return Promise.resolve(batchRecord('threads', 0, 100));
  };
  const interrupted = await runSuiteSteps({
    store,
    runId,
    ...common,
    execute: stopping,
    stopRequested: () => stop,
  });
  assert.equal(interrupted.status, 'interrupted');
  assert.equal(interrupted.measured, 2, 'the step cut short is not stored');
  const second: string[] = [];
  const resumed = await runSuiteSteps({ store, runId, ...common, execute: recordingExecutor(second) });
  assert.deepEqual(second, ['b#0', 'c#1', 'a#1', 'b#1']);
  assert.equal(resumed.status, 'complete');
  assert.equal(store.loadRun(runId).cells.length, 6);
});

test('a throwing executor gives a failed record and the run goes on', async (t) => {
  const { store, runId } = setup(t);
  const execute: CellExecutor = (cell, repetition) =>
    cell.cellKey === 'a' ? Promise.reject(new Error('boom')) : recordingExecutor([])(cell, repetition);
  const outcome = await runSuiteSteps({ store, runId, ...common, execute });
  assert.equal(outcome.status, 'complete');
  const failed = store.loadRun(runId).cells.filter((cell) => cell.status === 'failed');
  assert.equal(failed.length, 2);
  assert.equal(failed[0]?.reason, 'boom');
  assert.equal(failedRecord(cellPlan('x'), 'node', 0, 'r').kind, 'batch');
});

test('an unsupported (skipped) cell is not started again in later repetitions', async (t) => {
  const { store, runId } = setup(t);
  const calls: string[] = [];
  const execute = recordingExecutor(calls, (cell) =>
    cell.cellKey === 'b' ? { status: 'skipped', reason: 'unsupported on bun@1 (reusePort)' } : {},
  );
  await runSuiteSteps({ store, runId, ...common, execute });
  assert.deepEqual(calls, ['c#0', 'a#0', 'b#0', 'c#1', 'a#1']);
  const skipped = store.loadRun(runId).cells.filter((cell) => cell.status === 'skipped');
  assert.deepEqual(
    skipped.map((cell) => cell.repetitions[0]),
    [0, 1],
  );
});

test('the time budget stops the run between cells, resumable', async (t) => {
  const { store, runId } = setup(t);
  const slow: CellExecutor = () =>
    new Promise((resolve) => setTimeout(() => resolve(batchRecord('threads', 0, 100)), 30));
  const outcome = await runSuiteSteps({ store, runId, ...common, timeBudgetS: 0.001, execute: slow });
  assert.equal(outcome.status, 'interrupted');
  assert.equal(outcome.measured, 1);
  assert.match(outcome.note ?? '', /time budget/);
  assert.equal(store.lastUnfinishedRunId(), runId);
});

// Adaptive repetitions: the planned steps are the minimum (3), then extra rounds for the cells not yet precise.
const adaptivePlan: PlannedRep[] = [0, 1, 2].flatMap((repetition) =>
  ['a', 'b', 'c'].map((cellKey) => ({ cellKey, repetition })),
);
const rule = { minRepetitions: 3, maxRepetitions: 6, targetPercent: 5 };

const adaptiveSetup = (t: { after(fn: () => void): void }) => setup(t, adaptivePlan);

/** Durations per cell, one per repetition in the order they run: a is precise at 3, b at 5, c never. */
const series: Record<string, number[]> = {
  a: [100, 102, 98],
  b: [100, 104, 96, 100, 100],
  c: [100, 150, 60, 140, 70, 120],
};

function seriesExecutor(calls: string[], fail?: string): CellExecutor {
  return (cell, repetition) => {
    calls.push(`${cell.cellKey}#${repetition}`);
    const ms = series[cell.cellKey]?.[repetition];
    if (ms === undefined) throw new Error(`${cell.cellKey} asked for repetition ${repetition}`);
    const failed = cell.cellKey === fail ? { status: 'failed' as const, reason: 'boom' } : {};
    return Promise.resolve({ ...batchRecord('threads', repetition, ms), ...failed });
  };
}

const adaptiveCommon = { cells, plan: adaptivePlan, repetitions: 3, timeBudgetS: null };

test('repetitions auto: extra rounds only for the cells not yet precise, in the given order, until the maximum', async (t) => {
  const { store, runId } = adaptiveSetup(t);
  const calls: string[] = [];
  const rounds: number[] = [];
  const outcome = await runSuiteSteps({
    store,
    runId,
    ...adaptiveCommon,
    adaptive: {
      rule,
      order: (keys, round) => {
        rounds.push(round);
        return [...keys].reverse();
      },
    },
    execute: seriesExecutor(calls),
  });
  assert.deepEqual(calls, [
    ...['a#0', 'b#0', 'c#0', 'a#1', 'b#1', 'c#1', 'a#2', 'b#2', 'c#2'],
    // a is within ±5% after 3 (±4.97%); b (±9.9%) and c are not: one more each, in the order's (reversed) order.
    'c#3',
    'b#3',
    // b after 4: ±5.2%, one more; after 5: ±3.5%, done. c never gets there and stops at the maximum, 6.
    'c#4',
    'b#4',
    'c#5',
  ]);
  assert.deepEqual(rounds, [0, 1, 2]);
  assert.deepEqual(outcome, { status: 'complete', note: null, measured: 14, remaining: 0 });
  // The plan grew with each extra round, so resume and `results list` count them.
  assert.equal(store.runInfo(runId).plan.length, 14);
  const stored = store.loadRun(runId).cells;
  const last = (key: string) => stored.filter((cell) => cell.cellKey === key).at(-1);
  assert.deepEqual(last('a')?.adaptive, rule, 'the rule is stored with every record measured under it');
  assert.ok((last('a')?.precisionPercent ?? 99) <= 5);
  assert.ok((last('c')?.precisionPercent ?? 0) > 5, 'c stopped at the maximum, imprecise');
  assert.equal(stored.filter((cell) => cell.cellKey === 'c').length, 6);
});

test('repetitions auto: a cell whose experiment sets its own maximum stops there, and stores that rule', async (t) => {
  const { store, runId } = adaptiveSetup(t);
  const calls: string[] = [];
  // c's experiment allows 4: c stops after c#3 instead of going on to the suite's 6.
  const own = { ...rule, maxRepetitions: 4 };
  await runSuiteSteps({
    store,
    runId,
    ...adaptiveCommon,
    adaptive: { rule, ruleFor: (cell) => (cell.cellKey === 'c' ? own : rule) },
    execute: seriesExecutor(calls),
  });
  assert.deepEqual(calls.slice(9), ['b#3', 'c#3', 'b#4']);
  const stored = store.loadRun(runId).cells;
  assert.deepEqual(stored.filter((cell) => cell.cellKey === 'c').at(-1)?.adaptive, own);
  assert.deepEqual(stored.filter((cell) => cell.cellKey === 'b').at(-1)?.adaptive, rule);
});

test('repetitions auto: a cell with a failed repetition gets no extra ones', async (t) => {
  const { store, runId } = adaptiveSetup(t);
  const calls: string[] = [];
  await runSuiteSteps({
    store,
    runId,
    ...adaptiveCommon,
    adaptive: { rule },
    execute: seriesExecutor(calls, 'c'),
  });
  assert.ok(!calls.includes('c#3'), 'c failed: more repetitions cannot make it a clean measurement');
  assert.deepEqual(
    calls.slice(9),
    ['b#3', 'b#4'],
    'without an order function, extra rounds keep declaration order',
  );
});

test('repetitions auto: extra repetitions stay within each cell’s share of the time budget left', async (t) => {
  const { store, runId } = adaptiveSetup(t);
  const calls: string[] = [];
  const inner = seriesExecutor(calls);
  // A clock that moves 40 s per step: the planned 9 take 360 s of the 450 s budget, leaving 45 s each for
  // b and c, so one extra round fits (40 s each); after it 10 s are left and the next does not.
  let clockMs = 0;
  const execute: CellExecutor = (cell, repetition) => {
    clockMs += 40_000;
    return inner(cell, repetition);
  };
  const outcome = await runSuiteSteps({
    store,
    runId,
    ...adaptiveCommon,
    timeBudgetS: 450,
    adaptive: { rule },
    execute,
    clock: () => clockMs,
  });
  assert.equal(outcome.status, 'complete', 'a run whose planned steps are done is complete');
  assert.match(outcome.note ?? '', /precision not reached for 2 cells within the time budget of 450s/);
  assert.deepEqual(calls.slice(9), ['b#3', 'c#3']);
});

test('repetitions auto: an extra round cut short resumes from the stored plan and goes on', async (t) => {
  const { store, runId } = adaptiveSetup(t);
  const first: string[] = [];
  let stop = false;
  const inner = seriesExecutor(first);
  const stopping: CellExecutor = (cell, repetition) => {
    if (first.length === 10) stop = true; // Ctrl-C during the second extra step (c#3)
    return inner(cell, repetition);
  };
  const interrupted = await runSuiteSteps({
    store,
    runId,
    ...adaptiveCommon,
    adaptive: { rule },
    execute: stopping,
    stopRequested: () => stop,
  });
  assert.equal(interrupted.status, 'interrupted');
  assert.equal(interrupted.remaining, 1, 'c#3 was planned but not stored');
  const second: string[] = [];
  // A resume runs the plan as stored (`conlab run --resume` reads it from the run), extra steps included.
  const resumed = await runSuiteSteps({
    store,
    runId,
    ...adaptiveCommon,
    plan: store.runInfo(runId).plan,
    adaptive: { rule },
    execute: seriesExecutor(second),
  });
  assert.equal(resumed.status, 'complete');
  assert.deepEqual(second, ['c#3', 'b#4', 'c#4', 'c#5']);
  const keys = store.loadRun(runId).cells.map((cell) => `${cell.cellKey}#${cell.repetitions[0]}`);
  assert.equal(new Set(keys).size, keys.length, 'every repetition stored once');
  assert.equal(keys.length, 14);
});
