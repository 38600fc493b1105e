/**
 * The units of work a server does per request, taken from the batch lab's
 * workloads so a server and a batch model run exactly the same code:
 * cpu.sha256's chain for POST /score cpu, cpu.js's loop for TCP compute.
 */
import { jsLoop } from '../../../workloads/cpu-js.ts';

export { sha256Chain } from '../../../workloads/sha256.ts';

/** Default work per TCP compute reply: the seed's loop of 10^7 steps. */
export const DEFAULT_SPIN_ITERS = 10_000_000;

/** One TCP compute unit; returns the loop's result so the work cannot be dropped. */
export function spin(iters: number): number {
  return jsLoop(iters);
}
