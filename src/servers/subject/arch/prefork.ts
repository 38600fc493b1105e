/**
 * `prefork`: P processes (--workers) each listening with reusePort, each with
 * a pool of T worker threads (--threads) for CPU work: seed 004's pooled
 * processes × threads, with threads as the work pool because a JS thread
 * cannot share its process's event loop.
 */
import { launchProcess } from './launchers.ts';
import { startReusePortGroup } from './unit-group.ts';
import type { Architecture } from './types.ts';

export const architecture: Architecture = {
  name: 'prefork',
  summary: 'P processes (--workers) × T pool threads (--threads), reusePort',
  unit: 'process',
  workers: { default: 'cores' },
  threads: { default: 2 },
  start: (context) => startReusePortGroup(context, launchProcess, Math.max(1, context.config.threads)),
};
