/**
 * The calibration's pass timing (src/batch/subject/time-passes.ts) on a
 * scripted clock: each run() advances the clock by the next scripted pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_STEADY_PASSES, timePasses } from '../../src/batch/subject/time-passes.ts';

/** A run() and a clock: pass i takes passesMs[i] (the last repeats). */
function scripted(passesMs: number[]): { run: () => Promise<void>; now: () => number; runs: () => number } {
  let clock = 0;
  let count = 0;
  return {
    run: () => {
      clock += passesMs[Math.min(count, passesMs.length - 1)] ?? 0;
      count++;
      return Promise.resolve();
    },
    now: () => clock,
    runs: () => count,
  };
}

test('the fastest steady pass sizes the group: one slow pass in the middle does not halve the rounds', async () => {
  // cpu.js on 2 workers, 2026-12-06: 78 ms passes, one at 152 ms (the vCPUs ran at half speed for it).
  const s = scripted([120, 152, 78, 79]);
  const timing = await timePasses(s.run, 150, s.now);
  assert.equal(timing.roundMs, 78);
  assert.equal(timing.passes, 1 + MIN_STEADY_PASSES, 'past the 150 ms target until 3 steady passes');
});

test('the first pass is left out when others follow, and is all there is when it outlasts the stretch', async () => {
  const warm = scripted([50, 10]);
  const timing = await timePasses(warm.run, 100, warm.now);
  // 50 ms first pass, then 10 ms passes until 100 ms have passed: 5 steady passes, all 10 ms.
  assert.deepEqual(timing, { roundMs: 10, passes: 6 });
  const slow = scripted([400]);
  assert.deepEqual(await timePasses(slow.run, 100, slow.now), { roundMs: 400, passes: 1 });
});

test('the stretch bounds a slow model: at most three targets, then the passes so far', async () => {
  // 120 ms passes against a 100 ms target: first (120), steady (240), steady (360 ≥ 300): stop with two.
  const s = scripted([120]);
  assert.deepEqual(await timePasses(s.run, 100, s.now), { roundMs: 120, passes: 3 });
  assert.equal(s.runs(), 3);
});
