import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BUCKET_MS,
  kernelNames,
  steadinessCheck,
  steadinessOf,
  traceKernels,
  type KernelName,
  type KernelTrace,
} from '../../src/monitor/steadiness.ts';

/**
 * A kernel's trace: 10 ms slices every 50 ms (10 per 500 ms bucket) for
 * `buckets` buckets; the slices of the buckets in `slow` take `slowMs`.
 */
function trace(kernel: KernelName, buckets: number, slow: Record<number, number> = {}): KernelTrace {
  const startMs: number[] = [];
  const sliceMs: number[] = [];
  for (let t = 0; t < buckets * BUCKET_MS; t += 50) {
    startMs.push(t);
    sliceMs.push(slow[Math.floor(t / BUCKET_MS)] ?? 10);
  }
  return { kernel, startMs, sliceMs };
}

test('slices are grouped in buckets of wall time; each bucket is judged against the median bucket', () => {
  // 8 buckets: bucket 2 at 13 ms a slice (1.3×), bucket 5 at 12 ms (1.2×), one slow slice in bucket 0.
  const input = trace('runtime', 8, { 2: 13, 5: 12 });
  input.sliceMs[0] = 40;
  const k = steadinessOf(input);
  assert.equal(k.slices, 80);
  assert.equal(k.buckets, 8);
  assert.equal(k.medianSliceMs, 10);
  // Bucket 0: one 40 ms slice among nine of 10 → 13 ms mean: a single pause moves a bucket as much as a spell.
  assert.equal(k.slowestOverMedian, 1.3);
  assert.equal(k.slowBuckets, 2, 'buckets 0 and 2 are ≥ 1.25×, bucket 5 is not');
});

test('a kernel slowed for a second or more while the others kept their speed warns, naming which', () => {
  const kernels = [
    steadinessOf(trace('integer', 8)),
    steadinessOf(trace('float', 8, { 3: 12 })),
    steadinessOf(trace('memory', 8)),
    steadinessOf(trace('runtime', 8, { 4: 15, 5: 16 })),
  ];
  const check = steadinessCheck(kernels, 4000);
  assert.equal(check.name, 'speed-steadiness');
  assert.equal(check.verdict, 'warn');
  assert.equal(
    check.value,
    'over 4.0 s, slowest 500 ms vs the usual: runtime 1.60× (2 of 8 ≥ 1.25×), float 1.20×, integer 1.00×, memory 1.00×',
  );
  assert.match(
    check.why ?? '',
    /^the same runtime work ran up to 1\.6× slower for a second or more while the integer, float, memory kernels kept their speed/,
  );
  assert.ok(check.hint);
});

test('one slow bucket is not a spell; too short a trace is not judged', () => {
  const once = steadinessCheck(
    kernelNames.map((kernel) => steadinessOf(trace(kernel, 6, { 1: 20 }))),
    3000,
  );
  assert.equal(once.verdict, 'ok');
  assert.match(once.value, /integer 2\.00× \(1 of 6 ≥ 1\.25×\)/);
  assert.match(once.hint ?? '', /--steadiness 30s/);

  const short = steadinessCheck(
    kernelNames.map((kernel) => steadinessOf(trace(kernel, 3))),
    1500,
  );
  assert.equal(short.verdict, 'ok');
  assert.equal(short.value, 'not judged: 3 buckets of 500 ms in 1.5 s (at least 4 needed)');
});

test('a trace times every kernel in turn, each slice with its start', () => {
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
  for (const t of traces) {
    assert.equal(t.startMs.length, t.sliceMs.length);
    assert.ok(t.sliceMs.every((ms) => ms >= 0 && Number.isFinite(ms)));
    assert.deepEqual(
      t.startMs,
      [...t.startMs].sort((a, b) => a - b),
      'slices start in order',
    );
  }
});
