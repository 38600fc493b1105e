/**
 * A seeded PRNG so that io.sleep delays, sqlite keys and images are the same
 * in every process, model and runtime: answers must be reproducible to be
 * verifiable. mulberry32 uses only 32-bit integer ops, which every engine
 * computes identically.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes a seed and an item index into one 32-bit seed, so item k's stream does not depend on other items. */
export function itemSeed(seed: number, itemIndex: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ itemIndex;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Triangular(low, high, mode) by inverse CDF, as Python's random.triangular
 * (mode defaults to the midpoint there; seed 003 draws triangular(0, 0.66)).
 */
export function triangular(u: number, low: number, high: number, mode = (low + high) / 2): number {
  const c = (mode - low) / (high - low);
  if (u < c) return low + Math.sqrt(u * (high - low) * (mode - low));
  return high - Math.sqrt((1 - u) * (high - low) * (high - mode));
}

/** FNV-1a over bytes, 32-bit: a cheap checksum that every engine computes identically. */
export function fnv1a(bytes: Uint8Array, start = 0x811c9dc5): number {
  let h = start >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i] ?? 0;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
