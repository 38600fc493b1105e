/**
 * The reference for bench/seeds-pipeline.ts: seed 001's async pipeline
 * written plainly in one file, with no conlab harness (no subject process
 * protocol, no monitor, no verification). argv: concurrency durationS dir.
 * Prints one JSON line {bytes, elapsedS}.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const concurrency = Number(process.argv[2] ?? '1');
const durationMs = Number(process.argv[3] ?? '3') * 1000;
const dir = process.argv[4] ?? '.';
const bufferBytes = 256 * 1024;

async function pipeline(index: number, t0: number): Promise<number> {
  const handle = await open(join(dir, `ref-${index}.dat`), 'a');
  const buffer = new Uint8Array(bufferBytes);
  let bytes = 0;
  let iteration = 0;
  try {
    while (performance.now() - t0 < durationMs) {
      await sleep(100);
      buffer.fill(iteration++ & 0xff);
      for (let i = 0; i < buffer.length; i += 8) buffer[i] = ((buffer[i] ?? 0) + 1) & 0xff;
      let offset = 0;
      while (offset < buffer.length) offset += (await handle.write(buffer, offset)).bytesWritten;
      await handle.sync();
      bytes += buffer.length;
    }
  } finally {
    await handle.close();
  }
  return bytes;
}

const t0 = performance.now();
const totals = await Promise.all(Array.from({ length: concurrency }, (_, i) => pipeline(i, t0)));
process.stdout.write(
  `${JSON.stringify({ bytes: totals.reduce((a, b) => a + b, 0), elapsedS: (performance.now() - t0) / 1000 })}\n`,
);
