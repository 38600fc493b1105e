/**
 * The conclusion's sentences about models that fell short of their workers:
 * one per cell that carries a likely cause (src/monitor/causes.ts, filled
 * with the speedups), e.g. "threads (c=2) on cpu.sha256 reached 1.2× of 2:
 * likely lock contention — sys time 35% vs 3% in sequential, …".
 */
import type { BatchCell } from '../results/record.ts';
import { workersUsed } from '../results/speedup.ts';

export function shortfallSentences(
  cells: readonly BatchCell[],
  name: (cell: BatchCell) => string,
  multiRuntime: boolean,
): string[] {
  return cells.flatMap((cell) => {
    const workers = workersUsed(cell);
    if (!cell.likelyCause || cell.speedup === null || workers === null) return [];
    const where = `${cell.workload}${multiRuntime ? ` on ${cell.runtime.split('.')[0] ?? cell.runtime}` : ''}`;
    const speedup = `${cell.speedup.toFixed(1)}×`;
    return [`${name(cell)} on ${where} reached ${speedup} of ${workers}: ${cell.likelyCause.text}`];
  });
}
