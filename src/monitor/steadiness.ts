/**
 * Does this machine run the same work at the same speed from one moment
 * to the next? Four small kernels take turns in slices of about 10 ms:
 * integer arithmetic, floating point, dependent loads over 16 MiB, and
 * runtime work (a JSON round trip: allocation, much code, the GC). The
 * slices are grouped into buckets of half a second of wall time, and each
 * kernel's buckets are compared with their median: a bucket well above it
 * is a slow spell. Buckets, not slices: a scavenge lands in one 10 ms slice
 * and not the next, but averages out over half a second; a spell does not.
 *
 * Why: on the 2-vCPU VM conlab is developed on (2026-12-06), with the
 * guest idle and no steal, runtime-heavy work (the cpu.sha256 createHash
 * chain, JSON round trips, regular expressions) ran 1.2–1.7× slower for
 * seconds to tens of seconds at a time, across fresh processes, while an
 * integer loop, a floating-point loop, a pointer chase and bulk SHA-256
 * stayed within 3%; at another moment floating point alone lost half its
 * speed (docs/PERFORMANCE.md, "Spells"). Something outside the guest (a
 * hyperthread sibling, shared caches) slows it; no counter in the guest
 * shows it. It is what keeps allocation-heavy and server cells `noisy`
 * there. cpu-speed.ts compares the fastest timing with earlier runs; this
 * compares a machine with itself over a few seconds.
 *
 * A spell lasts seconds: a short trace catches one only if it overlaps it,
 * so `ok` means "steady while it was watched", and `--steadiness 30s`
 * watches longer.
 */
import { performance } from 'node:perf_hooks';
import { floatKernel } from './cpu-speed.ts';
import type { StabilityCheck } from './types.ts';

export const kernelNames = ['integer', 'float', 'memory', 'runtime'] as const;
export type KernelName = (typeof kernelNames)[number];

/** A bucket whose slices took this much longer than the kernel's median bucket is a slow spell. */
export const SPELL_FACTOR = 1.25;
/** Wall time per bucket: shorter than a spell, long enough to average a GC pause away. */
export const BUCKET_MS = 500;
/** A slice: long enough for many clock ticks, short enough to see a spell of a second as many slices. */
const SLICE_TARGET_MS = 10;
/** Fewest buckets for a verdict: a median of fewer says little about what is usual. */
export const MIN_BUCKETS = 4;
/** Slow buckets a kernel needs for a spell: one alone may be a single long pause; two are a second of it. */
export const SPELL_BUCKETS = 2;

/** Entries of the memory kernel's chain: 16 MiB, past a core's own caches, so the shared cache and memory carry it. */
const CHAIN_ENTRIES = 1 << 22;
let chain: Int32Array | undefined;

/** One random cycle through every entry (Sattolo's shuffle): each load depends on the last, no prefetcher can guess it. */
function memoryChain(): Int32Array {
  if (chain) return chain;
  const next = new Int32Array(CHAIN_ENTRIES);
  for (let i = 0; i < CHAIN_ENTRIES; i++) next[i] = i;
  let seed = 0x2545f491;
  for (let i = CHAIN_ENTRIES - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const j = seed % i;
    const swap = next[i] ?? 0;
    next[i] = next[j] ?? 0;
    next[j] = swap;
  }
  chain = next;
  return next;
}

const KERNELS: Record<KernelName, (steps: number) => number> = {
  /** Dependent integer steps (a linear congruential generator): registers only. */
  integer: (steps) => {
    let x = 1;
    for (let i = 0; i < steps; i++) x = (x * 1103515245 + 12345) % 2147483647;
    return x;
  },
  /** The cpu.js loop, as cpu-speed.ts times it. */
  float: floatKernel,

  /** Dependent loads along a random cycle of 16 MiB: the shared cache and memory, nothing allocated (no GC in the slices). */
  memory: (steps) => {
    const next = memoryChain();
    let at = 0;
    for (let i = 0; i < steps; i++) at = next[at] ?? 0;
    return at;
  },
  /** A JSON round trip of a small record: the runtime's own code, short-lived objects and strings, the GC. */
  runtime: (steps) => {
    let sum = 0;
    for (let i = 0; i < steps; i++) {
      const copy = JSON.parse(
        JSON.stringify({ id: i, name: 'conlab', tags: ['a', 'b'], at: { x: i / 3 } }),
      ) as {
        tags: string[];
      };
      sum += copy.tags.length;
    }
    return sum;
  },
};

export interface KernelTrace {
  kernel: KernelName;
  /** Each slice's start, ms from the trace's start. */
  startMs: number[];
  sliceMs: number[];
}

/** Steps that make one slice of a kernel about SLICE_TARGET_MS here, now: sized after the kernel is compiled. */
function stepsPerSlice(run: (steps: number) => number, clock: () => number): number {
  const timed = (steps: number): number => {
    const t0 = clock();
    run(steps);
    return clock() - t0;
  };
  // Runs that leave the interpreter first: sized on interpreted code, a slice would be 100× too short once optimised.
  for (let i = 0; i < 20; i++) run(20_000);
  let steps = 20_000;
  while (timed(steps) < SLICE_TARGET_MS / 4 && steps < 1e9) steps *= 4;
  // Twice: the first estimate may still include compilation.
  for (let i = 0; i < 2; i++)
    steps = Math.max(1, Math.round((steps * SLICE_TARGET_MS) / Math.max(timed(steps), 1e-3)));
  return steps;
}

