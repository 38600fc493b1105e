/**
 * A CPU-bound workload in native code: compress and decompress a generated
 * text per item with node:zlib (gzip), then check the round trip. Native
 * work runs outside the JavaScript engine, so threads can scale it even
 * where the JIT is not the bottleneck.
 *
 *   conlab batch --workload examples/workloads/zlib.ts --models sequential,threads --concurrency 1,2
 *
 * The answer does not include the compressed size: zlib builds differ
 * between Node, Bun and Deno, and the cell answer must agree across
 * runtimes. The SHA-256 of the decompressed text proves the round trip.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';

export const params = { kib: 256, level: 6 };

export const description = 'gzip + gunzip a generated text per item (native zlib)';

function text(item: number, bytes: number): string {
  const words = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'concurrency', 'worker', 'thread', 'process'];
  const parts: string[] = [];
  let length = 0;
  let state = item + 1;
  while (length < bytes) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const word = words[state % words.length] ?? '';
    parts.push(word);
    length += word.length + 1;
  }
  return parts.join(' ');
}

export default function roundTrip(
  item: number,
  p: typeof params,
): { item: number; bytes: number; sha256: string } {
  const input = Buffer.from(text(item, p.kib * 1024));
  const packed = gzipSync(input, { level: p.level });
  const unpacked = gunzipSync(packed);
  if (!unpacked.equals(input)) throw new Error(`round trip of item ${item} changed the data`);
  return {
    item,
    bytes: input.length,
    sha256: createHash('sha256').update(unpacked).digest('hex').slice(0, 16),
  };
}
