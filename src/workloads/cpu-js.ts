/**
 * cpu.js: a pure-JavaScript float loop. Each step depends on the previous one
 * and the result is returned, so the JIT can neither fold nor drop it. Only
 * +, *, / and sqrt are used: IEEE-754 makes them bit-identical on every
 * engine, so the answer is the same under Node, Bun and Deno. The server
 * lab's TCP `compute` mode uses jsLoop as its unit of work.
 */
import { intParam } from './params.ts';
import { allEqual } from './common.ts';
import type { Workload } from './types.ts';

export function jsLoop(iterations: number, seed = 1): number {
  let x = 0.5 + (seed % 1000) / 4000;
  let acc = 0;
  for (let i = 0; i < iterations; i++) {
    // A logistic-map step kept in (0, 1), plus a sqrt so the loop is not a pure multiply chain.
    x = 3.9 * x * (1 - x);
    acc += Math.sqrt(x + 1) / (1 + (i & 7));
  }
  return acc;
}

/** Rounded so the answer prints identically everywhere (the raw sum is already exact per engine). */
function itemAnswer(iterations: number): string {
  return jsLoop(iterations).toFixed(6);
}

export const cpuJs: Workload = {
  name: 'cpu.js',
  kind: 'cpu',
  description: 'pure-JS float loop of `iters` steps (JIT-compiled compute); every item computes the same sum',
  params: {
    iters: {
      type: 'int',
      default: 10_000_000,
      min: 1,
      max: 1_000_000_000,
      description: 'loop steps per item',
    },
  },
  runSync: (params) => itemAnswer(intParam(params, 'iters')),
  runAsync: (params) => Promise.resolve(itemAnswer(intParam(params, 'iters'))),
  combine: (answers) => allEqual('cpu.js', answers),
};
