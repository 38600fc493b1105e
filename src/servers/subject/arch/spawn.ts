/** `spawn`: the primary accepts and reads each request; a new child process answers it (seed 004's anti-pattern). */
import { primaryUnit, startInProcess } from './in-process.ts';
import type { Architecture } from './types.ts';

export const architecture: Architecture = {
  name: 'spawn',
  summary: 'a new process per request (the cost a pool avoids)',
  unit: 'in-process',
  start: (context) => startInProcess(primaryUnit(context, { poolThreads: 0, spawnPerRequest: true })),
};
