/** `reuseport`: N processes each listen on the same port with SO_REUSEPORT; the kernel balances connections. */
import { launchProcess } from './launchers.ts';
import { requireReusePort } from './reuse-port-probe.ts';
import { UnitGroup } from './unit-group.ts';
import type { Architecture } from './types.ts';

export const architecture: Architecture = {
  name: 'reuseport',
  summary: 'N processes (--workers) each listening with reusePort (kernel balancing)',
  async start(context) {
    await requireReusePort(context.config.host, context.config.protocol);
    const group = new UnitGroup(context, {
      count: context.config.workers,
      launch: launchProcess,
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
