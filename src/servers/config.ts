/**
 * A server's configuration in its resolved form (every default filled in):
 * what the CLI and the bench driver build, what the subject receives as JSON,
 * and what /info and results report. Subject-side code only reads it.
 */
import type { AppRef } from './subject/app/app-module.ts';
import type { HttpLimits } from './subject/http/adapter.ts';
import type { TcpMode } from './subject/tcp/tcp-server.ts';

/** An architecture's name: one of the registry's (src/servers/subject/arch/registry.ts). */
export type ArchName = string;

export interface ServerConfig {
  arch: ArchName;
  protocol: 'http' | 'tcp';
  tcpMode: TcpMode;
  /** cpu.js iterations per TCP compute reply. */
  spinIters: number;
  host: string;
  port: number;
  /** Serving event loops (units) of an architecture that takes --workers; 1 otherwise. */
  workers: number;
  /** Worker threads doing CPU work (per unit) of an architecture that takes --threads; 0 = work inline. */
  threads: number;
  kvPath: string;
  kvKeys: number;
  limits: HttpLimits;
  /** Most child processes alive at once in `spawn` (requests beyond wait). */
  spawnMaxChildren: number;
  /** Stop when stdin closes: the parent that started us is gone (no orphans). */
  stopOnStdinEnd: boolean;
  /** A user's app served instead of the built-in contract (HTTP only); absent: the contract. */
  app?: AppRef;
}

/** What a serving unit (one event loop with a listener) needs beyond the server config. */
export interface UnitConfig {
  server: ServerConfig;
  /** PID of the architecture's primary process (for /info). */
  primaryPid: number;
  /** Port to bind (the primary's chosen port once known). */
  port: number;
  reusePort: boolean;
  /** Thread-pool size for CPU work in this unit; 0 = inline. */
  poolThreads: number;
  spawnPerRequest: boolean;
  unitIndex: number;
}

/** Environment variable carrying a UnitConfig to a child-process unit. */
export const UNIT_ENV = 'CONLAB_SERVER_UNIT';
