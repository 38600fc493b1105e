/**
 * A thread of an app pool (offload, prefork): imports the user's app once,
 * then answers one request per message with the same id. The app's failures
 * are 500 answers (wire.ts); if the app cannot even be imported here, every
 * task (the pool's readiness ping first) fails with why, so the server does
 * not start instead of replacing threads forever.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import type { PoolAnswer } from '../work/thread-pool.ts';
import { loadApp, type AppRef, type LoadedApp } from './app-module.ts';
import type { AppAnswer, AppTask } from './app-pool.ts';
import { answerOnWire, appErrorLogger } from './wire.ts';

const port = parentPort;
const errors = appErrorLogger(`pool thread ${threadId} (pid ${process.pid})`);
let app: LoadedApp | Error;
try {
  app = await loadApp(workerData as AppRef);
} catch (error) {
  app = error instanceof Error ? error : new Error(String(error));
}

port?.on('message', (task: AppTask & { id: number }) => {
  const post = (answer: PoolAnswer<AppAnswer>): void => port.postMessage(answer);
  if (app instanceof Error)
    return post({ id: task.id, ok: false, value: `the app did not load: ${app.message}` });
  if (app.kind !== 'fetch')
    return post({ id: task.id, ok: false, value: 'a Node listener cannot run on a pool thread' });
  if (task.kind === 'ping') return post({ id: task.id, ok: true, value: null });
  void answerOnWire(app.fetch, task.request, errors.log).then((value) =>
    post({ id: task.id, ok: true, value }),
  );
});
