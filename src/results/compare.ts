/**
 * A/B comparison of two runs: cells matched by cellKey, the headline metric
 * of each (batch: wall time of the timed section; server: verified req/s),
 * the ratio B/A with Fieller's interval and Welch's p-value on the
 * per-repetition values. The interval and the mark agree by construction
 * (see ratioOfMeans).
 */
import type { CellRecord, RunData } from './record.ts';
import {
  meanInterval,
  ratioOfMeans,
  welchTest,
  type MeanInterval,
  type RatioInterval,
} from '../stats/inference.ts';
import { mergeRepetitions } from './merge.ts';

export interface ComparedCell {
  cellKey: string;
  kind: CellRecord['kind'];
  metric: HeadlineMetric;
  /** For durationMs lower is better; for rps and aggregateMiBps higher is better. */
  higherIsBetter: boolean;
  runtimeA: string;
  runtimeB: string;
  a: MeanInterval;
  b: MeanInterval;
  /** mean(B) / mean(A) with its interval. */
  ratio: RatioInterval;
  /** Welch's two-sided p-value; null with fewer than 2 ok repetitions on a side. */
  p: number | null;
  /** '**' p < 0.01, '*' p < 0.05, '' not significant, '?' too few repetitions. */
  mark: '**' | '*' | '' | '?';
  /** Plain words: "B 2.0× faster", "no significant difference", ... */
  verdict: string;
}

export interface RunComparison {
  runA: string;
  runB: string;
  level: number;
  cells: ComparedCell[];
  /** cellKeys of cells present in only one run. */
  onlyInA: string[];
  onlyInB: string[];
  /** Cells in both runs but not ok in one of them. */
  notComparable: { cellKey: string; reason: string }[];
}

/** What each kind is judged by: batch, the time of a fixed amount of work; server, verified req/s; pipeline, MiB/s written in a fixed time. */
export type HeadlineMetric = 'durationMs' | 'rps' | 'aggregateMiBps';

function headline(cell: CellRecord): { metric: HeadlineMetric; values: number[] } {
  switch (cell.kind) {
    case 'batch':
      return { metric: 'durationMs', values: cell.durationsMs };
    case 'server':
      return { metric: 'rps', values: cell.rpsPerRep };
    case 'pipeline':
      return { metric: 'aggregateMiBps', values: cell.aggregateMiBpsPerRep };
  }
}

export function significanceMark(p: number | null): ComparedCell['mark'] {
  if (p === null) return '?';
  if (p < 0.01) return '**';
  if (p < 0.05) return '*';
  return '';
}

function verdictText(higherIsBetter: boolean, ratio: RatioInterval, mark: ComparedCell['mark']): string {
  if (mark === '?') return 'too few repetitions to tell';
  if (mark === '') return 'no significant difference';
  const better = higherIsBetter ? ratio.ratio > 1 : ratio.ratio < 1;
  // Express as "× faster/slower" for durations (B is faster when its time ratio is below 1).
  const factor = higherIsBetter ? ratio.ratio : 1 / ratio.ratio;
  const shown = factor >= 1 ? factor : 1 / factor;
  return `B ${shown.toFixed(2)}× ${better ? (higherIsBetter ? 'more throughput' : 'faster') : higherIsBetter ? 'less throughput' : 'slower'}`;
}

/** Compares two ok merged records of the same kind on their headline metric. */
export function compareCell(cellKey: string, a: CellRecord, b: CellRecord, level = 0.95): ComparedCell {
  const { metric, values: valuesA } = headline(a);
  const valuesB = headline(b).values;
  const ratio = ratioOfMeans(valuesA, valuesB, level);
  const { p } = welchTest(valuesA, valuesB);
  const mark = significanceMark(p);
  const higherIsBetter = metric !== 'durationMs';
  return {
    cellKey,
    kind: a.kind,
    metric,
    higherIsBetter,
    runtimeA: a.runtime,
    runtimeB: b.runtime,
    a: meanInterval(valuesA, level),
    b: meanInterval(valuesB, level),
    ratio,
    p,
    mark,
    verdict: verdictText(higherIsBetter, ratio, mark),
  };
}

export function compareRuns(runA: RunData, runB: RunData, level = 0.95): RunComparison {
  const mergedA = new Map(mergeRepetitions(runA.cells).map((cell) => [cell.cellKey, cell]));
  const mergedB = new Map(mergeRepetitions(runB.cells).map((cell) => [cell.cellKey, cell]));
  const cells: ComparedCell[] = [];
  const notComparable: RunComparison['notComparable'] = [];
  for (const [cellKey, a] of mergedA) {
    const b = mergedB.get(cellKey);
    if (!b) continue;
    if (a.status !== 'ok' || b.status !== 'ok') {
      notComparable.push({ cellKey, reason: `A ${a.status}, B ${b.status}` });
      continue;
    }
    cells.push(compareCell(cellKey, a, b, level));
  }
  return {
    runA: runA.run.runId,
    runB: runB.run.runId,
    level,
    cells,
    onlyInA: [...mergedA.keys()].filter((key) => !mergedB.has(key)),
    onlyInB: [...mergedB.keys()].filter((key) => !mergedA.has(key)),
    notComparable,
  };
}

export interface Regression {
  cellKey: string;
  /** How much slower B is, as a fraction: 0.5 = B takes 1.5× A's time, or A's throughput is 1.5× B's. */
  slowdown: number;
  text: string;
}

export interface RegressionCheck {
  /** The limit as a fraction (0.05 for 5%). */
  limit: number;
  regressions: Regression[];
  /** Cells whose difference could not be tested (fewer than 2 repetitions on a side): never a regression. */
  undecided: string[];
}

/**
 * B's slowdown against A on the headline metric, the same in both
 * directions of "better": a time ratio of 2 and a throughput ratio of 0.5
 * are both a slowdown of 1 (100%).
 */
export function slowdownOf(cell: ComparedCell): number {
  return cell.higherIsBetter ? 1 / cell.ratio.ratio - 1 : cell.ratio.ratio - 1;
}

/**
 * The regressions of B against A larger than `limit`: significant (Welch
 * p < 0.05, so the ratio's 95% interval excludes 1) and slower by more than
 * the limit on the point estimate. A cell ok in A and failed in B is a
 * regression too; a cell with fewer than 2 repetitions on a side cannot be
 * judged and is listed as undecided, never failed on.
 */
export function findRegressions(comparison: RunComparison, limit: number): RegressionCheck {
  const regressions: Regression[] = [];
  const undecided: string[] = [];
  for (const cell of comparison.cells) {
    if (cell.mark === '?') {
      undecided.push(cell.cellKey);
      continue;
    }
    const slowdown = slowdownOf(cell);
    if (cell.mark === '' || !(slowdown > limit)) continue;
    regressions.push({
      cellKey: cell.cellKey,
      slowdown,
      text: `${cell.cellKey}: ${cell.verdict} (${(slowdown * 100).toFixed(1)}% slower, limit ${+(limit * 100).toFixed(3)}%; p ${cell.p === null ? '-' : cell.p.toPrecision(2)})`,
    });
  }
  for (const { cellKey, reason } of comparison.notComparable) {
    if (reason.startsWith('A ok,')) {
      regressions.push({ cellKey, slowdown: Infinity, text: `${cellKey}: ok in A, not in B (${reason})` });
    }
  }
  return { limit, regressions, undecided };
}
