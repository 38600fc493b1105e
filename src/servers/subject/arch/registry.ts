/** Architecture name → module. Adding an architecture is one file and one line here. */
import type { ArchName } from '../../config.ts';
import type { Architecture } from './types.ts';

export const architectures: Record<ArchName, () => Promise<{ architecture: Architecture }>> = {
  single: () => import('./single.ts'),
  offload: () => import('./offload.ts'),
  cluster: () => import('./cluster.ts'),
  reuseport: () => import('./reuseport.ts'),
  'reuseport-threads': () => import('./reuseport-threads.ts'),
  prefork: () => import('./prefork.ts'),
  spawn: () => import('./spawn.ts'),
};
