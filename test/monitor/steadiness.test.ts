import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MIN_SLICES,
  kernelNames,
  steadinessCheck,
  steadinessOf,
  traceKernels,
  type KernelName,
  type KernelTrace,
} from '../../src/monitor/steadiness.ts';

/** `steady` slices of 10 ms, then the given slower ones. */
const trace = (kernel: KernelName, steady: number, slower: number[] = []): KernelTrace => ({
  kernel,
  sliceMs: [...Array.from({ length: steady }, () => 10), ...slower],
});

test('a kernel is judged against its own median: the slowest tenth and the share of slow slices', () => {
  // 36 slices at 10 ms and 4 at 15, 20, 25, 12 ms: median 10, the 90th percentile (index 36 of 40) is 12.
  const k = steadinessOf(trace('allocation', 36, [15, 20, 25, 12]));
  assert.equal(k.slices, 40);
  assert.equal(k.medianMs, 10);
  assert.equal(k.p90OverMedian, 1.2);
  // 15, 20 and 25 are ≥ 1.3 × 10; 12 is not.
  assert.equal(k.slowShare, 3 / 40);
});

test('a kernel slowed in a tenth of its slices while the others stayed steady warns, naming which', () => {
  const kernels = [
    steadinessOf(trace('integer', 40)),
    steadinessOf(trace('float', 40, [11])),
    steadinessOf(trace('allocation', 34, [14, 16, 20, 25, 13, 30])),
  ];
  const check = steadinessCheck(kernels, 2000);
  assert.equal(check.name, 'speed-steadiness');
  assert.equal(check.verdict, 'warn');
  // Sorted by share of slow slices: allocation first (6 of 40 at ≥ 1.3×).
  assert.match(
    check.value,
    /^over 2\.0 s, .*: allocation 1\.60× \(15% of slices ≥ 1\.3×\), integer 1\.00×, float 1\.00×$/,
  );
  assert.match(
    check.why ?? '',
    /same allocation work ran ≥ 1\.3× slower in 15% of its slices while integer and float work stayed steady/,
  );
  assert.ok(check.hint);
});

test('steady kernels are ok with a hint to watch longer; too few slices are not judged', () => {
  const steady = steadinessCheck(
    kernelNames.map((kernel) => steadinessOf(trace(kernel, 50, [13]))),
    2000,
  );
  assert.equal(steady.verdict, 'ok');
  assert.match(steady.hint ?? '', /--steadiness 30s/);

  const short = steadinessCheck(
    kernelNames.map((kernel) => steadinessOf(trace(kernel, MIN_SLICES - 1, []))),
    100,
  );
  assert.equal(short.verdict, 'ok');
  assert.match(short.value, /^not judged: 19 slices per kernel in 0\.1 s \(at least 20 needed\)$/);
});

test('a trace times every kernel in turn, each slice once', () => {
  const traces = traceKernels(150);
  assert.deepEqual(
    traces.map((t) => t.kernel),
    [...kernelNames],
  );
  const counts = traces.map((t) => t.sliceMs.length);
  assert.ok((counts[0] ?? 0) >= 1, 'at least one round ran');
  assert.ok(
    counts.every((count) => count === counts[0]),
    'the kernels take turns: the same number of slices each',
  );
  for (const t of traces) assert.ok(t.sliceMs.every((ms) => ms >= 0 && Number.isFinite(ms)));
});
