/**
 * A serving unit that hosts a user's app instead of the built-in contract.
 * The unit's shape is the architecture's, as for the contract: requests run
 * inline (single, cluster, reuseport, reuseport-threads), on the unit's pool
 * threads (offload, prefork: each thread imports the app) or in a child
 * process per request (spawn: each child imports it). Inline, the unit
 * imports the app itself, once. The front is Bun.serve for a fetch app on
 * Bun (native-front.ts says why), node:http everywhere else.
 */
import { threadId } from 'node:worker_threads';
import type { UnitConfig } from '../../config.ts';
import { listenOn, type ListeningServer } from '../listen.ts';
import type { RunningUnit } from '../unit.ts';
import { ChildSpawner } from '../work/spawn-responder.ts';
import { loadApp, type AppRef, type FetchHandler, type LoadedApp } from './app-module.ts';
import { appPool, poolBackend } from './app-pool.ts';
import { appFront, guardedFetch, startNativeServer, wireFetch } from './native-front.ts';
import { createAppNodeServer, type NodeAppHandler } from './node-front.ts';
import { appErrorLogger, type WireBackend } from './wire.ts';

function spawnBackend(spawner: ChildSpawner, app: AppRef): WireBackend {
  return async ({ body, ...request }) => {
    const output = await spawner.run({
      kind: 'app',
      app,
      request: { ...request, bodyB64: body === null ? null : Buffer.from(body).toString('base64') },
    });
    if (output.kind !== 'app')
      throw new Error(`a request child answered a ${output.kind} reply to an app request`);
    const { status, headers, bodyB64 } = output.response;
    return { status, headers, body: Buffer.from(bodyB64, 'base64') };
  };
}

/** Where the unit's requests run: the app in this event loop, or across a thread or process boundary. */
type AppWork = { kind: 'inline'; app: LoadedApp } | { kind: 'wire'; backend: WireBackend };

/** What a native server calls: the app guarded against failure, or the request handed to the pool or a child. */
function nativeFetch(work: AppWork, onAppError: (error: unknown) => void): FetchHandler {
  if (work.kind === 'wire') return wireFetch(work.backend);
  if (work.app.kind !== 'fetch') throw new Error('a native server hosts fetch apps only');
  return guardedFetch(work.app.fetch, onAppError);
}

function nodeHandler(app: LoadedApp): NodeAppHandler {
  return app.kind === 'fetch'
    ? { kind: 'fetch', fetch: app.fetch }
    : { kind: 'listener', listener: app.listener };
}

export async function startAppUnit(unit: UnitConfig, ref: AppRef): Promise<RunningUnit> {
  const config = unit.server;
  const errors = appErrorLogger(`unit ${unit.unitIndex} (pid ${process.pid}, thread ${threadId})`);
  const pool = unit.poolThreads > 0 ? appPool(unit.poolThreads, ref) : null;
  const spawner = unit.spawnPerRequest
    ? new ChildSpawner(config.spawnMaxChildren, config.limits.requestTimeoutMs * 3)
    : null;
  const freeWork = async (): Promise<void> => {
    spawner?.close();
    await pool?.close();
  };
  try {
    if (pool) await pool.ready();
    // Only a unit that runs requests itself imports the app; pool threads and children import their own.
    const work: AppWork = pool
      ? { kind: 'wire', backend: poolBackend(pool) }
      : spawner
        ? { kind: 'wire', backend: spawnBackend(spawner, ref) }
        : { kind: 'inline', app: await loadApp(ref) };
    const front = appFront(ref);
    const server: ListeningServer =
      front === 'node:http'
        ? await listenOn(
            createAppNodeServer(
              work.kind === 'wire' ? work : nodeHandler(work.app),
              config.limits,
              errors.log,
            ),
            config.host,
            unit.port,
            unit.reusePort,
          )
        : startNativeServer({
            host: config.host,
            port: unit.port,
            reusePort: unit.reusePort,
            requestTimeoutMs: config.limits.requestTimeoutMs,
            fetch: nativeFetch(work, errors.log),
          });
    return {
      front,
      host: server.host,
      port: server.port,
      setRestarts: () => undefined,
      onPoolRestart: (handler) => {
        if (pool) pool.onRestart = handler;
      },
      async close(graceMs = 3000) {
        // Requests in flight finish (within the grace) before their pool or children go.
        await server.close(graceMs);
        await freeWork();
      },
    };
  } catch (error) {
    await freeWork();
    throw error;
  }
}
