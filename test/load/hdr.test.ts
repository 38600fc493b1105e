import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HDR_MAX_VALUE_US, Hdr, summarizeLatency } from '../../src/stats/hdr.ts';

function histogramOf(values: number[]): Hdr {
  const hdr = new Hdr();
  for (const value of values) hdr.record(value);
  return hdr;
}

test('values below 2048 are exact: 1..1000 gives textbook percentiles', () => {
  const hdr = histogramOf(Array.from({ length: 1000 }, (_, i) => i + 1));
  assert.equal(hdr.totalCount, 1000);
  assert.equal(hdr.percentile(50), 500);
  assert.equal(hdr.percentile(90), 900);
  assert.equal(hdr.percentile(99), 990);
  assert.equal(hdr.percentile(99.9), 999);
  assert.equal(hdr.percentile(100), 1000);
  assert.equal(hdr.percentile(0), 1);
  assert.equal(hdr.min, 1);
  assert.equal(hdr.max, 1000);
  assert.equal(hdr.mean(), 500.5);
});

test('large values land in slots of 3 significant digits; percentiles never exceed the exact max', () => {
  // 1,000,000 µs: bucket width 512, slot [999936, 1000447].
  const hdr = histogramOf([1_000_000, 1_002_000]);
  assert.equal(hdr.percentile(50), 1_000_447);
  assert.equal(hdr.percentile(100), 1_002_000);
  const single = histogramOf([1_000_000]);
  assert.equal(single.percentile(50), 1_000_000);
  const entries = [...hdr.entries()];
  assert.deepEqual(entries, [
    [999_936, 1],
    [1_001_984, 1],
  ]);
});

test('relative error stays within 1/1024 across the range', () => {
  for (let value = 2048; value < 2 ** 39; value = Math.floor(value * 1.37) + 11) {
    const hdr = new Hdr();
    hdr.record(value);
    hdr.record(1); // makes the exact-min/max clamp irrelevant for the slot check below
    hdr.record(2 ** 40 - 2);
    const p = hdr.percentile(50); // rank 2 of 3: the middle value's slot, highest equivalent
    assert.ok(p >= value && (p - value) / value <= 1 / 1024, `value ${value} reported ${p}`);
  }
});

test('exact encoding fixture', () => {
  const hdr = histogramOf([1, 3]);
  // version 1, min 1, max 3, sum 4, clamped 0, (index delta 2, count 1), (delta 2, count 1)
  assert.equal(hdr.encode(), Buffer.from([1, 1, 3, 4, 0, 2, 1, 2, 1]).toString('base64'));
  assert.equal(hdr.encode(), 'AQEDBAACAQIB');
  assert.equal(new Hdr().encode(), Buffer.from([1, 0, 0, 0, 0]).toString('base64'));
});

test('encode/decode round-trips and merge is lossless', () => {
  const values = Array.from({ length: 5000 }, (_, i) => (i * 7919) % 3_000_000);
  const whole = histogramOf(values);
  const a = histogramOf(values.slice(0, 1234));
  const b = histogramOf(values.slice(1234, 4000));
  const c = histogramOf(values.slice(4000));
  const merged = Hdr.mergeEncoded([a.encode(), b.encode(), c.encode()]);
  assert.equal(merged.encode(), whole.encode());
  assert.deepEqual(summarizeLatency(merged), summarizeLatency(whole));
  const decoded = Hdr.decode(whole.encode());
  assert.equal(decoded.totalCount, 5000);
  assert.equal(decoded.sum, whole.sum);
  assert.deepEqual([...decoded.entries()], [...whole.entries()]);
});

test('large counts survive encoding (no 32-bit overflow)', () => {
  const hdr = new Hdr();
  hdr.recordCount(150, 5_000_000_000);
  const decoded = Hdr.decode(hdr.encode());
  assert.equal(decoded.totalCount, 5_000_000_000);
  assert.equal(decoded.percentile(99), 150);
  assert.equal(decoded.sum, 750_000_000_000);
});

test('out-of-range values are clamped and counted, negatives and fractions are normalised', () => {
  const hdr = histogramOf([-5, 2.6, 2 ** 45]);
  assert.equal(hdr.min, 0);
  assert.equal(hdr.clampedCount, 1);
  assert.equal(hdr.max, HDR_MAX_VALUE_US);
  assert.equal(hdr.percentile(50), 3);
  assert.equal(Hdr.decode(hdr.encode()).clampedCount, 1);
});

test('memory is bounded: a million values spread over the range keep the slot array small', () => {
  const hdr = new Hdr();
  for (let i = 0; i < 1_000_000; i++) hdr.record((i * 104729) % 600_000_000);
  assert.equal(hdr.totalCount, 1_000_000);
  // At most (bucket count) × 1024 slots exist at all: the encoding is bounded by the range, not the count.
  assert.ok(hdr.encode().length < 200_000);
});

test('reset empties; an empty histogram summarises to zeros', () => {
  const hdr = histogramOf([5, 6, 7]);
  hdr.reset();
  assert.equal(hdr.totalCount, 0);
  assert.deepEqual(summarizeLatency(hdr), {
    min: 0,
    mean: 0,
    p50: 0,
    p90: 0,
    p95: 0,
    p99: 0,
    p999: 0,
    max: 0,
  });
});

test('corrupt or foreign encodings are rejected', () => {
  assert.throws(() => Hdr.decode(Buffer.from([9]).toString('base64')), /version/);
  assert.throws(() => Hdr.decode(Buffer.from([1, 1, 3]).toString('base64')), /truncated/);
  assert.throws(() => Hdr.decode(Buffer.from([1, 1, 3, 4, 0, 2, 0]).toString('base64')), /corrupt/);
});

test('addEncoded adds an encoded histogram like merge does; a corrupt one changes nothing', () => {
  const a = histogramOf([5, 70, 3000, 250_000]);
  const b = histogramOf([1, 70, 99_999, HDR_MAX_VALUE_US + 5]);
  const viaMerge = histogramOf([5, 70, 3000, 250_000]).merge(Hdr.decode(b.encode()));
  const viaAdd = histogramOf([5, 70, 3000, 250_000]).addEncoded(b.encode());
  assert.equal(viaAdd.encode(), viaMerge.encode());
  assert.deepEqual(summarizeLatency(viaAdd), summarizeLatency(viaMerge));
  assert.equal(viaAdd.clampedCount, 1);
  assert.equal(viaAdd.totalCount, 8);
  assert.equal(new Hdr().addEncoded(new Hdr().encode()).totalCount, 0);
  const before = a.encode();
  const truncated = b.encode().slice(0, -4);
  assert.throws(() => a.addEncoded(truncated));
  assert.equal(a.encode(), before, 'nothing was added from the corrupt encoding');
});
