/**
 * A serving unit: one event loop with one listener, the building block of
 * every architecture (single and offload run one in the primary; cluster,
 * reuseport and prefork one per process; reuseport-threads one per thread).
 * It wires the protocol handler to the work path the unit config asks for.
 */
import net from 'node:net';
import { threadId } from 'node:worker_threads';
import { currentRuntimeLabel } from '../../core/runtime-info.ts';
import type { UnitConfig } from '../config.ts';
import { startAppUnit } from './app/app-unit.ts';
import type { AppFront } from './app/native-front.ts';
import { createHttpServer, type Responder } from './http/adapter.ts';
import { listenOn, type ListeningServer } from './listen.ts';
import { handle, pathOf, type Work } from './http/router.ts';
import { createTcpServer, inlineTcpReplier, type TcpReplier } from './tcp/tcp-server.ts';
import { sha256Chain } from './work/compute.ts';
import { openKv, type KvReader } from './work/kv.ts';
import { ChildSpawner, childFailure } from './work/spawn-responder.ts';
import { cpuPool, type CpuPool } from './work/thread-pool.ts';

export interface RunningUnit {
  /** The address bound, as the system reports it (an IPv6 host stays IPv6). */
  host: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish (bounded), frees the pool. */
  close(graceMs?: number): Promise<void>;
  /** The primary tells units how many of their siblings were replaced (shown in /info). */
  setRestarts(restarts: number): void;
  /** Called each time a thread of this unit's pool dies and is replaced (the unit tells its primary). */
  onPoolRestart(handler: () => void): void;
  /** Which listener serves a user's app; undefined for the built-in contract. */
  front?: AppFront;
}

export async function startUnit(unit: UnitConfig): Promise<RunningUnit> {
  const config = unit.server;
  // A user's app replaces the contract's router; the unit's shape (pool, spawn, reusePort) stays the same.
  if (config.app) return startAppUnit(unit, config.app);
  let restarts = 0;
  const pool = unit.poolThreads > 0 ? cpuPool(unit.poolThreads) : null;
  const spawner = unit.spawnPerRequest
    ? new ChildSpawner(config.spawnMaxChildren, config.limits.requestTimeoutMs * 3)
    : null;
  let kv: KvReader | null = null;
  const info = (): Record<string, unknown> => ({
    runtime: currentRuntimeLabel(),
    architecture: config.arch,
    protocol: config.protocol,
    workers: config.workers,
    threads: config.threads,
    pid: unit.primaryPid,
    servedBy: { pid: process.pid, thread: threadId, unit: unit.unitIndex },
    restarts,
    poolRestarts: pool?.restarts ?? 0,
    poolThreadIds: pool?.threadIds() ?? [],
    childrenSpawned: spawner?.spawned ?? 0,
    kvKeys: config.kvKeys,
    spinIters: config.spinIters,
    limits: config.limits,
  });

  let server: net.Server;
  let listening: ListeningServer;
  try {
    if (pool) await pool.ready();
    if (config.protocol === 'http') {
      if (!spawner) kv = await openKv(config.kvPath, config.kvKeys);
      const work: Work = {
        cpu: pool ? (seed, iters) => pool.run({ kind: 'sha256', seed, iters }) : sha256Chain,
        io: (key) => kv?.get(key),
      };
      server = createHttpServer(
        spawner
          ? spawnHttpResponder(spawner, config.kvPath, config.kvKeys, info)
          : inlineResponder(work, info),
        config.limits,
      );
    } else {
      server = createTcpServer(tcpReplier(unit, pool, spawner));
    }
    listening = await listenOn(server, config.host, unit.port, unit.reusePort);
  } catch (error) {
    await pool?.close();
    kv?.close();
    throw error;
  }
  return {
    host: listening.host,
    port: listening.port,
    setRestarts(n) {
      restarts = n;
    },
    onPoolRestart(handler) {
      if (pool) pool.onRestart = handler;
    },
    async close(graceMs = 3000) {
      spawner?.close();
      await listening.close(graceMs);
      await pool?.close();
      kv?.close();
    },
  };
}

function inlineResponder(work: Work, info: () => Record<string, unknown>): Responder {
  return (request) => handle(request, { work, info });
}

/** /health and /info are the control plane and answer in the parent; everything else gets a child. */
function spawnHttpResponder(
  spawner: ChildSpawner,
  kvPath: string,
  kvKeys: number,
  info: () => Record<string, unknown>,
): Responder {
  const local: Work = {
    cpu: () => {
      throw new Error('unreachable: spawn answers /score in a child');
    },
    io: () => undefined,
  };
  return async (request) => {
    const path = pathOf(request.url);
    if (path === '/health' || path === '/info') return handle(request, { work: local, info });
    try {
      const { body, ...rest } = request;
      const output = await spawner.run({
        kind: 'http',
        kvPath,
        kvKeys,
        info: info(),
        request: { ...rest, bodyB64: body.toString('base64') },
      });
      if (output.kind !== 'http') throw new Error('child answered a tcp reply to an http request');
      return output.answer;
    } catch (error) {
      return childFailure(error);
    }
  };
}

function tcpReplier(unit: UnitConfig, pool: CpuPool | null, spawner: ChildSpawner | null): TcpReplier {
  const { tcpMode, spinIters } = unit.server;
  if (spawner) {
    return async (chunk) => {
      const output = await spawner.run({
        kind: 'tcp',
        mode: tcpMode,
        spinIters,
        chunkB64: chunk.toString('base64'),
      });
      if (output.kind !== 'tcp') throw new Error('child answered an http reply to a tcp request');
      return Buffer.from(output.replyB64, 'base64');
    };
  }
  if (pool && tcpMode === 'compute') {
    const done = Buffer.from('done');
    return async () => {
      await pool.run({ kind: 'spin', iters: spinIters });
      return done;
    };
  }
  return inlineTcpReplier(tcpMode, spinIters);
}
