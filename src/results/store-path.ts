/**
 * Before SQLite sees a store path: is it a file we may read (and write)?
 * SQLite's own messages for a folder, a read-only file system or a missing
 * folder ("unable to open database file", EISDIR) do not say which of them
 * it was, so each case is named here, with the fix.
 */
import { accessSync, closeSync, constants, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import { ErrorCodes, LabError } from '../core/errors.ts';

const ANOTHER_STORE = 'give another store with --store PATH';

function errnoOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'unknown';
}

function pathError(path: string, what: string, hint: string, cause?: unknown): LabError {
  return new LabError(ErrorCodes.STORE, `results store '${path}' ${what}`, { hint, cause });
}

/** Words for the errno of a failed write or create, naming the cause. */
function writeRefusal(path: string, place: string, error: unknown): LabError {
  switch (errnoOf(error)) {
    case 'EROFS':
      return pathError(
        path,
        `cannot be written: ${place} is on a read-only file system`,
        `copy the store to a writable place and use that with --store, or ${ANOTHER_STORE}`,
        error,
      );
    case 'EACCES':
    case 'EPERM':
      return pathError(
        path,
        `cannot be written: permission denied on ${place}`,
        `make ${place} writable for this user, or ${ANOTHER_STORE}`,
        error,
      );
    case 'ENOTDIR':
    case 'EEXIST':
      return pathError(
        path,
        `cannot be created: a file is in the way of its folder ${place}`,
        `remove or rename that file, or ${ANOTHER_STORE}`,
        error,
      );
    case 'ENOSPC':
      return pathError(path, `cannot be written: no space left on ${place}`, 'free some space', error);
    default:
      return pathError(path, `cannot be written (${errnoOf(error)} on ${place})`, ANOTHER_STORE, error);
  }
}

/** The nearest folder on the way to `path` that does not exist (undefined when its folder exists). */
function firstMissingFolder(fullPath: string): string | undefined {
  let missing: string | undefined;
  for (let dir = dirname(fullPath); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      statSync(dir);
      break;
    } catch {
      missing = dir;
    }
  }
  return missing;
}

/** The error of a failed write check on `target`, or undefined when it may be written. */
function writeProblem(target: string): unknown {
  try {
    accessSync(target, constants.W_OK);
    return undefined;
  } catch (error) {
    return error;
  }
}

/** mkdir -p reports ENOENT on a read-only file system; the nearest existing folder says why. */
function mkdirCause(folder: string, error: unknown): unknown {
  if (errnoOf(error) !== 'ENOENT') return error;
  const missing = firstMissingFolder(join(folder, 'x'));
  const existing = missing === undefined ? folder : dirname(missing);
  return writeProblem(existing) ?? error;
}

export interface StorePathState {
  /** A store file is already there (else its folder was just created). */
  existing: boolean;
  /** The file and its folder can be written (SQLite needs both in WAL mode); false on read-only media. */
  writable: boolean;
}

/**
 * Checks `fullPath` (shown to the user as `path`) and, for a new store,
 * creates its folder. With `write`, refuses a store that cannot be written.
 * Throws LAB_E_STORE naming the cause, or LAB_E_NOT_FOUND.
 */
export function prepareStorePath(
  path: string,
  fullPath: string,
  options: { create: boolean; write: boolean },
): StorePathState {
  let isFile = false;
  try {
    const stat = statSync(fullPath);
    if (stat.isDirectory()) {
      throw pathError(
        path,
        'is a folder, not a store file',
        `give a file, e.g. --store ${path.replace(/\/+$/, '')}/results.db`,
      );
    }
    if (!stat.isFile()) throw pathError(path, 'is not a regular file', ANOTHER_STORE);
    isFile = true;
  } catch (error) {
    if (error instanceof LabError) throw error;
    const code = errnoOf(error);
    if (code === 'ENOTDIR') {
      throw pathError(path, 'cannot exist: a part of its path is a file, not a folder', ANOTHER_STORE, error);
    }
    if (code === 'EACCES') {
      throw pathError(path, 'cannot be reached: permission denied on a folder of its path', ANOTHER_STORE);
    }
    if (code !== 'ENOENT') throw pathError(path, `cannot be read (${code})`, ANOTHER_STORE, error);
  }
  const folder = dirname(fullPath);
  if (!isFile) {
    if (!options.create) {
      const missing = firstMissingFolder(fullPath);
      throw new LabError(
        ErrorCodes.NOT_FOUND,
        `no results store at '${path}'${missing === undefined ? '' : ` (the folder ${missing} does not exist)`}`,
        { hint: "run 'conlab run' first, or give the store with --store PATH" },
      );
    }
    try {
      mkdirSync(folder, { recursive: true });
    } catch (error) {
      throw writeRefusal(path, `folder ${folder}`, mkdirCause(folder, error));
    }
  }
  // SQLite needs to write the file and to create its -wal and -shm files beside it.
  const places: [string, string][] = [
    ...(isFile ? [[fullPath, 'the file'] as [string, string]] : []),
    [folder, `folder ${folder}`],
  ];
  for (const [target, place] of places) {
    const problem = writeProblem(target);
    if (problem === undefined) continue;
    if (options.write) throw writeRefusal(path, place, problem);
    return { existing: isFile, writable: false };
  }
  return { existing: isFile, writable: true };
}

const SQLITE_MAGIC = 'SQLite format 3\0';

/** Whether the file starts with SQLite's magic string (an empty file counts: SQLite makes it a database). */
export function hasSqliteHeader(path: string, fullPath: string): boolean {
  let fd: number;
  try {
    fd = openSync(fullPath, 'r');
  } catch (error) {
    throw pathError(
      path,
      `cannot be read (${errnoOf(error)})`,
      `make it readable, or ${ANOTHER_STORE}`,
      error,
    );
  }
  try {
    const buffer = Buffer.alloc(16);
    const length = readSync(fd, buffer, 0, 16, 0);
    return length === 0 || buffer.subarray(0, length).toString('latin1') === SQLITE_MAGIC;
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens the SQLite file. On read-only media (`writable` false) SQLite cannot
 * create the -shm file a WAL database needs even to be read, so the file is
 * opened as immutable: nothing can change it there anyway.
 */
export function openSqlite(
  fullPath: string,
  options: { readOnly: boolean; writable: boolean },
): DatabaseSync {
  if (options.writable) return new DatabaseSync(fullPath, { readOnly: options.readOnly });
  return new DatabaseSync(new URL(`${pathToFileURL(fullPath).href}?immutable=1`), { readOnly: true });
}
