/**
 * A high-dynamic-range histogram of integer microsecond values with 3
 * significant digits (relative bucket width ≤ 1/1024), bounded memory, and a
 * compact mergeable string encoding. It is the one latency container of the
 * project: generator threads record into it, the load generator merges the
 * threads' copies losslessly, and stats/report merge repetitions with it.
 *
 * Layout (the classic HDR scheme, lowest unit 1 µs): bucket 0 holds values
 * 0..2047 at 1 µs resolution; bucket k ≥ 1 holds [1024·2^k, 2048·2^k) in 1024
 * sub-buckets of width 2^k. A value's slot is found with integer arithmetic
 * only, so recording costs a few operations and no allocation.
 *
 * Besides the counts the histogram keeps the exact min, max and sum, so
 * min/max/mean survive merging and encoding exactly.
 */

/** Latency percentiles of one histogram, in µs. */
export interface LatencySummaryUs {
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

const SUB_BUCKET_HALF_MAGNITUDE = 10;
const SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_MAGNITUDE; // 1024
const SUB_BUCKET_COUNT = SUB_BUCKET_HALF_COUNT * 2; // 2048
const TWO_POW_31 = 2 ** 31;
const TWO_POW_32 = 4294967296;

/** Values above this (2^40 µs ≈ 12.7 days) are clamped to it and counted in `clampedCount`. */
export const HDR_MAX_VALUE_US = 2 ** 40 - 1;
const MAX_INDEX = countsIndex(HDR_MAX_VALUE_US);
const ENCODING_VERSION = 1;

/** What a histogram's encoding means; two encoded histograms merge only when these agree. */
export interface HdrPrecision {
  /** Significant decimal digits kept (relative slot width ≤ 1/1024). */
  significantDigits: number;
  /** The smallest value told apart, in µs. */
  lowestDiscernibleUs: number;
  /** Version of the string encoding (Hdr.encode). */
  encodingVersion: number;
}

/** The one precision this code records, encodes and decodes. */
export const HDR_PRECISION: Readonly<HdrPrecision> = Object.freeze({
  significantDigits: 3,
  lowestDiscernibleUs: 1,
  encodingVersion: ENCODING_VERSION,
});

function highestBit(value: number): number {
  if (value >= TWO_POW_32) return 63 - Math.clz32(Math.floor(value / TWO_POW_32));
  return 31 - Math.clz32(value);
}

function bucketIndexOf(value: number): number {
  if (value < SUB_BUCKET_COUNT) return 0;
  return highestBit(value) - SUB_BUCKET_HALF_MAGNITUDE;
}

/** The slot of an integer value in 0..HDR_MAX_VALUE_US. */
function countsIndex(value: number): number {
  const bucket = bucketIndexOf(value);
  // A shift for every latency below 35 min (µs); the division keeps larger values exact.
  const subBucket = value < TWO_POW_31 ? value >> bucket : Math.floor(value / 2 ** bucket);
  return ((bucket + 1) << SUB_BUCKET_HALF_MAGNITUDE) + (subBucket - SUB_BUCKET_HALF_COUNT);
}

/** The lowest value that maps to a slot. */
function valueFromIndex(index: number): number {
  let bucket = (index >> SUB_BUCKET_HALF_MAGNITUDE) - 1;
  let subBucket = (index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
  if (bucket < 0) {
    subBucket -= SUB_BUCKET_HALF_COUNT;
    bucket = 0;
  }
  return subBucket * 2 ** bucket;
}

/** Width of the slot (how many integer values share it). */
function slotWidth(index: number): number {
  const bucket = (index >> SUB_BUCKET_HALF_MAGNITUDE) - 1;
  return bucket <= 0 ? 1 : 2 ** bucket;
}

export class Hdr {
  /** Grows on demand (doubling) up to MAX_INDEX + 1 slots, so short latencies cost little memory. */
  private counts: Float64Array;
  private maxIndexUsed = -1;
  totalCount = 0;
  /** Exact extremes and sum of the recorded values (after clamping). */
  min = Infinity;
  max = 0;
  sum = 0;
  /** How many values exceeded HDR_MAX_VALUE_US and were clamped. */
  clampedCount = 0;

  constructor() {
    this.counts = new Float64Array(8192);
  }

  /** Records one value in µs; fractions are rounded, negatives count as 0. */
  record(valueUs: number): void {
    this.recordCount(valueUs, 1);
  }

  recordCount(valueUs: number, count: number): void {
    let value = valueUs > 0 ? Math.round(valueUs) : 0;
    if (!(value <= HDR_MAX_VALUE_US)) {
      value = HDR_MAX_VALUE_US;
      this.clampedCount += count;
    }
    const index = countsIndex(value);
    if (index >= this.counts.length) this.grow(index);
    this.counts[index] = (this.counts[index] ?? 0) + count;
    if (index > this.maxIndexUsed) this.maxIndexUsed = index;
    this.totalCount += count;
    this.sum += value * count;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  private grow(index: number): void {
    let length = this.counts.length;
    while (length <= index) length *= 2;
    const next = new Float64Array(Math.min(length, MAX_INDEX + 1));
    next.set(this.counts);
    this.counts = next;
  }

  /** Adds every count of `other` into this histogram (lossless). */
  merge(other: Hdr): this {
    if (other.totalCount === 0) return this;
    if (other.maxIndexUsed >= this.counts.length) this.grow(other.maxIndexUsed);
    for (let i = 0; i <= other.maxIndexUsed; i++) {
      const c = other.counts[i] ?? 0;
      if (c !== 0) this.counts[i] = (this.counts[i] ?? 0) + c;
    }
    if (other.maxIndexUsed > this.maxIndexUsed) this.maxIndexUsed = other.maxIndexUsed;
    this.totalCount += other.totalCount;
    this.sum += other.sum;
    this.clampedCount += other.clampedCount;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    return this;
  }

  reset(): void {
    this.counts.fill(0, 0, this.maxIndexUsed + 1);
    this.maxIndexUsed = -1;
    this.totalCount = 0;
    this.min = Infinity;
    this.max = 0;
    this.sum = 0;
    this.clampedCount = 0;
  }

  mean(): number {
    return this.totalCount === 0 ? 0 : this.sum / this.totalCount;
  }

  /**
   * The value at percentile p (0..100): the highest value equivalent to the
   * slot holding the ceil(p% × count)-th value, never above the exact max and
   * never below the exact min. 0 when empty.
   */
  percentile(p: number): number {
    if (this.totalCount === 0) return 0;
    // The epsilon keeps float noise (0.999 × 1000 = 999.0000000000001) from moving the rank up by one.
    const exactRank = (Math.min(100, Math.max(0, p)) / 100) * this.totalCount;
    const rank = Math.max(1, Math.ceil(exactRank - 1e-9 * Math.max(1, exactRank)));
    let seen = 0;
    for (let i = 0; i <= this.maxIndexUsed; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) {
        const highest = valueFromIndex(i) + slotWidth(i) - 1;
        return Math.max(this.min, Math.min(highest, this.max));
      }
    }
    return this.max;
  }

  /** Non-zero slots as [lowest value of the slot, count], ascending. */
  *entries(): Generator<[number, number]> {
    for (let i = 0; i <= this.maxIndexUsed; i++) {
      const c = this.counts[i] ?? 0;
      if (c !== 0) yield [valueFromIndex(i), c];
    }
  }

  /**
   * Compact form: base64 of unsigned varints — version, min, max, sum,
   * clampedCount, then for each non-zero slot (index delta, count). Empty
   * slots cost nothing, so a latency histogram is a few hundred bytes to a few KiB.
   */
  encode(): string {
    const out = new VarintWriter();
    out.write(ENCODING_VERSION);
    out.write(this.totalCount === 0 ? 0 : this.min);
    out.write(this.max);
    out.write(Math.round(this.sum));
    out.write(this.clampedCount);
    let previous = -1;
    for (let i = 0; i <= this.maxIndexUsed; i++) {
      const c = this.counts[i] ?? 0;
      if (c === 0) continue;
      out.write(i - previous);
      out.write(c);
      previous = i;
    }
    return out.toBase64();
  }

  static decode(text: string): Hdr {
    return new Hdr().addEncoded(text);
  }

  /**
   * Adds an encoded histogram's counts into this one (lossless, like
   * merge) without building a histogram for it: merging thousands of
   * encoded histograms then allocates only their slot lists. The text is
   * read whole before anything is added, so a corrupt one throws and
   * leaves this histogram unchanged.
   */
  addEncoded(text: string): this {
    const input = new VarintReader(Buffer.from(text, 'base64'));
    const version = input.read();
    if (version !== ENCODING_VERSION) {
      throw new Error(`unsupported histogram encoding version ${version} (expected ${ENCODING_VERSION})`);
    }
    const min = input.read();
    const max = input.read();
    const sum = input.read();
    const clamped = input.read();
    const slots: number[] = [];
    let index = -1;
    let total = 0;
    while (!input.done()) {
      index += input.read();
      const count = input.read();
      if (index > MAX_INDEX || count <= 0) throw new Error('corrupt histogram encoding');
      slots.push(index, count);
      total += count;
    }
    if (index >= this.counts.length) this.grow(index);
    for (let i = 0; i < slots.length; i += 2) {
      const slot = slots[i] ?? 0;
      this.counts[slot] = (this.counts[slot] ?? 0) + (slots[i + 1] ?? 0);
    }
    if (index > this.maxIndexUsed) this.maxIndexUsed = index;
    this.clampedCount += clamped;
    if (total > 0) {
      this.totalCount += total;
      this.sum += sum;
      if (min < this.min) this.min = min;
      if (max > this.max) this.max = max;
    }
    return this;
  }

  /** Merges any number of encoded histograms into one. */
  static mergeEncoded(encoded: Iterable<string>): Hdr {
    const total = new Hdr();
    for (const text of encoded) total.addEncoded(text);
    return total;
  }
}

/** LEB128-style varints computed with arithmetic so values up to 2^53 survive. */
class VarintWriter {
  private bytes: number[] = [];

  write(value: number): void {
    let v = Math.max(0, Math.floor(value));
    while (v >= 128) {
      this.bytes.push((v % 128) | 128);
      v = Math.floor(v / 128);
    }
    this.bytes.push(v);
  }

  toBase64(): string {
    return Buffer.from(this.bytes).toString('base64');
  }
}

class VarintReader {
  private offset = 0;
  private readonly buffer: Uint8Array;

  constructor(buffer: Uint8Array) {
    this.buffer = buffer;
  }

  done(): boolean {
    return this.offset >= this.buffer.length;
  }

  read(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (this.offset >= this.buffer.length) throw new Error('truncated histogram encoding');
      const byte = this.buffer[this.offset++] ?? 0;
      value += (byte & 127) * scale;
      if (byte < 128) return value;
      scale *= 128;
      if (scale > 2 ** 56) throw new Error('corrupt histogram encoding');
    }
  }
}

/** The latency summary every result carries, from a histogram of µs values. */
export function summarizeLatency(hdr: Hdr): LatencySummaryUs {
  return {
    min: hdr.totalCount === 0 ? 0 : hdr.min,
    mean: Math.round(hdr.mean() * 10) / 10,
    p50: hdr.percentile(50),
    p90: hdr.percentile(90),
    p95: hdr.percentile(95),
    p99: hdr.percentile(99),
    p999: hdr.percentile(99.9),
    max: hdr.max,
  };
}
