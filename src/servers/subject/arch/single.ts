/** `single`: one event loop, all work inline: the baseline every other architecture is compared to. */
import { primaryUnit, startInProcess } from './in-process.ts';
import type { Architecture } from './types.ts';

export const architecture: Architecture = {
  name: 'single',
  summary: 'one event loop, work inline',
  unit: 'in-process',
  start: (context) => startInProcess(primaryUnit(context, { poolThreads: 0, spawnPerRequest: false })),
};
