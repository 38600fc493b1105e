/**
 * Is this CPU as fast now as it has been? A short floating-point kernel
 * (the cpu.js loop) is timed a few times and its fastest time compared
 * with the fastest this machine has shown before, kept in conlab's cache
 * folder per CPU model, host and runtime.
 *
 * Why: on a VM whose vCPU is one hyperthread of a shared physical core, a
 * neighbour's work on the other hyperthread slows floating point and SIMD
 * by up to 2× with no trace inside the guest (no steal, no load): measured
 * 2026-12-06, cpu.js sequential at 150 ms a pass at 12:44 and 305 ms at
 * about 13:34 on an idle guest (docs/PERFORMANCE.md). The doctor's other checks
 * read counters that stay quiet then; only timing known work shows it.
 *
 * A cache that cannot be read or written only loses the comparison: the
 * check then says so and never fails.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { conlabCacheDir } from '../core/cache-dir.ts';
import type { StabilityCheck } from './types.ts';

/** Slower than the fastest seen by this much, and the machine is not running at its full speed. */
export const SLOW_FACTOR = 1.25;
/** Steps of the kernel per timing: about 15 ms on this AMD EPYC (3.7 ms per million steps), many clock ticks. */
const KERNEL_STEPS = 4_000_000;
const TIMINGS = 5;

/** The cpu.js loop: dependent floating-point steps with a square root; nothing allocated. */
export function floatKernel(steps: number): number {
  let x = 0.37;
  let acc = 0;
  for (let i = 0; i < steps; i++) {
    x = 3.9 * x * (1 - x);
    acc += Math.sqrt(x + 1) / (1 + (i & 7));
  }
  return acc;
}

/** The fastest of a few timings of the kernel, ms (the first run compiles it and is left out). */
export function timeKernelMs(timings = TIMINGS, steps = KERNEL_STEPS): number {
  let sink = floatKernel(steps / 10);
  let fastest = Infinity;
  for (let i = 0; i < timings; i++) {
    const t0 = performance.now();
    sink += floatKernel(steps);
    fastest = Math.min(fastest, performance.now() - t0);
  }
  // Keeps the result alive so the loop cannot be optimised away.
  if (sink === -1) process.stdout.write('');
  return fastest;
}

export interface SpeedRecord {
  /** CPU model, host and runtime: a faster time elsewhere says nothing about this machine. */
  key: string;
  bestMs: number;
  at: string;
}

export function speedKey(): string {
  return `${cpus()[0]?.model ?? 'unknown'}|${hostname()}|${process.release.name}@${process.version}`;
}

/** The verdict on a timing against the fastest seen before (null: the first on this machine, or no cache). */
export function speedCheck(currentMs: number, best: SpeedRecord | null, cacheNote?: string): StabilityCheck {
  const ms = (value: number): string => `${value.toFixed(1)} ms`;
  if (best === null) {
    return {
      name: 'cpu-speed',
      verdict: 'ok',
      value: `${ms(currentMs)} (first timing kept here${cacheNote ? `; ${cacheNote}` : ''})`,
    };
  }
  const ratio = currentMs / best.bestMs;
  const value = `${ms(currentMs)}, ${ratio.toFixed(2)}× the fastest seen here (${ms(best.bestMs)}, ${best.at.slice(0, 16)}Z)`;
  if (ratio < SLOW_FACTOR) return { name: 'cpu-speed', verdict: 'ok', value };
  return {
    name: 'cpu-speed',
    verdict: 'warn',
    value,
    why: 'the same floating-point kernel ran faster on this machine before: a neighbour on the same physical core (a VM’s vCPU is often one hyperthread), power or thermal limits; nothing in /proc shows it, and CPU-bound numbers measured now are not comparable with runs at full speed',
    hint: 'compare runs taken at the same speed (each run stores this check); rerun later, or on a machine with dedicated cores',
  };
}

/** Every machine's best kept in the cache file; none when it is missing or unreadable. */
function readRecords(path: string): SpeedRecord[] {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return Array.isArray(parsed) ? (parsed as SpeedRecord[]) : [];
  } catch {
    return [];
  }
}

/** Times the kernel, judges it against the cache, and keeps a new best. */
export function checkCpuSpeed(
  options: { cacheDir?: string; now?: Date; timeMs?: () => number } = {},
): StabilityCheck {
  const currentMs = (options.timeMs ?? timeKernelMs)();
  const path = join(options.cacheDir ?? conlabCacheDir(), 'cpu-speed.json');
  const key = speedKey();
  const records = readRecords(path);
  const best = records.find((record) => record.key === key) ?? null;
  let cacheNote: string | undefined;
  if (best === null || currentMs < best.bestMs) {
    const record: SpeedRecord = { key, bestMs: currentMs, at: (options.now ?? new Date()).toISOString() };
    try {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, JSON.stringify([...records.filter((r) => r.key !== key), record]));
    } catch {
      cacheNote = `cache ${path} not writable: nothing to compare with next time`;
    }
  }
  return speedCheck(currentMs, best, cacheNote);
}
