/**
 * The suite's cell executor: one planned repetition → the batch lab's or
 * the server lab's runner, one repetition each (a fresh subject process per
 * call), so that repetitions of different cells can interleave. Batch cells
 * are sized first: the first time a cell of a group (runtime × workload ×
 * params × items) is about to run, the group is calibrated once
 * (src/batch/driver/calibrate.ts) and every cell of it runs that many passes
 * over its items; a resumed run takes each group's size from its stored
 * records, so every repetition of a group keeps one size.
 */
import { calibrateGroup } from '../batch/driver/calibrate.ts';
import { runBatchCell } from '../batch/driver/run-cell.ts';
import { batchIdentityOf, resolveBatchSpec } from '../batch/spec.ts';
import type { BatchSizing, CellRecord } from '../results/record.ts';
import { speedupGroupKey } from '../results/speedup.ts';
import { resolveRuntime } from '../runtimes/registry.ts';
import { runServerCell, type ServerCellOptions } from '../servers/driver/run-cell.ts';
import { runCapacityStep } from '../servers/capacity/steps.ts';
import { estimateRepSeconds } from './estimate.ts';
import { serverSpecOf } from './expand.ts';
import type { CellExecutor } from './runner.ts';
import type { BatchCellPlan, CellPlan, ResolvedSuite } from './types.ts';

export interface SuiteExecutorContext {
  suite: ResolvedSuite;
  cells: readonly CellPlan[];
  /** The run's records stored so far (a resume): the sizes their groups were measured with. */
  stored?: readonly CellRecord[];
  /** A line about what is happening (calibration), for the progress output. */
  onNote?(text: string): void;
  /** Each finished second of a server cell's measured window (live progress). */
  onSecond?: ServerCellOptions['onSecond'];
}

const groupOf = (cell: BatchCellPlan): string => speedupGroupKey(cell);

/**
 * The share of the time budget a group's minimum repetitions may take: the
 * budget left after the server cells (whose time is fixed), split between
 * the batch cells by count; null without a budget. (The calibration pass
 * subtracts each repetition's start-up, which it measures.)
 */
export function groupBudgetMs(
  suite: ResolvedSuite,
  cells: readonly CellPlan[],
  group: string,
): number | null {
  if (suite.timeBudgetS === null) return null;
  const batch = cells.filter((cell): cell is BatchCellPlan => cell.kind === 'batch');
  const serverS = cells
    .filter((cell) => cell.kind === 'server')
    .reduce((sum, cell) => sum + estimateRepSeconds(cell).seconds * suite.repetitions, 0);
  const members = batch.filter((cell) => groupOf(cell) === group).length;
  return Math.max(0, (((suite.timeBudgetS - serverS) * members) / Math.max(1, batch.length)) * 1000);
}

export function suiteExecutor(context: SuiteExecutorContext): CellExecutor {
  const { suite, cells } = context;
  const sizes = new Map<string, Promise<BatchSizing>>();
  const planOf = new Map(cells.map((cell) => [cell.cellKey, cell]));
  for (const record of context.stored ?? []) {
    const plan = planOf.get(record.cellKey);
    if (record.kind !== 'batch' || !record.sizing || plan?.kind !== 'batch') continue;
    if (!sizes.has(groupOf(plan))) sizes.set(groupOf(plan), Promise.resolve(record.sizing));
  }
  const sizeOf = (cell: BatchCellPlan): Promise<BatchSizing> => {
    const group = groupOf(cell);
    let size = sizes.get(group);
    if (!size) {
      const members = cells.filter(
        (other): other is BatchCellPlan => other.kind === 'batch' && groupOf(other) === group,
      );
      context.onNote?.(
        `calibrating ${cell.runtime} ${cell.workload}: ${members.length} cells, ${suite.minWindowS} s windows`,
      );
      size = calibrateGroup(
        members.map((member) =>
          resolveBatchSpec({ ...batchIdentityOf(member), timeoutMs: member.timeoutMs }),
        ),
        resolveRuntime(cell.runtime),
        {
          minWindowMs: suite.minWindowS * 1000,
          groupBudgetMs: groupBudgetMs(suite, cells, group),
          repetitions: suite.repetitions,
        },
      );
      sizes.set(group, size);
    }
    return size;
  };
  return async (cell: CellPlan): Promise<CellRecord> => {
    const runtime = resolveRuntime(cell.runtime);
    if (cell.kind === 'batch') {
      const sizing = await sizeOf(cell);
      return runBatchCell(
        { ...batchIdentityOf(cell), repetitions: 1, timeoutMs: cell.timeoutMs, sizing },
        runtime,
      );
    }
    const options: ServerCellOptions = { startTimeoutMs: cell.timeoutMs, onSecond: context.onSecond };
    if (cell.capacity) return runCapacityStep(serverSpecOf(cell), runtime, cell.capacity, options);
    return runServerCell(serverSpecOf(cell), runtime, options);
  };
}
