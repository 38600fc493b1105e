/**
 * The three stages of seed 001's pipeline, shared by every method so that the
 * methods differ only in how they run pipelines concurrently, never in the
 * work each iteration does. Subject-side code: node: APIs only (Node, Bun, Deno).
 *
 *   recv    wait the receive delay (the remote side), then fill the buffer
 *   compute touch every 8th byte
 *   write   write the whole buffer, then fsync (Node has no user-space write
 *           buffer, so the seed's "flush" is the write itself)
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { TOUCH_STRIDE, wallClockMs, type PipelineTally } from '../options.ts';

/** Simulated received bytes: a pattern that changes each iteration, so every write carries new data. */
export function fillReceived(buffer: Uint8Array, iteration: number): void {
  buffer.fill(iteration & 0xff);
}

/** The compute stage; its writes land in the buffer that goes to disk, so the JIT cannot drop them. */
export function touchEveryEighthByte(buffer: Uint8Array): void {
  for (let i = 0; i < buffer.length; i += TOUCH_STRIDE) buffer[i] = ((buffer[i] ?? 0) + 1) & 0xff;
}

/**
 * The compute stage alone, on this thread, for at least `minMs`: the seed's
 * "sequential compute throughput" column, which shows how far compute is from
 * being the bottleneck of a pipeline.
 */
export function measureComputeMiBps(bufferBytes: number, minMs = 200): number {
  const buffer = new Uint8Array(bufferBytes);
  touchEveryEighthByte(buffer); // first call compiles; not timed
  let rounds = 0;
  const t0 = performance.now();
  let elapsedMs: number;
  do {
    touchEveryEighthByte(buffer);
    rounds++;
    elapsedMs = performance.now() - t0;
  } while (elapsedMs < minMs);
  return (rounds * bufferBytes) / (1024 * 1024) / (elapsedMs / 1000);
}

/**
 * A pipeline whose stages block their thread, as in the seed's threaded and
 * multiprocess versions: used by `sequential` (several in turn on one
 * thread), `threads` (one per worker) and `processes` (one per child).
 * The receive delay waits on a shared "stop" cell, so the driver can wake
 * and end a pipeline at once instead of waiting out its sleep.
 */
export class BlockingPipeline {
  readonly index: number;
  private readonly fd: number;
  private readonly buffer: Uint8Array;
  private readonly delayMs: number;
  private readonly stop: Int32Array;
  private readonly stopIndex: number;
  iterations = 0;
  bytesWritten = 0;

  constructor(options: {
    index: number;
    filePath: string;
    bufferBytes: number;
    delayMs: number;
    stop?: { cells: Int32Array; index: number };
  }) {
    this.index = options.index;
    this.fd = openSync(options.filePath, 'a');
    this.buffer = new Uint8Array(options.bufferBytes);
    this.delayMs = options.delayMs;
    this.stop = options.stop?.cells ?? new Int32Array(new SharedArrayBuffer(4));
    this.stopIndex = options.stop?.index ?? 0;
  }

  /** Runs one iteration; false when the stop cell was raised during the receive delay. */
  step(): boolean {
    if (Atomics.wait(this.stop, this.stopIndex, 0, this.delayMs) !== 'timed-out') return false;
    fillReceived(this.buffer, this.iterations);
    touchEveryEighthByte(this.buffer);
    let offset = 0;
    while (offset < this.buffer.length) offset += writeSync(this.fd, this.buffer, offset);
    fsyncSync(this.fd);
    this.iterations++;
    this.bytesWritten += this.buffer.length;
    return true;
  }

  close(): void {
    closeSync(this.fd);
  }

  tally(elapsedS: number, startedAtMs: number): PipelineTally {
    return {
      index: this.index,
      iterations: this.iterations,
      bytesWritten: this.bytesWritten,
      elapsedS,
      startedAtMs,
      endedAtMs: wallClockMs(),
    };
  }
}

/** Runs one pipeline alone on its thread until `durationS` has passed since now. */
export function runBlockingPipelineFor(pipeline: BlockingPipeline, durationS: number): PipelineTally {
  const startedAtMs = wallClockMs();
  const t0 = performance.now();
  const durationMs = durationS * 1000;
  while (performance.now() - t0 < durationMs) {
    if (!pipeline.step()) break;
  }
  return pipeline.tally((performance.now() - t0) / 1000, startedAtMs);
}

/**
 * A pipeline on the event loop, as in the seed's asyncio version: the
 * receive delay is a timer and the write and fsync go to libuv's thread pool
 * (the seed used aiofiles' thread pool for the same reason), while compute
 * runs on the one JavaScript thread.
 */
export class AsyncPipeline {
  readonly index: number;
  private readonly handle: FileHandle;
  private readonly buffer: Uint8Array;
  private readonly delayMs: number;
  iterations = 0;
  bytesWritten = 0;

  private constructor(index: number, handle: FileHandle, bufferBytes: number, delayMs: number) {
    this.index = index;
    this.handle = handle;
    this.buffer = new Uint8Array(bufferBytes);
    this.delayMs = delayMs;
  }

  static async open(options: {
    index: number;
    filePath: string;
    bufferBytes: number;
    delayMs: number;
  }): Promise<AsyncPipeline> {
    const handle = await open(options.filePath, 'a');
    return new AsyncPipeline(options.index, handle, options.bufferBytes, options.delayMs);
  }

  async runFor(durationS: number, t0: number): Promise<PipelineTally> {
    const startedAtMs = wallClockMs();
    const durationMs = durationS * 1000;
    while (performance.now() - t0 < durationMs) {
      await sleep(this.delayMs);
      fillReceived(this.buffer, this.iterations);
      touchEveryEighthByte(this.buffer);
      let offset = 0;
      while (offset < this.buffer.length) {
        const { bytesWritten } = await this.handle.write(this.buffer, offset, this.buffer.length - offset);
        offset += bytesWritten;
      }
      await this.handle.sync();
      this.iterations++;
      this.bytesWritten += this.buffer.length;
    }
    return {
      index: this.index,
      iterations: this.iterations,
      bytesWritten: this.bytesWritten,
      elapsedS: (performance.now() - t0) / 1000,
      startedAtMs,
      endedAtMs: wallClockMs(),
    };
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
