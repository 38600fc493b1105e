// sizeGroup with exact fixtures: the rounds a group's calibration pass leads to, and the caps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WINDOW_MARGIN, checkMinWindowS, sizeGroup, type SizingInput } from '../../src/batch/sizing.ts';

const base: SizingInput = {
  minWindowMs: 1000,
  cells: [
    { label: 'sequential c=1', roundMs: 400 },
    { label: 'threads c=2', roundMs: 210 },
    { label: 'processes c=2', roundMs: 200 },
  ],
  maxWindowMs: 60_000,
  groupBudgetMs: null,
  startupMs: 500,
  repetitions: 3,
};

test('the fastest cell sets the rounds: minimum × margin ÷ its pass, rounded up', () => {
  assert.equal(WINDOW_MARGIN, 1.2);
  // 1000 × 1.2 / 200 = 6 passes: processes' window 1.2 s, sequential's 2.4 s.
  assert.deepEqual(sizeGroup(base), {
    rounds: 6,
    minWindowMs: 1000,
    fastestRoundMs: 200,
    fastest: 'processes c=2',
    capped: false,
  });
  // 1200 / 190 = 6.3 → 7.
  assert.equal(sizeGroup({ ...base, cells: [...base.cells, { label: 'x', roundMs: 190 }] }).rounds, 7);
  // A pass longer than the minimum needs no more: one round.
  assert.equal(sizeGroup({ ...base, cells: [{ label: 'slow', roundMs: 1500 }] }).rounds, 1);
});

test('cells that could not run are left out; with none, one round and nothing calibrated', () => {
  const sized = sizeGroup({
    ...base,
    cells: [
      { label: 'broken', roundMs: null },
      { label: 'ok', roundMs: 300 },
    ],
  });
  assert.deepEqual([sized.rounds, sized.fastest], [4, 'ok']);
  assert.deepEqual(sizeGroup({ ...base, cells: [{ label: 'broken', roundMs: null }] }), {
    rounds: 1,
    minWindowMs: 1000,
    fastestRoundMs: null,
    fastest: null,
    capped: false,
  });
});

test('the slowest cell’s time share caps the rounds; capped says whether the minimum was lost', () => {
  // Sequential (400 ms a pass) may run at most 2000 ms: 5 passes; processes then fill exactly 1000 ms.
  const atMinimum = sizeGroup({ ...base, maxWindowMs: 2000 });
  assert.deepEqual([atMinimum.rounds, atMinimum.capped], [5, false], 'only the margin was lost');
  // 1600 ms: 4 passes, processes 800 ms < 1000 ms.
  const short = sizeGroup({ ...base, maxWindowMs: 1600 });
  assert.deepEqual([short.rounds, short.capped], [4, true]);
  // Never below one round.
  assert.equal(sizeGroup({ ...base, maxWindowMs: 10 }).rounds, 1);
});

test('the group’s share of the time budget caps the rounds over all its repetitions, start-ups first', () => {
  // 3 cells × 3 repetitions × 500 ms start-up = 4500 ms; Σ passes = 810 ms, × 3 repetitions = 2430 ms per
  // round of the whole group: 4500 + 4 × 2430 = 14220 ms → 4 rounds.
  const sized = sizeGroup({ ...base, groupBudgetMs: 14_220 });
  assert.deepEqual([sized.rounds, sized.capped], [4, true]);
  assert.equal(sizeGroup({ ...base, groupBudgetMs: 14_219 }).rounds, 3);
  assert.equal(sizeGroup({ ...base, groupBudgetMs: 1e9 }).rounds, 6);
  assert.equal(sizeGroup({ ...base, groupBudgetMs: 0 }).rounds, 1);
  // A slower start-up leaves less for the windows.
  assert.equal(sizeGroup({ ...base, groupBudgetMs: 14_220, startupMs: 1000 }).rounds, 2);
});

test('a minimum window out of range names the key and the range', () => {
  assert.equal(checkMinWindowS(1, '--min-window'), 1);
  for (const bad of [0, -1, 7 * 24 * 3600, Number.NaN]) {
    assert.throws(
      () => checkMinWindowS(bad, '--min-window'),
      (error: Error & { code?: string }) =>
        error.code === 'LAB_E_BAD_PARAM' &&
        /--min-window .* is not a duration in 0\.01 s\.\.600 s/.test(error.message),
    );
  }
});
