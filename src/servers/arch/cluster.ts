/** `cluster`: node:cluster workers share the primary's socket; the primary deals connections round-robin. */
import cluster from 'node:cluster';
import { launchClusterWorker } from './launchers.ts';
import { UnitGroup } from './unit-group.ts';
import { UnsupportedError, type Architecture } from './types.ts';

export const architecture: Architecture = {
  name: 'cluster',
  summary: 'node:cluster workers (--workers), round-robin in the primary',
  async start(context) {
    if (typeof cluster.fork !== 'function')
      throw new UnsupportedError('node:cluster', 'cluster.fork is missing');
    // Explicit, because the default differs by platform (Windows: OS scheduling).
    cluster.schedulingPolicy = cluster.SCHED_RR;
    const group = new UnitGroup(context, {
      count: context.config.workers,
      launch: launchClusterWorker,
      sharedBind: true,
      capability: 'node:cluster port sharing',
      unitFor: (index, port) => ({
        server: context.config,
        primaryPid: process.pid,
        port,
        reusePort: false,
        poolThreads: 0,
        spawnPerRequest: false,
        unitIndex: index,
      }),
    });
    await group.start();
    return group;
  },
};
