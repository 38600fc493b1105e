/** `offload`: one event loop accepts; CPU work goes to a pool of --threads worker threads. */
import { primaryUnit, startInProcess } from './in-process.ts';
import type { Architecture } from './types.ts';

export const architecture: Architecture = {
  name: 'offload',
  summary: 'one event loop, CPU work on a worker-thread pool (--threads)',
  unit: 'in-process',
  threads: { default: 'cores' },
  start: (context) =>
    startInProcess(
      primaryUnit(context, { poolThreads: Math.max(1, context.config.threads), spawnPerRequest: false }),
    ),
};
