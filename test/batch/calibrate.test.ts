/**
 * Calibration through real subjects: a group is timed model by model in one
 * calibration subject, sized once, and its cells then run that many passes
 * over the same items, every pass verified against the first. Nothing here
 * asserts a timing: only what the sizes and records must be, whatever the
 * machine's speed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { calibrateGroup, calibrationOrder } from '../../src/batch/driver/calibrate.ts';
import { runBatchCell } from '../../src/batch/driver/run-cell.ts';
import { resolveBatchSpec, type ResolvedBatchSpec } from '../../src/batch/spec.ts';
import { resolveRuntime } from '../../src/runtimes/registry.ts';
import { sha256Chain } from '../../src/workloads/sha256.ts';
import { driftModel } from './fixtures/drift-model.ts';

const node = resolveRuntime('node');
const params = { iters: 3000 };

test('a group is calibrated on its fastest model, and its cells run that many passes, each verified', async () => {
  const specs = ['sequential', 'threads'].map((model) =>
    resolveBatchSpec({ workload: 'cpu.sha256', params, model, concurrency: 2, items: 4 }),
  );
  const sizing = await calibrateGroup(specs, node, { minWindowMs: 150, repetitions: 2 });
  assert.equal(sizing.minWindowMs, 150);
  assert.ok(sizing.fastest === 'sequential c=1' || sizing.fastest === 'threads c=2', String(sizing.fastest));
  assert.ok(sizing.fastestRoundMs !== null && sizing.fastestRoundMs > 0);
  assert.equal(
    sizing.rounds,
    Math.ceil((150 * 1.2) / sizing.fastestRoundMs),
    'minimum × margin ÷ the fastest pass',
  );
  assert.equal(sizing.capped, false);
  const threads = specs[1] as ResolvedBatchSpec;
  const cell = await runBatchCell({ ...threads, repetitions: 2, sizing }, node);
  assert.equal(cell.status, 'ok', cell.reason ?? '');
  assert.deepEqual(cell.sizing, sizing, 'the size is stored with the cell');
  assert.equal(cell.answer, sha256Chain('conlab', 3000), 'every pass gave the chain');
  assert.equal(cell.windowsMs?.length, 2);
  cell.durationsMs.forEach((ms, r) =>
    assert.equal(
      ms,
      (cell.windowsMs?.[r] ?? 0) / sizing.rounds,
      'a duration is one pass: the window ÷ rounds',
    ),
  );
  assert.equal(typeof cell.precisionPercent, 'number');
});

test('a pass that outlasts the time share ends the calibration at one round, capped', async () => {
  // io.sleep's sequential pass over 8 items takes seconds; a 400 ms timeout leaves a 200 ms share.
  const spec = resolveBatchSpec({ workload: 'io.sleep', model: 'sequential', items: 8, timeoutMs: 400 });
  const sizing = await calibrateGroup([spec], node, { minWindowMs: 1000, repetitions: 3 });
  assert.deepEqual(sizing, {
    rounds: 1,
    minWindowMs: 1000,
    fastestRoundMs: 200,
    fastest: 'sequential c=1',
    capped: true,
  });
});

test('the most parallel model is timed first; once one round is settled, slower passes are not waited out', async () => {
  const specs = ['sequential', 'async'].map((model) =>
    resolveBatchSpec({ workload: 'io.sleep', model, concurrency: 8, items: 8 }),
  );
  assert.deepEqual(
    calibrationOrder(specs).map((spec) => spec.model),
    ['async', 'sequential'],
  );
  // async's pass (the longest of 8 delays, ~0.6–1.3 s) fills 300 ms × 1.2 by itself: one round, and
  // sequential's pass (the sum of the delays, seconds) is cut off at async's instead of timed.
  const sizing = await calibrateGroup(specs, node, { minWindowMs: 300, repetitions: 3 });
  assert.deepEqual([sizing.rounds, sizing.fastest, sizing.capped], [1, 'async c=8', false]);
});

test('models that cannot run leave their group at one round; their cells fail on their own', async () => {
  const specs = ['threads', 'sequential'].map((model) =>
    resolveBatchSpec({ workload: 'echo', params: { exitAt: 0 }, model, concurrency: 2, items: 3 }),
  );
  const sizing = await calibrateGroup(specs, node, { minWindowMs: 100, repetitions: 1 });
  assert.deepEqual([sizing.rounds, sizing.fastest, sizing.capped], [1, null, false]);
});

test('a later pass that answers differently from the first fails the cell', async (t) => {
  const modules = process.env.CONLAB_REGISTRY_MODULES;
  process.env.CONLAB_REGISTRY_MODULES = fileURLToPath(new URL('./fixtures/drift-model.ts', import.meta.url));
  t.after(() => {
    if (modules === undefined) delete process.env.CONLAB_REGISTRY_MODULES;
    else process.env.CONLAB_REGISTRY_MODULES = modules;
  });
  const sizing = { rounds: 3, minWindowMs: 100, fastestRoundMs: 1, fastest: 'x', capped: false };
  const one = await runBatchCell({ workload: 'echo', model: driftModel.name, items: 4 }, node);
  assert.equal(one.status, 'ok', `one pass is right: ${one.reason ?? ''}`);
  const three = await runBatchCell({ workload: 'echo', model: driftModel.name, items: 4, sizing }, node);
  assert.equal(three.status, 'failed');
  assert.match(three.reason ?? '', /pass 2 over the items answered 7, pass 1 6/);
});
