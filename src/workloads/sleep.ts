/**
 * io.sleep: seed 003's fake remote API. Item `id` waits a delay drawn from
 * triangular(0, 0.66 s) (seeded, so every model waits the same delays), plus
 * a second call when id % 3 == 1. runAsync waits with a timer (the event loop
 * is free); runSync blocks the thread with Atomics.wait — an async function
 * that calls it is the "falsely async" pitfall. `scale` shrinks every delay
 * so tests run fast.
 */
import { currentRuntimeLabel } from '../core/runtime-info.ts';
import { intParam } from './params.ts';
import { itemSeed, mulberry32, triangular } from './prng.ts';
import { sumInts } from './common.ts';
import type { ParamValues, Workload } from './types.ts';

/** The delays (ms) of the calls item `id` makes, before scaling. */
export function sleepDelaysMs(seed: number, id: number): number[] {
  const random = mulberry32(itemSeed(seed, id));
  const calls = id % 3 === 1 ? 2 : 1;
  const delays: number[] = [];
  for (let c = 0; c < calls; c++) delays.push(triangular(random(), 0, 660));
  return delays;
}

/** What the fake API "returns" for an id: a number derived from the id and its delays, checked by the driver. */
function recordValue(seed: number, id: number): number {
  return sleepDelaysMs(seed, id).reduce((acc, ms) => acc + Math.round(ms * 1000), id);
}

function scaledDelays(params: ParamValues, id: number): number[] {
  const scale = intParam(params, 'scale');
  return sleepDelaysMs(intParam(params, 'seed'), id).map((ms) => ms * scale);
}

let waitCell: Int32Array | undefined;

function blockFor(ms: number): void {
  // Atomics.wait on a private cell nobody notifies: a true blocking sleep of this thread.
  if (ms <= 0) return;
  try {
    waitCell ??= new Int32Array(new SharedArrayBuffer(4));
    Atomics.wait(waitCell, 0, 0, ms);
  } catch (error) {
    // Some hosts forbid blocking the main thread; that is a missing capability, not a wrong answer.
    throw new Error(`unsupported on ${currentRuntimeLabel()} (Atomics.wait: ${String(error)})`, {
      cause: error,
    });
  }
}

export const ioSleep: Workload = {
  name: 'io.sleep',
  kind: 'io',
  description: "seed 003's fake API: triangular(0, 0.66 s) delay per id, a second call when id % 3 == 1",
  params: {
    seed: { type: 'int', default: 3, min: 0, max: 2 ** 31 - 1, description: 'delay generator seed' },
    scale: {
      type: 'number',
      default: 1,
      min: 0,
      max: 10,
      description: 'every delay is multiplied by this (tests use e.g. 0.01)',
    },
  },
  runSync(params, id) {
    for (const ms of scaledDelays(params, id)) blockFor(ms);
    return recordValue(intParam(params, 'seed'), id);
  },
  async runAsync(params, id) {
    for (const ms of scaledDelays(params, id)) await new Promise((resolve) => setTimeout(resolve, ms));
    return recordValue(intParam(params, 'seed'), id);
  },
  combine: (answers) => sumInts('io.sleep', answers),
  expected(params, items) {
    let total = 0;
    for (let id = 0; id < items; id++) total += recordValue(intParam(params, 'seed'), id);
    return total;
  },
};
