/**
 * Driver side: from what the user typed to a resolved ServerConfig (every
 * default filled in), with LabErrors that name the flag, the allowed values
 * and the fix.
 */
import { availableParallelism } from 'node:os';
import { ErrorCodes, LabError, unknownName } from '../core/errors.ts';
import { withoutBrackets } from '../core/net-address.ts';
import { archNames, type ArchName, type ServerConfig } from './config.ts';
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
}

/** Archs whose serving loops are separate processes or threads, and so take --workers. */
const multiUnit: ArchName[] = ['cluster', 'reuseport', 'reuseport-threads', 'prefork'];
/** Archs with a CPU thread pool, and so take --threads. */
const pooled: ArchName[] = ['offload', 'prefork'];

export function parseArchName(name: string): ArchName {
  if ((archNames as readonly string[]).includes(name)) return name as ArchName;
  throw unknownName(ErrorCodes.UNKNOWN_ARCH, 'architecture', name, archNames);
}

export function resolveServerConfig(input: ServerInput): ServerConfig {
  const arch = parseArchName(input.arch ?? 'single');
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
  const kvKeys = input.kvKeys ?? DEFAULT_KV_KEYS;
  return {
    arch,
    protocol: input.tcp ? 'tcp' : 'http',
    tcpMode: mode,
    spinIters: input.spinIters ?? DEFAULT_SPIN_ITERS,
    host,
    port: input.port ?? 0,
    workers: multiUnit.includes(arch) ? (input.workers ?? cores) : 1,
    threads: pooled.includes(arch) ? (input.threads ?? (arch === 'prefork' ? 2 : cores)) : 0,
    kvPath: input.kvPath ?? defaultKvPath(kvKeys),
    kvKeys,
    limits: {
      ...DEFAULT_LIMITS,
      requestTimeoutMs: input.requestTimeoutMs ?? DEFAULT_LIMITS.requestTimeoutMs,
    },
    spawnMaxChildren: Math.max(4, cores * 8),
    stopOnStdinEnd: input.stopOnStdinEnd ?? true,
  };
}
