/**
 * Driver side: from what the user typed to a resolved ServerConfig (every
 * default filled in), with LabErrors that name the flag, the allowed values
 * and the fix.
 */
import { availableParallelism } from 'node:os';
import { ErrorCodes, LabError, unknownName } from '../core/errors.ts';
import { withoutBrackets } from '../core/net-address.ts';
import { defaultsHelp } from '../core/registry.ts';
import type { ServerConfig } from './config.ts';
import { endpointProtocol, type CellEndpoint } from './driver/endpoints.ts';
import type { AppRef } from './subject/app/app-module.ts';
import { architectures, baselineArchitecture } from './subject/arch/registry.ts';
import type { Architecture, CountDefault } from './subject/arch/types.ts';
import { DEFAULT_LIMITS } from './subject/http/adapter.ts';
import { DEFAULT_SPIN_ITERS } from './subject/work/compute.ts';
import { DEFAULT_KV_KEYS, defaultKvPath } from './subject/work/kv.ts';

export interface ServerInput {
  arch?: string;
  workers?: number;
  threads?: number;
  host?: string;
  port?: number;
  tcp?: boolean;
  mode?: string;
  spinIters?: number;
  kvKeys?: number;
  kvPath?: string;
  requestTimeoutMs?: number;
  stopOnStdinEnd?: boolean;
  /** A user's app to serve instead of the contract (checked by src/servers/driver/app-check.ts). */
  app?: AppRef;
}

/** Checks an architecture name against the registry (LAB_E_UNKNOWN_ARCH with a suggestion). */
export function parseArchName(name: string): string {
  return architectures.get(name).name;
}

const countOf = (value: CountDefault): number => (value === 'cores' ? availableParallelism() : value);

/** The count flags an architecture may take; which ones it takes, and their defaults, are its own declaration. */
export type CountFlag = 'workers' | 'threads';

/** For help texts: the architectures that take a count flag, grouped by default, e.g. "offload: default cores; prefork: default 2". */
export function countFlagHelp(flag: CountFlag): string {
  return defaultsHelp(
    architectures.all().flatMap((arch) => {
      const count = arch[flag];
      return count ? [{ name: arch.name, default: count.default }] : [];
    }),
  );
}

/** What --workers / --threads become for this architecture: its default, the value given, or its fixed value when it does not take the flag. */
function resolveCount(arch: Architecture, flag: CountFlag, given: number | undefined): number {
  const count = arch[flag];
  if (!count) return flag === 'workers' ? 1 : 0;
  return given ?? countOf(count.default);
}

export function resolveServerConfig(input: ServerInput): ServerConfig {
  const arch = architectures.get(input.arch ?? baselineArchitecture.name);
  const cores = availableParallelism();
  const host = withoutBrackets(input.host ?? '127.0.0.1');
  if (!/^[\w.:-]+$/.test(host)) {
    throw new LabError(ErrorCodes.BAD_PARAM, `--host '${host}' is not a host name or address`, {
      hint: 'use an address such as 127.0.0.1 (the default)',
    });
  }
  const mode = input.mode ?? 'echo';
  if (mode !== 'echo' && mode !== 'compute') {
    throw unknownName(ErrorCodes.BAD_PARAM, 'TCP mode', mode, ['echo', 'compute']);
  }
  if (input.mode !== undefined && !input.tcp) {
    throw new LabError(ErrorCodes.USAGE, '--mode only applies to the TCP protocol', {
      hint: 'add --tcp, or drop --mode for the HTTP contract',
    });
  }
  if (input.app && input.tcp) {
    throw new LabError(
      ErrorCodes.USAGE,
      '--app serves HTTP; --tcp is the raw TCP protocol of the built-in server',
      {
        hint: 'drop --tcp to serve your app, or drop --app for the TCP protocol',
      },
    );
  }
  const kvKeys = input.kvKeys ?? DEFAULT_KV_KEYS;
  return {
    arch: arch.name,
    protocol: input.tcp ? 'tcp' : 'http',
    tcpMode: mode,
    spinIters: input.spinIters ?? DEFAULT_SPIN_ITERS,
    host,
    port: input.port ?? 0,
    workers: resolveCount(arch, 'workers', input.workers),
    threads: resolveCount(arch, 'threads', input.threads),
    kvPath: input.kvPath ?? defaultKvPath(kvKeys),
    kvKeys,
    limits: {
      ...DEFAULT_LIMITS,
      requestTimeoutMs: input.requestTimeoutMs ?? DEFAULT_LIMITS.requestTimeoutMs,
    },
    spawnMaxChildren: Math.max(4, cores * 8),
    stopOnStdinEnd: input.stopOnStdinEnd ?? true,
    ...(input.app ? { app: input.app } : {}),
  };
}

/** What a measured cell's server is: its architecture and counts, with the protocol (and TCP mode) its endpoint needs. */
export interface CellServerInput {
  arch: string;
  workers?: number | undefined;
  threads?: number | undefined;
  endpoint: CellEndpoint;
  spinIters?: number | undefined;
  /** Bind address of the server (default 127.0.0.1). */
  host?: string | undefined;
  /** The user's app the cell serves (endpoint 'app'). */
  app?: { ref: AppRef } | undefined;
}

/** The one way a cell's endpoint becomes a server config (bench-server, suites and the cell runner agree). */
export function resolveCellServerConfig(cell: CellServerInput): ServerConfig {
  const tcp = endpointProtocol(cell.endpoint) === 'tcp';
  return resolveServerConfig({
    arch: cell.arch,
    workers: cell.workers,
    threads: cell.threads,
    tcp,
    mode: tcp ? (cell.endpoint === 'tcp-echo' ? 'echo' : 'compute') : undefined,
    spinIters: cell.spinIters,
    host: cell.host,
    stopOnStdinEnd: true,
    ...(cell.app ? { app: cell.app.ref } : {}),
  });
}
