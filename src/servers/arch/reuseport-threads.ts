/** `reuseport-threads`: N worker threads of one process, each with its own reusePort listener and event loop. */
import { launchThread } from './launchers.ts';
import { requireReusePort } from './reuse-port-probe.ts';
import { UnitGroup } from './unit-group.ts';
import type { Architecture } from './types.ts';

export const architecture: Architecture = {
  name: 'reuseport-threads',
  summary: 'N worker threads (--workers) each listening with reusePort',
  async start(context) {
    await requireReusePort(context.config.host, context.config.protocol);
    const group = new UnitGroup(context, {
      count: context.config.workers,
      launch: launchThread,
      sharedBind: false,
      capability: 'reusePort',
      unitFor: (index, port) => ({
        server: context.config,
        primaryPid: process.pid,
        port,
        reusePort: true,
        poolThreads: 0,
        spawnPerRequest: false,
        unitIndex: index,
      }),
    });
    await group.start();
    return group;
  },
};
