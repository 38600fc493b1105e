/** The seed presets by name: one line per preset. Seed 001 is `conlab pipeline`; seed 003 is `conlab batch --preset`. */
import type { Preset } from './types.ts';
import { seed000 } from './seed000.ts';
import { seed002 } from './seed002.ts';
import { seed004 } from './seed004.ts';

export const presets: Record<string, Preset> = { seed000, seed002, seed004 };
export const presetNames = Object.keys(presets);

/** Seeds reproduced by other commands, listed by `conlab preset --list` so a user finds all five. */
export const otherSeedCommands: { seed: string; command: string; summary: string }[] = [
  {
    seed: '001',
    command: 'conlab pipeline --method async --concurrency 4 --duration 3 --format seed-tsv',
    summary: 'I/O pipeline (recv → compute → write+fsync)',
  },
  {
    seed: '003',
    command: 'conlab batch --preset seed003-io | seed003-cpu',
    summary: 'batch IO-heavy and CPU-heavy processing by model',
  },
];
