/**
 * The V2 compressed export is proved by decoding it with hdr-histogram-js (a
 * well-kept HdrHistogram library, devDependency): the same total count, the
 * same percentiles within one slot, the same max slot.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import * as hdrjs from 'hdr-histogram-js';
import { Hdr } from '../../src/stats/hdr.ts';
import { encodeHdrV2CompressedBase64, standardCountsIndex } from '../../src/stats/hdr-v2.ts';

/** A deterministic pseudo-random stream (no Math.random: a failure must reproduce). */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

function slotWidth(value: number): number {
  return value < 2048 ? 1 : 2 ** Math.floor(Math.log2(value) - 10);
}

const percentiles = [0, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100];

function checkRoundTrip(name: string, hdr: Hdr): void {
  const text = encodeHdrV2CompressedBase64(hdr);
  assert.ok(text.startsWith('HISTFAAA'), `${name}: ${text.slice(0, 12)}`);
  const decoded = hdrjs.decodeFromCompressedBase64(text);
  assert.equal(decoded.totalCount, hdr.totalCount, `${name}: total count`);
  assert.equal(decoded.numberOfSignificantValueDigits, 3);
  for (const p of percentiles) {
    const ours = hdr.percentile(p);
    const theirs = decoded.getValueAtPercentile(p);
    assert.ok(
      Math.abs(ours - theirs) <= slotWidth(Math.max(ours, theirs)),
      `${name}: p${p} ours ${ours}, hdr-histogram-js ${theirs}`,
    );
  }
  assert.ok(
    decoded.maxValue >= hdr.max - slotWidth(hdr.max) && decoded.maxValue <= hdr.max + slotWidth(hdr.max),
  );
}

test('V2 export decodes in hdr-histogram-js with the same count and percentiles', () => {
  const random = lcg(7);
  const latency = new Hdr();
  // A long-tailed latency shape: most around 300 µs, a tail into seconds.
  for (let i = 0; i < 50_000; i++)
    latency.record(200 + 200 * random() + (random() < 0.01 ? 3_000_000 * random() : 0));
  checkRoundTrip('long tail', latency);

  const single = new Hdr();
  single.record(1234);
  checkRoundTrip('one value', single);

  const zeroAndHuge = new Hdr();
  zeroAndHuge.recordCount(0, 5);
  zeroAndHuge.recordCount(2 ** 36 + 12345, 3);
  zeroAndHuge.recordCount(2047, 2);
  zeroAndHuge.recordCount(2048, 2);
  checkRoundTrip('edges', zeroAndHuge);

  const bigCounts = new Hdr();
  bigCounts.recordCount(500, 3_000_000_000);
  bigCounts.recordCount(90_000, 7);
  const decoded = hdrjs.decodeFromCompressedBase64(encodeHdrV2CompressedBase64(bigCounts), 64);
  assert.equal(decoded.totalCount, 3_000_000_007);
});

test('an empty histogram encodes as a valid empty V2 histogram', () => {
  const decoded = hdrjs.decodeFromCompressedBase64(encodeHdrV2CompressedBase64(new Hdr()));
  assert.equal(decoded.totalCount, 0);
});

test('the compressed form is cookie, length, zlib payload with the V2 header', () => {
  const hdr = new Hdr();
  hdr.recordCount(100, 4);
  const bytes = Buffer.from(encodeHdrV2CompressedBase64(hdr), 'base64');
  assert.equal(bytes.readInt32BE(0), 0x1c849314);
  assert.equal(bytes.readInt32BE(4), bytes.length - 8);
  const payload = inflateSync(bytes.subarray(8));
  assert.equal(payload.readInt32BE(0), 0x1c849313);
  assert.equal(payload.readInt32BE(4), payload.length - 40);
  assert.equal(payload.readInt32BE(12), 3);
  // Index 100 holds 4: a run of 100 zeros (ZigZag of -100 = 199 → 0xc7 0x01), then 4 (ZigZag 8).
  assert.deepEqual([...payload.subarray(40)], [0xc7, 0x01, 0x08]);
});

test('the standard index agrees with the layout slot boundaries', () => {
  assert.equal(standardCountsIndex(0), 0);
  assert.equal(standardCountsIndex(2047), 2047);
  assert.equal(standardCountsIndex(2048), 2048);
  assert.equal(standardCountsIndex(2049), 2048);
  assert.equal(standardCountsIndex(4095), 3071);
  assert.equal(standardCountsIndex(4096), 3072);
  // 2^40-1: top bit 39 → bucket 29, sub-bucket 2047 → (29 + 1)·1024 + 2047 - 1024.
  assert.equal(standardCountsIndex(2 ** 40 - 1), (30 << 10) + 1023);
});
