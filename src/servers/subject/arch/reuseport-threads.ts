/** `reuseport-threads`: N worker threads of one process, each with its own reusePort listener and event loop. */
import { launchThread } from './launchers.ts';
import { startReusePortGroup } from './unit-group.ts';
import type { Architecture } from './types.ts';

export const architecture: Architecture = {
  name: 'reuseport-threads',
  summary: 'N worker threads (--workers) each listening with reusePort',
  unit: 'thread',
  workers: { default: 'cores' },
  start: (context) => startReusePortGroup(context, launchThread, 0),
};
