/** `cluster`: node:cluster workers share the primary's socket; the primary deals connections round-robin. */
import cluster from 'node:cluster';
import { launchClusterWorker } from './launchers.ts';
import { startUnitGroup } from './unit-group.ts';
import { UnsupportedError, type Architecture } from './types.ts';

export const architecture: Architecture = {
  name: 'cluster',
  summary: 'node:cluster workers (--workers), round-robin in the primary',
  unit: 'process',
  workers: { default: 'cores' },
  async start(context) {
    if (typeof cluster.fork !== 'function')
      throw new UnsupportedError('node:cluster', 'cluster.fork is missing');
    // Explicit, because the default differs by platform (Windows: OS scheduling).
    cluster.schedulingPolicy = cluster.SCHED_RR;
    return startUnitGroup(context, {
      launch: launchClusterWorker,
      poolThreads: 0,
      sharedBind: true,
      capability: 'node:cluster port sharing',
    });
  },
};
