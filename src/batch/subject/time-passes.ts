/**
 * The calibration's timing of one model: passes over the items until the
 * target has passed, and the fastest steady pass. Separate from the
 * subject's main so the rule can be tested with a scripted clock.
 */
import { performance } from 'node:perf_hooks';

/** Passes a calibration runs at most, whatever their speed: enough for a 1 µs pass to fill 100 ms. */
export const MAX_CALIBRATION_PASSES = 100_000;

/** Steady passes (after the first) wanted when time allows, so one slow pass cannot size a group alone. */
export const MIN_STEADY_PASSES = 3;

/** The most a calibration of one model runs past its target to get MIN_STEADY_PASSES: this many targets. */
export const TARGET_STRETCH = 3;

export interface PassTiming {
  /** The fastest steady pass (the first pass when it is the only one), ms. */
  roundMs: number;
  passes: number;
}

/**
 * Time of one pass over the items in steady state. Passes run until
 * `targetMs` has passed and at least MIN_STEADY_PASSES followed the first,
 * or until TARGET_STRETCH × the target (at least one pass). The first pass
 * is left out when others follow: it carries the JIT's and the pool's
 * first-use costs that a measured window of many passes spreads thin.
 *
 * The fastest steady pass, not the mean: the rounds are sized so the
 * fastest model's window reaches the minimum, and on a machine whose cores
 * sometimes run at half speed (2 vCPUs on one physical core's two
 * hyperthreads, measured 2026-12-06) a mean that caught a slow pass sized
 * windows at half the minimum.
 */
export async function timePasses(
  run: () => Promise<unknown>,
  targetMs: number,
  now: () => number = () => performance.now(),
): Promise<PassTiming> {
  const t0 = now();
  await run();
  let previous = now();
  const first = previous - t0;
  let fastest = Infinity;
  let passes = 1;
  const wantMore = (): boolean => {
    const elapsed = previous - t0;
    if (passes >= MAX_CALIBRATION_PASSES || elapsed >= TARGET_STRETCH * targetMs) return false;
    return elapsed < targetMs || passes - 1 < MIN_STEADY_PASSES;
  };
  while (wantMore()) {
    await run();
    const end = now();
    fastest = Math.min(fastest, end - previous);
    previous = end;
    passes++;
  }
  return { roundMs: passes === 1 ? first : fastest, passes };
}
