/**
 * cpu.rotate: seed 003's image job. An RGBA image is generated in memory from
 * the item index (no files, so the work is pure compute and reproducible),
 * then rotated `rotations` times by `angleDeg` about its centre with
 * nearest-neighbour sampling. sin/cos come from a Taylor series in plain
 * arithmetic rather than Math.sin/Math.cos, whose last bits may differ
 * between engines: the checksum must be identical under Node, Bun and Deno.
 */
import { intParam } from './params.ts';
import { fnv1a, itemSeed, mulberry32 } from './prng.ts';
import { sum32 } from './common.ts';
import type { ParamValues, Workload } from './types.ts';

/** sin and cos of a small angle (|x| <= pi/4 is plenty here) by Taylor series: exact IEEE ops only. */
export function sinCos(radians: number): { sin: number; cos: number } {
  let sin = 0;
  let cos = 0;
  let term = 1; // x^k / k!
  for (let k = 0; k < 30; k++) {
    const sign = Math.floor(k / 2) % 2 === 0 ? 1 : -1;
    if (k % 2 === 0) cos += sign * term;
    else sin += sign * term;
    term = (term * radians) / (k + 1);
  }
  return { sin, cos };
}

/** A deterministic RGBA image: random blocks so rotation moves real structure, not noise only. */
export function makeImage(width: number, height: number, seed: number): Uint8Array {
  const random = mulberry32(seed);
  const image = new Uint8Array(width * height * 4);
  const block = 16;
  for (let by = 0; by < height; by += block) {
    for (let bx = 0; bx < width; bx += block) {
      const r = (random() * 256) | 0;
      const g = (random() * 256) | 0;
      const b = (random() * 256) | 0;
      for (let y = by; y < Math.min(by + block, height); y++) {
        for (let x = bx; x < Math.min(bx + block, width); x++) {
          const o = (y * width + x) * 4;
          image[o] = r;
          image[o + 1] = g;
          image[o + 2] = b;
          image[o + 3] = 255;
        }
      }
    }
  }
  return image;
}

export function rotateImage(src: Uint8Array, width: number, height: number, radians: number): Uint8Array {
  const out = new Uint8Array(src.length);
  const { sin, cos } = sinCos(radians);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  for (let y = 0; y < height; y++) {
    const dy = y - cy;
    for (let x = 0; x < width; x++) {
      const dx = x - cx;
      // Inverse mapping: where in the source does this output pixel come from?
      const sx = Math.round(cos * dx + sin * dy + cx);
      const sy = Math.round(-sin * dx + cos * dy + cy);
      if (sx < 0 || sy < 0 || sx >= width || sy >= height) continue; // stays transparent black
      const o = (y * width + x) * 4;
      const s = (sy * width + sx) * 4;
      out[o] = src[s] ?? 0;
      out[o + 1] = src[s + 1] ?? 0;
      out[o + 2] = src[s + 2] ?? 0;
      out[o + 3] = src[s + 3] ?? 0;
    }
  }
  return out;
}

function rotateItem(params: ParamValues, itemIndex: number): number {
  const width = intParam(params, 'width');
  const height = intParam(params, 'height');
  const radians = (intParam(params, 'angleDeg') * Math.PI) / 180;
  let image = makeImage(width, height, itemSeed(intParam(params, 'seed'), itemIndex));
  for (let r = 0; r < intParam(params, 'rotations'); r++) image = rotateImage(image, width, height, radians);
  return fnv1a(image);
}

export const cpuRotate: Workload = {
  name: 'cpu.rotate',
  kind: 'cpu',
  description:
    'rotate a generated RGBA image `rotations` times by `angleDeg`; answer = sum of FNV-1a checksums',
  params: {
    width: { type: 'int', default: 640, min: 8, max: 8192, description: 'image width in pixels' },
    height: { type: 'int', default: 480, min: 8, max: 8192, description: 'image height in pixels' },
    rotations: { type: 'int', default: 8, min: 1, max: 1000, description: 'successive rotations per image' },
    angleDeg: { type: 'int', default: 5, min: -45, max: 45, description: 'rotation step in whole degrees' },
    seed: { type: 'int', default: 3, min: 0, max: 2 ** 31 - 1, description: 'image generator seed' },
  },
  runSync: rotateItem,
  runAsync: (params, itemIndex) => Promise.resolve(rotateItem(params, itemIndex)),
  combine: (answers) => sum32('cpu.rotate', answers),
};
