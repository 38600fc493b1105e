/**
 * Creating the folders a report or a figure goes into. Not
 * `mkdir({recursive: true})`: on Node 24 that never returns for a path
 * under /proc (the kernel answers ENOENT for the child and EEXIST for the
 * parent, forever), which would hang `conlab report -o /proc/x/report.html`.
 * Walking down from the nearest existing ancestor fails cleanly instead.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ErrorCodes, LabError, errorText } from '../core/errors.ts';

async function isDirectory(path: string): Promise<boolean | null> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return null;
  }
}

export async function ensureDir(dir: string): Promise<void> {
  const missing: string[] = [];
  let current = resolve(dir);
  for (;;) {
    const state = await isDirectory(current);
    if (state === true) break;
    if (state === false) {
      throw new LabError(ErrorCodes.IO, `cannot create '${dir}': '${current}' is not a directory`, {
        hint: 'pick an output path inside a writable directory',
      });
    }
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const path of missing) {
    try {
      await mkdir(path);
    } catch (error) {
      throw new LabError(ErrorCodes.IO, `cannot create '${path}': ${errorText(error)}`, {
        hint: 'pick an output path inside a writable directory',
      });
    }
  }
}
