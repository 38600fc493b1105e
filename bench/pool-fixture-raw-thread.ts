/** Raw ceiling for the dispatch benchmark: a worker thread that echoes every message at once. */
import { parentPort } from 'node:worker_threads';

const port = parentPort;
if (!port) throw new Error('run as a worker thread');
port.on('message', (message: unknown) => port.postMessage(message));
