/**
 * echo: no work at all, so a run measures the model's own dispatch cost.
 * `throwAt` and `exitAt` inject faults at one item (a throw, or
 * process.exit inside whatever thread/process runs it): the tests use them
 * to check that a failing worker fails its cell and leaves nothing behind.
 */
import { intParam } from './params.ts';
import { sumInts } from './common.ts';
import type { ParamValues, Workload } from './types.ts';

function echoItem(params: ParamValues, id: number): number {
  if (id === intParam(params, 'throwAt')) throw new Error(`echo: injected failure at item ${id}`);
  if (id === intParam(params, 'exitAt')) process.exit(3);
  return id;
}

export const echo: Workload = {
  name: 'echo',
  kind: 'cpu',
  description: 'answers its item index (dispatch overhead only); throwAt/exitAt inject a fault at one item',
  params: {
    throwAt: {
      type: 'int',
      default: -1,
      min: -1,
      max: 100_000_000,
      description: 'item that throws (-1: none)',
    },
    exitAt: {
      type: 'int',
      default: -1,
      min: -1,
      max: 100_000_000,
      description: 'item whose thread/process calls process.exit(3) (-1: none)',
    },
  },
  runSync: echoItem,
  runAsync: (params, id) => Promise.resolve(echoItem(params, id)),
  combine: (answers) => sumInts('echo', answers),
  expected: (_params, items) => (items * (items - 1)) / 2,
};
