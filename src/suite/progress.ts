/**
 * The progress line of `conlab run` on stderr: cell i/N, the current cell,
 * elapsed time and the estimated time left. On a terminal it redraws one
 * line; elsewhere (CI logs, tests) it prints one line per cell.
 */
import type { CellRecord } from '../results/record.ts';
import type { ProgressEvent } from './runner.ts';
import type { ResolvedSuite } from './types.ts';

/** "3 repetitions", or "3+ repetitions (auto: until ±5%, at most 10)". */
export function repetitionsText(suite: Pick<ResolvedSuite, 'repetitions' | 'adaptive'>): string {
  return suite.adaptive
    ? `${suite.adaptive.minRepetitions}+ repetitions (auto: until ±${suite.adaptive.targetPercent}%, at most ${suite.adaptive.maxRepetitions})`
    : `${suite.repetitions} repetitions`;
}

export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function bar(done: number, total: number, width = 20): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
}

export function progressLine(event: ProgressEvent): string {
  const width = String(event.total).length;
  return `[${String(event.index).padStart(width)}/${event.total}] ${bar(event.index - 1, event.total)} ${event.cell.label} (rep ${event.repetition + 1}/${event.repetitions}) · ${clock(event.elapsedS)} elapsed · ~${clock(event.etaS)} left`;
}

export interface ProgressPrinter {
  start(event: ProgressEvent): void;
  end(event: ProgressEvent, record: CellRecord): void;
  /** A line about something other than a step (a group's calibration). */
  note(text: string): void;
  /** What the current step is doing (a server cell's last second): appended to the redrawn line, or a line of its own. */
  detail(text: string): void;
  /** Clears a redrawn line before other output. */
  clear(): void;
}

export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): ProgressPrinter {
  const redraw = stream.isTTY;
  let drawn = false;
  const clear = (): void => {
    if (redraw && drawn) stream.write('\r\x1b[K');
    drawn = false;
  };
  let current = '';
  const draw = (line: string): void => {
    clear();
    const columns = stream.columns > 10 ? stream.columns - 1 : 120;
    stream.write(line.length > columns ? `${line.slice(0, columns - 1)}~` : line);
    drawn = true;
  };
  return {
    start(event) {
      current = progressLine(event);
      if (redraw) draw(current);
      else stream.write(`${current}\n`);
    },
    detail(text) {
      if (redraw) draw(`${current} · ${text.trim()}`);
      else stream.write(`    ${text.trim()}\n`);
    },
    end(event, record) {
      if (record.status === 'ok') return;
      clear();
      stream.write(
        `  ${event.cell.label} rep ${event.repetition + 1}: ${record.status}${record.reason ? ` (${record.reason})` : ''}\n`,
      );
    },
    note(text) {
      clear();
      stream.write(`  ${text}\n`);
    },
    clear,
  };
}
