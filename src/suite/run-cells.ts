/**
 * The suite's cell executor: one planned repetition → the batch lab's or
 * the server lab's runner, one repetition each (a fresh subject process per
 * call), so that repetitions of different cells can interleave.
 */
import { runBatchCell } from '../batch/driver/run-cell.ts';
import { batchIdentityOf } from '../batch/spec.ts';
import type { CellRecord } from '../results/record.ts';
import { resolveRuntime } from '../runtimes/registry.ts';
import { runServerCell } from '../servers/driver/run-cell.ts';
import { runCapacityStep } from '../servers/capacity/steps.ts';
import { serverSpecOf } from './expand.ts';
import type { CellExecutor } from './runner.ts';
import type { CellPlan } from './types.ts';

export const executeCell: CellExecutor = async (cell: CellPlan): Promise<CellRecord> => {
  const runtime = resolveRuntime(cell.runtime);
  if (cell.kind === 'batch') {
    return runBatchCell({ ...batchIdentityOf(cell), repetitions: 1, timeoutMs: cell.timeoutMs }, runtime);
  }
  const options = { startTimeoutMs: cell.timeoutMs };
  if (cell.capacity) return runCapacityStep(serverSpecOf(cell), runtime, cell.capacity, options);
  return runServerCell(serverSpecOf(cell), runtime, options);
};
