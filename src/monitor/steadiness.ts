/**
 * Does this machine run the same work at the same speed from one moment
 * to the next? Three small kernels (integer arithmetic, floating point,
 * allocation) take turns in slices of about 10 ms for a while; each
 * kernel's slices are then compared with their own median.
 *
 * Why: on the 2-vCPU VM conlab is developed on (2026-12-06), with the
 * guest idle and no steal, the allocation-heavy cpu.sha256 chain ran 1.5–2.5×
 * slower for seconds at a time, and so, at other moments, did floating
 * point, while integer arithmetic stayed within 2% (docs/PERFORMANCE.md,
 * "Spells"). That is a neighbour on the host sharing caches, memory
 * bandwidth or a hyperthread's units. No counter in the guest shows it;
 * it is what keeps allocation-heavy and server cells `noisy` there however
 * long the window. cpu-speed.ts compares the fastest timing with earlier
 * runs; this compares a machine with itself over a few seconds.
 *
 * A spell lasts seconds: a short trace catches one only if it overlaps it,
 * so `ok` means "steady while it was watched", and `--steadiness 30s`
 * watches longer.
 */
import { performance } from 'node:perf_hooks';
import type { StabilityCheck } from './types.ts';

export const kernelNames = ['integer', 'float', 'allocation'] as const;
export type KernelName = (typeof kernelNames)[number];

/** A slice at least this much slower than its kernel's median is a slow slice. */
export const SLOW_SLICE_FACTOR = 1.3;
/** A kernel with this share of slow slices (or more) ran unsteadily. */
export const UNSTEADY_SHARE = 0.1;
/** A slice: long enough for many clock ticks, short enough to see a spell of a second as many slices. */
const SLICE_TARGET_MS = 10;
/** Fewest slices per kernel for a verdict: fewer, and one slow slice would be a tenth of them. */
export const MIN_SLICES = 20;

const KERNELS: Record<KernelName, (steps: number) => number> = {
  /** Dependent integer steps (a linear congruential generator): registers only. */
  integer: (steps) => {
    let x = 1;
    for (let i = 0; i < steps; i++) x = (x * 1103515245 + 12345) % 2147483647;
    return x;
  },
  /** The cpu.js loop: dependent floating-point steps with a square root. */
  float: (steps) => {
    let x = 0.37;
    let acc = 0;
    for (let i = 0; i < steps; i++) {
      x = 3.9 * x * (1 - x);
      acc += Math.sqrt(x + 1) / (1 + (i & 7));
    }
    return acc;
  },
  /** Short-lived objects and arrays, as a request handler or a hash chain makes them: the young generation and the caches. */
  allocation: (steps) => {
    let kept = 0;
    for (let i = 0; i < steps; i++) {
      const item = { id: i, tags: [i, i + 1, i + 2], label: `item-${i & 1023}` };
      if ((i & 4095) === 0) kept += item.tags.length + item.label.length;
    }
    return kept;
  },
};

export interface KernelTrace {
  kernel: KernelName;
  sliceMs: number[];
}

/** Steps that make one slice of a kernel about SLICE_TARGET_MS here, now. */
function stepsPerSlice(run: (steps: number) => number, clock: () => number): number {
  let steps = 10_000;
  for (;;) {
    const t0 = clock();
    run(steps);
    const ms = clock() - t0;
    if (ms >= SLICE_TARGET_MS / 4 || steps >= 1e9)
      return Math.max(1, Math.round((steps * SLICE_TARGET_MS) / Math.max(ms, 1e-3)));
    steps *= 4;
  }
}

/** Runs the kernels in turn, a slice each, until `durationMs` has passed; every slice timed. */
export function traceKernels(
  durationMs: number,
  clock: () => number = () => performance.now(),
): KernelTrace[] {
  let sink = 0;
  const sized = kernelNames.map((kernel) => ({ kernel, steps: stepsPerSlice(KERNELS[kernel], clock) }));
  const traces = sized.map(({ kernel }): KernelTrace => ({ kernel, sliceMs: [] }));
  const end = clock() + durationMs;
  while (clock() < end) {
    sized.forEach(({ kernel, steps }, i) => {
      const t0 = clock();
      sink += KERNELS[kernel](steps);
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
  medianMs: number;
  /** The 90th percentile slice over the median: 1.0 is perfectly steady. */
  p90OverMedian: number;
  /** Share of slices at least SLOW_SLICE_FACTOR × the median (0..1). */
  slowShare: number;
}

const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

export function steadinessOf(trace: KernelTrace): KernelSteadiness {
  const sorted = [...trace.sliceMs].sort((a, b) => a - b);
  const medianMs = quantile(sorted, 0.5);
  return {
    kernel: trace.kernel,
    slices: sorted.length,
    medianMs,
    p90OverMedian: quantile(sorted, 0.9) / medianMs,
    slowShare: sorted.filter((ms) => ms >= SLOW_SLICE_FACTOR * medianMs).length / Math.max(1, sorted.length),
  };
}

/** The verdict on the kernels' steadiness over a trace of `durationMs`. */
export function steadinessCheck(kernels: readonly KernelSteadiness[], durationMs: number): StabilityCheck {
  const name = 'speed-steadiness';
  const seconds = `${(durationMs / 1000).toFixed(1)} s`;
  const fewest = Math.min(...kernels.map((k) => k.slices));
  if (kernels.length === 0 || fewest < MIN_SLICES) {
    return {
      name,
      verdict: 'ok',
      value: `not judged: ${Number.isFinite(fewest) ? fewest : 0} slices per kernel in ${seconds} (at least ${MIN_SLICES} needed)`,
      hint: 'watch longer: conlab doctor --steadiness 10s',
    };
  }
  const describe = (k: KernelSteadiness): string =>
    `${k.kernel} ${k.p90OverMedian.toFixed(2)}×${Math.round(k.slowShare * 100) > 0 ? ` (${Math.round(k.slowShare * 100)}% of slices ≥ ${SLOW_SLICE_FACTOR}×)` : ''}`;
  const byShare = [...kernels].sort((a, b) => b.slowShare - a.slowShare);
  const value = `over ${seconds}, slowest tenth of slices vs the median: ${byShare.map(describe).join(', ')}`;
  const unsteady = byShare.filter((k) => k.slowShare >= UNSTEADY_SHARE);
  if (unsteady.length === 0) {
    return {
      name,
      verdict: 'ok',
      value,
      hint: 'a spell lasting seconds shows only if it overlaps the trace: conlab doctor --steadiness 30s watches longer',
    };
  }
  const steady = kernels.filter((k) => k.slowShare < UNSTEADY_SHARE).map((k) => k.kernel);
  return {
    name,
    verdict: 'warn',
    value,
    why: `the same ${unsteady.map((k) => k.kernel).join(' and ')} work ran ≥ ${SLOW_SLICE_FACTOR}× slower in ${Math.round((unsteady[0]?.slowShare ?? 0) * 100)}% of its slices${steady.length > 0 ? ` while ${steady.join(' and ')} work stayed steady` : ''}: with nothing else busy here, that is the host (a neighbour sharing caches, memory bandwidth or a hyperthread's units) slowing this machine in spells; cells doing such work vary between repetitions (noisy) however long their windows`,
    hint: 'compare models inside one run (interleaved repetitions share the spells), not across runs; for steady numbers use dedicated cores (bare metal, or a VM with pinned, unshared vCPUs)',
  };
}

/** Traces the kernels for `durationMs` and judges them. */
export function checkSteadiness(durationMs: number): StabilityCheck {
  return steadinessCheck(traceKernels(durationMs).map(steadinessOf), durationMs);
}
