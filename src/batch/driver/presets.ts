/**
 * Presets reproducing seed 003's two experiments: the fake-API I/O batch
 * (50 ids) and the CPU batch (primes below 10^6 × 50, and image rotation).
 * Thread and process levels follow the seed, minus its 256/1024 threads:
 * a worker thread is a whole V8/JSC isolate (several MiB and tens of ms to
 * start), not an OS thread parked in a sleep, so those levels would measure
 * start-up memory on a 2-core machine rather than the model.
 */
import { ErrorCodes, unknownName } from '../../core/errors.ts';
import type { BatchMatrix } from '../matrix.ts';

export interface Preset {
  name: string;
  description: string;
  /** Expanded by the batch matrix (src/batch/matrix.ts); the baseline of each workload runs once. */
  matrices: BatchMatrix[];
}

const common = { withBaseline: true, timeoutMs: 600_000 };

export const presets: Record<string, Preset> = {
  'seed003-io': {
    name: 'seed003-io',
    description: "seed 003's I/O experiment: 50 ids through the fake API (triangular 0..0.66 s delays)",
    matrices: [
      {
        ...common,
        workload: 'io.sleep',
        params: {},
        items: 50,
        models: ['async-blocking', 'async'],
        axes: { concurrency: [50], itemsPerTask: [1] },
      },
      {
        ...common,
        workload: 'io.sleep',
        params: {},
        items: 50,
        models: ['threads'],
        axes: { concurrency: [8, 32], itemsPerTask: [1] },
      },
      {
        ...common,
        workload: 'io.sleep',
        params: {},
        items: 50,
        models: ['processes'],
        axes: { concurrency: [1, 2, 8, 32], itemsPerTask: [1, 5] },
      },
    ],
  },
  'seed003-cpu': {
    name: 'seed003-cpu',
    description: "seed 003's CPU experiment: primes below 10^6 × 50 items, and 64 image rotations",
    matrices: [
      {
        ...common,
        workload: 'cpu.primes',
        params: { limit: 1_000_000 },
        items: 50,
        models: ['async', 'threads', 'processes'],
        axes: { concurrency: [2, 8], itemsPerTask: [1] },
      },
      {
        ...common,
        workload: 'cpu.rotate',
        params: { width: 1024, height: 768, rotations: 8 },
        items: 64,
        models: ['async'],
        axes: { concurrency: [64], itemsPerTask: [1] },
      },
      {
        ...common,
        workload: 'cpu.rotate',
        params: { width: 1024, height: 768, rotations: 8 },
        items: 64,
        models: ['threads', 'processes'],
        axes: { concurrency: [2, 4, 8], itemsPerTask: [1] },
      },
    ],
  },
};

export const presetNames = Object.keys(presets);

export function getPreset(name: string): Preset {
  const preset = presets[name];
  if (!preset) throw unknownName(ErrorCodes.UNKNOWN_PRESET, 'preset', name, presetNames);
  return preset;
}
