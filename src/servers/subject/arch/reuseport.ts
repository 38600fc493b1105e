/** `reuseport`: N processes each listen on the same port with SO_REUSEPORT; the kernel balances connections. */
import { launchProcess } from './launchers.ts';
import { startReusePortGroup } from './unit-group.ts';
import type { Architecture } from './types.ts';

export const architecture: Architecture = {
  name: 'reuseport',
  summary: 'N processes (--workers) each listening with reusePort (kernel balancing)',
  unit: 'process',
  workers: { default: 'cores' },
  start: (context) => startReusePortGroup(context, launchProcess, 0),
};
