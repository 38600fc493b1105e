/**
 * A pool of worker threads that run a fetch app's handler (offload,
 * prefork): each thread imports the app once (app-pool-worker.ts) and
 * answers requests that arrive as plain data (wire.ts).
 */
import { ThreadPool } from '../work/thread-pool.ts';
import type { AppRef } from './app-module.ts';
import type { WireBackend, WireRequest, WireResponse } from './wire.ts';

export type AppTask = { kind: 'ping' } | { kind: 'app'; request: WireRequest };
/** `ping` answers null once the thread has imported the app. */
export type AppAnswer = WireResponse | null;

export type AppPool = ThreadPool<AppTask, AppAnswer>;

export function appPool(size: number, app: AppRef): AppPool {
  return new ThreadPool<AppTask, AppAnswer>(size, {
    url: new URL('./app-pool-worker.ts', import.meta.url),
    workerData: app,
    warmTask: { kind: 'ping' },
  });
}

export function poolBackend(pool: AppPool): WireBackend {
  return async (request) => {
    const answer = await pool.run({ kind: 'app', request });
    if (answer === null) throw new Error('a pool thread answered a request with nothing');
    return answer;
  };
}
