/**
 * `prefork`: P processes (--workers) each listening with reusePort, each with
 * a pool of T worker threads (--threads) for CPU work: seed 004's pooled
 * processes × threads, with threads as the work pool because a JS thread
 * cannot share its process's event loop.
 */
import { launchProcess } from './launchers.ts';
import { requireReusePort } from './reuse-port-probe.ts';
import { UnitGroup } from './unit-group.ts';
import type { Architecture } from './types.ts';

export const architecture: Architecture = {
  name: 'prefork',
  summary: 'P processes (--workers) × T pool threads (--threads), reusePort',
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
        poolThreads: Math.max(1, context.config.threads),
        spawnPerRequest: false,
        unitIndex: index,
      }),
    });
    await group.start();
    return group;
  },
};
