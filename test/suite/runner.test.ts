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

function setup(t: { after(fn: () => void): void }): { store: ResultStore; runId: string } {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-runner-'));
  const store = openStore(join(dir, 'r.db'));
  t.after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const runId = store.createRun({ suiteName: 's', env, suite: {}, cells, plan });
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
