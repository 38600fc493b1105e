/**
 * The interface every server architecture implements: start the units that
 * serve (returning the port they share), report their PIDs, stop them.
 * Start-up, readiness, signals and shutdown live in base.ts, not here.
 */
import type { ArchName, ServerConfig } from '../../config.ts';

export interface ArchContext {
  config: ServerConfig;
  /** A line for the operator (stderr), e.g. "unit 2 (pid 123) died → replaced". */
  log(line: string): void;
}

export interface RunningArch {
  port: number;
  /** The address the units actually bound, as the OS reports it (the listening line shows it). */
  address: string;
  /** Real PIDs of every process of the architecture, primary included. */
  pids(): number[];
  /** Units (processes or threads) that died and were replaced. */
  restarts(): number;
  /** Stops every unit: graceful within graceMs, then forced. Resolves when all are gone. */
  stop(graceMs: number): Promise<void>;
}

export interface Architecture {
  name: ArchName;
  summary: string;
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
