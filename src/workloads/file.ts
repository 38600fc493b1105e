/**
 * io.file: write a `sizeKiB` buffer to a per-item file, fsync it, check its
 * size, delete it. fsync makes the disk (not the page cache) part of the
 * cost, which is what an "I/O-bound" job means. runAsync uses fs/promises
 * (libuv thread pool), runSync blocks the calling thread.
 *
 * Nothing is left by a kill: the file is unlinked right after it is opened,
 * so it is written, fsynced and checked through its descriptor with no name
 * on disk, and the kernel frees it when the descriptor closes — even on
 * SIGKILL. Its name carries the owner (src/core/owned-temp.ts), so a file
 * left by a kill in the instant between open and unlink is swept by the
 * next io.file cell (`prepare`).
 */
import { closeSync, fstatSync, fsyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { ownerTag, sweepOrphans } from '../core/owned-temp.ts';
import { intParam, stringParam } from './params.ts';
import { itemSeed } from './prng.ts';
import { sumInts } from './common.ts';
import type { ParamValues, Workload } from './types.ts';

const FILE_PREFIX = 'conlab-file-';

function itemDir(params: ParamValues): string {
  return stringParam(params, 'dir') || tmpdir();
}

let owner: string | undefined;

function itemPath(params: ParamValues, id: number): string {
  // Owner (pid and start time) and thread in the name: two cells never share a file, and a leftover is sweepable.
  owner ??= ownerTag();
  return join(itemDir(params), `${FILE_PREFIX}${owner}-${threadId}-${id}.bin`);
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
    'write a per-item file of `sizeKiB` (unlinked as soon as it is open), fsync, verify its size; answer = bytes written',
  params: {
    sizeKiB: { type: 'int', default: 256, min: 1, max: 65_536, description: 'file size per item in KiB' },
    dir: {
      type: 'string',
      default: '',
      pattern: /^[^\0]{0,4096}$/,
      description: "directory for the files ('' = the temp dir)",
    },
  },
  prepare(params) {
    sweepOrphans(itemDir(params), FILE_PREFIX);
  },
  runSync(params, id) {
    const path = itemPath(params, id);
    const buffer = itemBuffer(params, id);
    const fd = openSync(path, 'w');
    try {
      unlinkSync(path);
      let written = 0;
      while (written < buffer.length) written += writeSync(fd, buffer, written);
      fsyncSync(fd);
      return checkSize(fstatSync(fd).size, buffer.length, path);
    } finally {
      closeSync(fd);
    }
  },
  async runAsync(params, id) {
    const path = itemPath(params, id);
    const buffer = itemBuffer(params, id);
    const handle = await open(path, 'w');
    try {
      // Unlinked in the same tick the open resolves: an `await unlink()` would leave the file named
      // for as long as the thread pool's queue takes. One unlink syscall (~10 µs) beside an fsync.
      unlinkSync(path);
      let written = 0;
      while (written < buffer.length) written += (await handle.write(buffer, written)).bytesWritten;
      await handle.sync();
      return checkSize((await handle.stat()).size, buffer.length, path);
    } finally {
      await handle.close();
    }
  },
  combine: (answers) => sumInts('io.file', answers),
  expected: (params, items) => items * intParam(params, 'sizeKiB') * 1024,
};
