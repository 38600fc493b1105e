/**
 * Live progress on stderr for long commands: a header at once, then one
 * line per second — or, on a terminal, one line redrawn in place. stdout is
 * never touched, so `--format json` output stays one document. It only
 * formats what the command already has (the load generator's per-second
 * reports): no work per request.
 *
 * On by default only where someone watches: stderr is a terminal and CI is
 * not set. `--progress` asks for it anyway (a line per second into a log),
 * `--quiet` silences it.
 */
import type { TimelinePoint } from '../load/types.ts';
import type { LoadOptions } from '../load/types.ts';

export const progressFlags = {
  progress: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

/** The help lines of progressFlags, for commands that measure server cells (load has its own layout). */
export const progressFlagsHelp = `  --progress            a live line per measured second on stderr (requests, p99,
                        errors) even when stderr is not a terminal or CI is set
  -q, --quiet           no per-second lines (default: only when stderr is a terminal)`;

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressChoice {
  progress?: boolean;
  quiet?: boolean;
}

/** Whether to show progress: --quiet wins, then --progress, else a terminal outside CI. */
export function progressWanted(
  choice: ProgressChoice,
  stream: ProgressStream,
  env: NodeJS.ProcessEnv,
): boolean {
  if (choice.quiet) return false;
  if (choice.progress) return true;
  return stream.isTTY === true && (env.CI === undefined || env.CI === '' || env.CI === 'false');
}

function latencyText(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(2)}ms` : `${Math.round(us)}us`;
}

/** One second of a measured window: "   3s     4211 req/s  p99    2.31ms  errors 0". */
export function secondText(point: TimelinePoint): string {
  return (
    `${String(point.second + 1).padStart(4)}s  ${String(point.requests).padStart(8)} req/s` +
    `  p99 ${latencyText(point.p99Us).padStart(9)}  errors ${point.errors}`
  );
}

/**
 * Where a command that measures server cells sends each measured second:
 * `show` gets the line when progress is wanted (progressWanted), nothing
 * is formatted otherwise.
 */
export function secondsPrinter(
  choice: ProgressChoice,
  show: (line: string) => void,
): ((point: TimelinePoint) => void) | undefined {
  return progressWanted(choice, process.stderr, process.env) ? (point) => show(secondText(point)) : undefined;
}

/** What `conlab load` will do, in one line (as wrk prints before it starts). */
export function loadHeader(options: LoadOptions): string {
  const threads = options.threads ?? 1;
  const connections = options.connections ?? 10;
  const mode =
    options.rateRps === undefined
      ? `closed loop, ${connections} connection${connections === 1 ? '' : 's'}`
      : `open loop at ${options.rateRps} req/s over ${connections} connection${connections === 1 ? '' : 's'}`;
  const length = [
    options.durationS !== undefined ? `${options.durationS}s` : undefined,
    options.requests !== undefined ? `${options.requests} requests` : undefined,
  ].filter((part) => part !== undefined);
  const warmup = options.warmupS ? ` after ${options.warmupS}s warm-up` : '';
  return `conlab load ${options.target}: ${mode}, ${threads} thread${threads === 1 ? '' : 's'}, ${length.length > 0 ? length.join(' or ') : '10s'}${warmup}`;
}

/** Prints the header now and each second's report as it arrives; `end` finishes a redrawn line. */
export class LoadProgress {
  private readonly stream: ProgressStream;
  private readonly redraw: boolean;
  private totalRequests = 0;
  private totalErrors = 0;
  private drawn = false;

  constructor(stream: ProgressStream, header: string) {
    this.stream = stream;
    this.redraw = stream.isTTY === true;
    stream.write(`${header}\n`);
  }

  /** One second of the measured window (the generator's merged report of its threads). */
  second(point: TimelinePoint): void {
    this.totalRequests += point.requests;
    this.totalErrors += point.errors;
    const line = `  ${secondText(point)}  (total ${this.totalRequests} requests, ${this.totalErrors} errors)`;
    if (this.redraw) {
      this.stream.write(`\r\x1b[K${line}`);
      this.drawn = true;
    } else this.stream.write(`${line}\n`);
  }

  end(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
