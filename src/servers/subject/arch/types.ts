/**
 * The interface every server architecture implements: start the units that
 * serve (returning the port they share), report their PIDs, stop them.
 * Start-up, readiness, signals and shutdown live in base.ts, not here.
 */
import type { EventLoopStats } from '../../../monitor/types.ts';
import type { ServerConfig } from '../../config.ts';

export interface ArchContext {
  config: ServerConfig;
  /** A line for the operator (stderr), e.g. "unit 2 (pid 123) died → replaced". */
  log(line: string): void;
}

export interface RunningArch {
  /** The address the (first) unit bound, as the system reports it. */
  host: string;
  port: number;
  /** Real PIDs of every process of the architecture, primary included. */
  pids(): number[];
  /** Units (processes or threads) that died and were replaced. */
  restarts(): number;
  /** Pool threads (offload, prefork) that died and were replaced, in every unit; absent = none counted. */
  poolRestarts?(): number;
  /** Which listener serves a user's app ('node:http', 'Bun.serve', 'Deno.serve'); absent or undefined for the built-in contract. */
  front?(): string | undefined;
  /** The measured window begins: every unit that has its own event loop restarts its probe. */
  measure(): void;
  /** Those units' event loops since measure(); [] when the primary's loop is the only one. */
  unitEventLoops(): Promise<EventLoopStats[]>;
  /** Stops every unit: graceful within graceMs, then forced. Resolves when all are gone. */
  stop(graceMs: number): Promise<void>;
}

/**
 * Where an architecture's serving event loops run: all in the primary
 * ('in-process', one unit), or one unit per --workers as child processes
 * ('process': a unit can die and be replaced on its own) or worker threads
 * ('thread').
 */
export const unitKinds = ['in-process', 'process', 'thread'] as const;
export type UnitKind = (typeof unitKinds)[number];

/** A count's default: a number, or one per core of the machine it runs on. */
export type CountDefault = number | 'cores';

export interface Architecture {
  name: string;
  summary: string;
  unit: UnitKind;
  /** Takes --workers (serving units): its default. Absent = exactly one unit (in-process architectures). */
  workers?: { default: CountDefault };
  /** Takes --threads (a CPU worker-thread pool per unit): its default. Absent = work runs inline (threads 0). */
  threads?: { default: CountDefault };
  start(context: ArchContext): Promise<RunningArch>;
}

/** The runtime cannot run this architecture; reported as "unsupported on RUNTIME@VERSION (capability: detail)". */
export class UnsupportedError extends Error {
  readonly capability: string;

  constructor(capability: string, detail: string) {
    super(`${capability}: ${detail}`);
    this.name = 'UnsupportedError';
    this.capability = capability;
  }
}
