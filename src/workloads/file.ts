/**
 * io.file: write a `sizeKiB` buffer to a per-item file, fsync it, check its
 * size, delete it. fsync makes the disk (not the page cache) part of the
 * cost, which is what an "I/O-bound" job means. runAsync uses fs/promises
 * (libuv thread pool), runSync blocks the calling thread.
 */
import { closeSync, fstatSync, fsyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { intParam, stringParam } from './params.ts';
import { itemSeed } from './prng.ts';
import { sumInts } from './common.ts';
import type { ParamValues, Workload } from './types.ts';

function itemPath(params: ParamValues, id: number): string {
  // pid and thread in the name: two cells (or a leftover from a killed run) never share a file.
  const dir = stringParam(params, 'dir') || tmpdir();
  return join(dir, `conlab-file-${process.pid}-${threadId}-${id}.bin`);
}

function itemBuffer(params: ParamValues, id: number): Uint8Array {
  const buffer = new Uint8Array(intParam(params, 'sizeKiB') * 1024);
  buffer.fill(itemSeed(7, id) & 0xff);
  return buffer;
}

function checkSize(size: number, expected: number, path: string): number {
  if (size !== expected)
    throw new Error(`io.file: ${path} has ${size} bytes after fsync, expected ${expected}`);
  return size;
}

export const ioFile: Workload = {
  name: 'io.file',
  kind: 'io',
  description:
    'write a per-item file of `sizeKiB`, fsync, verify its size, delete it; answer = bytes written',
  params: {
    sizeKiB: { type: 'int', default: 256, min: 1, max: 65_536, description: 'file size per item in KiB' },
    dir: {
      type: 'string',
      default: '',
      pattern: /^[^\0]{0,4096}$/,
      description: "directory for the files ('' = the temp dir)",
    },
  },
  runSync(params, id) {
    const path = itemPath(params, id);
    const buffer = itemBuffer(params, id);
    const fd = openSync(path, 'w');
    try {
      let written = 0;
      while (written < buffer.length) written += writeSync(fd, buffer, written);
      fsyncSync(fd);
      return checkSize(fstatSync(fd).size, buffer.length, path);
    } finally {
      closeSync(fd);
      unlinkSync(path);
    }
  },
  async runAsync(params, id) {
    const path = itemPath(params, id);
    const buffer = itemBuffer(params, id);
    const handle = await open(path, 'w');
    try {
      let written = 0;
      while (written < buffer.length) written += (await handle.write(buffer, written)).bytesWritten;
      await handle.sync();
      return checkSize((await handle.stat()).size, buffer.length, path);
    } finally {
      await handle.close();
      await unlink(path);
    }
  },
  combine: (answers) => sumInts('io.file', answers),
  expected: (params, items) => items * intParam(params, 'sizeKiB') * 1024,
};
