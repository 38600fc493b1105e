/**
 * Entry of a unit that is a worker thread (reuseport-threads): the same
 * protocol as a process unit, carried by the thread's parentPort.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { UnitConfig } from '../../config.ts';
import { isPrimaryMessage, type UnitMessage } from './messages.ts';
import { hostUnit } from './unit-host.ts';
import { enableCompileCache } from '../../../core/compile-cache.ts';

// Compile cache for what loads from here on and for this process's children (src/core/compile-cache.ts).
enableCompileCache();

const port = parentPort;
if (port) {
  await hostUnit(workerData as UnitConfig, {
    send: (message: UnitMessage) => port.postMessage(message),
    onMessage: (handler) =>
      port.on('message', (message) => {
        if (isPrimaryMessage(message)) handler(message);
      }),
    onPrimaryGone: (handler) => port.on('close', handler),
    exit: () => port.close(),
  });
}
