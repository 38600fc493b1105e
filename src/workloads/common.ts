/** combine() helpers shared by workloads. */
import type { ItemAnswer } from './types.ts';

/** Every item computes the same thing, so the cell answer is that value; a disagreement is a wrong answer. */
export function allEqual(workload: string, answers: readonly ItemAnswer[]): ItemAnswer {
  const first = answers[0];
  if (first === undefined) throw new Error(`${workload}: no item answers to combine`);
  for (let i = 1; i < answers.length; i++) {
    if (answers[i] !== first) {
      throw new Error(
        `${workload}: item ${i} answered ${String(answers[i])}, item 0 answered ${String(first)}`,
      );
    }
  }
  return first;
}

/** Items answer different numbers; the cell answer is their 32-bit wrap-around sum (order-independent, exact). */
export function sum32(workload: string, answers: readonly ItemAnswer[]): number {
  let total = 0;
  for (const [i, answer] of answers.entries()) {
    if (typeof answer !== 'number' || !Number.isInteger(answer)) {
      throw new Error(`${workload}: item ${i} answered ${String(answer)}, not an integer`);
    }
    total = (total + answer) >>> 0;
  }
  return total;
}

/** Items answer different integers; the cell answer is their exact sum (small enough to stay exact). */
export function sumInts(workload: string, answers: readonly ItemAnswer[]): number {
  let total = 0;
  for (const [i, answer] of answers.entries()) {
    if (typeof answer !== 'number' || !Number.isSafeInteger(answer)) {
      throw new Error(`${workload}: item ${i} answered ${String(answer)}, not an integer`);
    }
    total += answer;
  }
  return total;
}
