/**
 * The one number per repetition each kind of cell is judged by, its primary
 * metric: batch, the time of a fixed amount of work (durationMs, per pass
 * over the items); server, verified requests per second; pipeline, MiB/s
 * written in a fixed time. Comparisons (compare.ts), the stopping rule of
 * adaptive repetitions (steps.ts) and the precision shown in tables all
 * read it from here.
 */
import type { CellRecord } from './record.ts';

export type HeadlineMetric = 'durationMs' | 'rps' | 'aggregateMiBps';

export interface PrimaryMetric {
  metric: HeadlineMetric;
  /** One value per ok repetition the record holds. */
  values: number[];
  /** Durations: lower is better; rates: higher is better. */
  higherIsBetter: boolean;
}

export function primaryMetric(cell: CellRecord): PrimaryMetric {
  switch (cell.kind) {
    case 'batch':
      return { metric: 'durationMs', values: cell.durationsMs, higherIsBetter: false };
    case 'server':
      return { metric: 'rps', values: cell.rpsPerRep, higherIsBetter: true };
    case 'pipeline':
      return { metric: 'aggregateMiBps', values: cell.aggregateMiBpsPerRep, higherIsBetter: true };
  }
}
