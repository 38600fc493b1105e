/**
 * Cross-cell answer check: every cell of the same workload, params and item
 * count must give the same answer, whatever its model or runtime (answers
 * are engine-independent by construction). The baseline (sequential) cell is
 * the reference; without one, the first ok cell is.
 */
import { baselineModel } from '../../models/registry.ts';
import type { BatchCell } from '../../results/record.ts';

function groupKey(cell: BatchCell): string {
  return `${cell.workload}|${JSON.stringify(cell.params)}|${cell.items}`;
}

/** Marks cells whose answer differs from their group's reference as failed; returns how many it marked. */
export function checkAnswers(cells: BatchCell[]): number {
  const references = new Map<string, BatchCell>();
  for (const cell of cells) {
    if (cell.status !== 'ok') continue;
    const key = groupKey(cell);
    const current = references.get(key);
    const baseline = baselineModel.name;
    if (!current || (current.model !== baseline && cell.model === baseline)) references.set(key, cell);
  }
  let marked = 0;
  for (const cell of cells) {
    const reference = references.get(groupKey(cell));
    if (cell.status !== 'ok' || !reference || reference === cell) continue;
    if (cell.answer !== reference.answer) {
      cell.status = 'failed';
      cell.reason = `answer mismatch vs ${reference.model} on ${reference.runtime}: ${String(cell.answer)} ≠ ${String(reference.answer)}`;
      marked++;
    }
  }
  return marked;
}
