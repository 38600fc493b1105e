/**
 * Our latency histogram in the standard HdrHistogram "V2 compressed" form
 * (the base64 text that starts "HISTFAAA"), so that any HdrHistogram
 * library (Java, Go, Rust, hdr-histogram-js, HdrHistogramVisualizer) can read
 * what conlab measured. Written from the public format description:
 *
 *   V2 payload   big-endian header — int32 cookie 0x1c849313, int32 payload
 *                length, int32 normalizing index offset (0), int32 significant
 *                digits, int64 lowest discernible value, int64 highest
 *                trackable value, float64 integer-to-double ratio (1.0) —
 *                then the counts array from index 0 to the last non-zero
 *                slot, each count ZigZag-LEB128 encoded, a run of N ≥ 2 zero
 *                slots written as the single negative number -N.
 *   compressed   int32 cookie 0x1c849314, int32 length of the zlib-deflated
 *                V2 payload, the deflated bytes; the whole thing in base64.
 *
 * The slot layout needs no conversion: a standard histogram with lowest
 * discernible value 1 and 3 significant digits has 2048 sub-buckets
 * (2·10³ rounded up to a power of two), unit magnitude 0 and half-count
 * magnitude 10, which is exactly src/stats/hdr.ts's layout. The index is
 * recomputed here from the standard formula (not borrowed from hdr.ts) so the
 * decoding test checks the two agree.
 */
import { deflateSync } from 'node:zlib';
import type { Hdr } from './hdr.ts';

const V2_COOKIE = 0x1c849313;
const V2_COMPRESSED_COOKIE = 0x1c849314;
const HEADER_BYTES = 40;
const SIGNIFICANT_DIGITS = 3;
const LOWEST_DISCERNIBLE = 1;
/** log2 of half the sub-bucket count (2048 / 2 = 2^10) for 3 digits at unit 1. */
const SUB_BUCKET_HALF_MAGNITUDE = 10;

/** The standard HdrHistogram counts index of an integer value (unit magnitude 0). */
export function standardCountsIndex(value: number): number {
  // Bucket = how many doublings above the first 2048-value bucket the value sits.
  const bits = value < 1 ? 0 : Math.floor(Math.log2(value)) + 1;
  let bucket = Math.max(0, bits - (SUB_BUCKET_HALF_MAGNITUDE + 1));
  // log2 of floats can be one off near powers of two; settle it with exact comparisons.
  while (bucket > 0 && value < 2 ** (bucket + SUB_BUCKET_HALF_MAGNITUDE)) bucket--;
  while (value >= 2 ** (bucket + SUB_BUCKET_HALF_MAGNITUDE + 1)) bucket++;
  const subBucket = Math.floor(value / 2 ** bucket);
  return (bucket + 1) * 2 ** SUB_BUCKET_HALF_MAGNITUDE + subBucket - 2 ** SUB_BUCKET_HALF_MAGNITUDE;
}

/** ZigZag then LEB128 (7 bits a byte, low first); arithmetic, so counts up to 2^53 survive. */
function pushZigZag(bytes: number[], value: number): void {
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  while (v >= 128) {
    bytes.push((v % 128) | 128);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
}

/** The counts of `hdr` as a sparse map from standard index to count. */
function countsByIndex(hdr: Hdr): Map<number, number> {
  const counts = new Map<number, number>();
  for (const [lowestValue, count] of hdr.entries()) {
    const index = standardCountsIndex(lowestValue);
    counts.set(index, (counts.get(index) ?? 0) + count);
  }
  return counts;
}

/** The uncompressed V2 encoding (header + ZigZag-LEB128 counts with zero runs). */
export function encodeHdrV2(hdr: Hdr): Buffer {
  const counts = countsByIndex(hdr);
  const lastIndex = counts.size === 0 ? -1 : Math.max(...counts.keys());
  const payload: number[] = [];
  let zeros = 0;
  for (let i = 0; i <= lastIndex; i++) {
    const count = counts.get(i) ?? 0;
    if (count === 0) {
      zeros++;
      continue;
    }
    if (zeros === 1) pushZigZag(payload, 0);
    else if (zeros > 1) pushZigZag(payload, -zeros);
    zeros = 0;
    pushZigZag(payload, count);
  }
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeInt32BE(V2_COOKIE, 0);
  header.writeInt32BE(payload.length, 4);
  header.writeInt32BE(0, 8);
  header.writeInt32BE(SIGNIFICANT_DIGITS, 12);
  header.writeBigInt64BE(BigInt(LOWEST_DISCERNIBLE), 16);
  // A reader sizes its counts array from this; the recorded max (at least 2, the format's floor) covers every slot.
  header.writeBigInt64BE(BigInt(Math.max(2, hdr.max)), 24);
  header.writeDoubleBE(1, 32);
  return Buffer.concat([header, Buffer.from(payload)]);
}

/** The compressed V2 form in base64 ("HISTFAAA…"), as HdrHistogram's encodeIntoCompressedBase64 makes it. */
export function encodeHdrV2CompressedBase64(hdr: Hdr): string {
  const deflated = deflateSync(encodeHdrV2(hdr));
  const head = Buffer.alloc(8);
  head.writeInt32BE(V2_COMPRESSED_COOKIE, 0);
  head.writeInt32BE(deflated.length, 4);
  return Buffer.concat([head, deflated]).toString('base64');
}