/** Runs the kernels in turn, a slice each, until `durationMs` has passed; every slice timed. */
export function traceKernels(
  durationMs: number,
  clock: () => number = () => performance.now(),
): KernelTrace[] {
  let sink = 0;
  const sized = kernelNames.map((kernel) => ({ kernel, steps: stepsPerSlice(KERNELS[kernel], clock) }));
  const traces = sized.map(({ kernel }): KernelTrace => ({ kernel, startMs: [], sliceMs: [] }));
  const start = clock();
  while (clock() - start < durationMs) {
    sized.forEach(({ kernel, steps }, i) => {
      const t0 = clock();
      sink += KERNELS[kernel](steps);
      traces[i]?.startMs.push(t0 - start);
      traces[i]?.sliceMs.push(clock() - t0);
    });
  }
  // Keeps the results alive so no loop can be optimised away.
  if (sink === -1) process.stdout.write('');
  return traces;
}

export interface KernelSteadiness {
  kernel: KernelName;
  slices: number;
  /** Buckets of BUCKET_MS wall time with at least one slice. */
  buckets: number;
  medianSliceMs: number;
  /** The slowest bucket's mean slice over the median bucket's: 1.0 is perfectly steady. */
  slowestOverMedian: number;
  /** Buckets at least SPELL_FACTOR × the median bucket. */
  slowBuckets: number;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};

export function steadinessOf(trace: KernelTrace): KernelSteadiness {
  const sums = new Map<number, { ms: number; count: number }>();
  trace.sliceMs.forEach((ms, i) => {
    const bucket = Math.floor((trace.startMs[i] ?? 0) / BUCKET_MS);
    const sum = sums.get(bucket) ?? { ms: 0, count: 0 };
    sum.ms += ms;
    sum.count += 1;
    sums.set(bucket, sum);
  });
  const means = [...sums.values()].map((sum) => sum.ms / sum.count);
  const usual = median(means);
  return {
    kernel: trace.kernel,
    slices: trace.sliceMs.length,
    buckets: means.length,
    medianSliceMs: median(trace.sliceMs),
    slowestOverMedian: means.length > 0 ? Math.max(...means) / usual : NaN,
    slowBuckets: means.filter((mean) => mean >= SPELL_FACTOR * usual).length,
  };
}

/** The verdict on the kernels' steadiness over a trace of `durationMs`. */
export function steadinessCheck(kernels: readonly KernelSteadiness[], durationMs: number): StabilityCheck {
  const name = 'speed-steadiness';
  const seconds = `${(durationMs / 1000).toFixed(1)} s`;
  const fewest = kernels.length === 0 ? 0 : Math.min(...kernels.map((k) => k.buckets));
  if (fewest < MIN_BUCKETS) {
    return {
      name,
      verdict: 'ok',
      value: `not judged: ${fewest} buckets of ${BUCKET_MS} ms in ${seconds} (at least ${MIN_BUCKETS} needed)`,
      hint: 'watch longer: conlab doctor --steadiness 10s',
    };
  }
  const describe = (k: KernelSteadiness): string =>
    `${k.kernel} ${k.slowestOverMedian.toFixed(2)}×${k.slowBuckets > 0 ? ` (${k.slowBuckets} of ${k.buckets} ≥ ${SPELL_FACTOR}×)` : ''}`;
  const bySlowest = [...kernels].sort((a, b) => b.slowestOverMedian - a.slowestOverMedian);
  const value = `over ${seconds}, slowest ${BUCKET_MS} ms vs the usual: ${bySlowest.map(describe).join(', ')}`;
  const slowed = bySlowest.filter((k) => k.slowBuckets >= SPELL_BUCKETS);
  if (slowed.length === 0) {
    return {
      name,
      verdict: 'ok',
      value,
      hint: 'a spell lasting seconds shows only if it overlaps the trace: conlab doctor --steadiness 30s watches longer',
    };
  }
  const steady = kernels.filter((k) => k.slowBuckets === 0).map((k) => k.kernel);
  const worst = slowed[0];
  return {
    name,
    verdict: 'warn',
    value,
    why: `the same ${slowed.map((k) => k.kernel).join(' and ')} work ran up to ${worst?.slowestOverMedian.toFixed(1) ?? '?'}× slower for a second or more${steady.length > 0 ? ` while the ${steady.join(', ')} kernels kept their speed` : ''}: with nothing else busy here, something outside this machine (a VM's hyperthread sibling, shared caches or memory) slows it in spells; cells doing such work vary between repetitions (noisy), and runs taken at different times are not comparable`,
    hint: 'compare models inside one run (interleaved repetitions share the spells), not across runs; for steady numbers use dedicated cores (bare metal, or a VM with pinned, unshared vCPUs)',
  };
}

/** Traces the kernels for `durationMs` and judges them. */
export function checkSteadiness(durationMs: number): StabilityCheck {
  return steadinessCheck(traceKernels(durationMs).map(steadinessOf), durationMs);
}
