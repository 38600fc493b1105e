/**
 * How a workload module is named. The user writes a path, optionally with
 * the export to run: `./task.ts`, `lib/tasks.mjs#resize`. The resolved name
 * — what a cell, its key and its record carry — is the absolute path, the
 * export and the first 16 hex digits of the SHA-256 of the file's content:
 *
 *   /home/me/proj/task.ts#default@3f9c0a1be2d47781
 *
 * so that an edited module is a different cell (a resumed suite re-runs it,
 * answers of two versions are never compared). Only the module's own file is
 * hashed, not what it imports.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import { ErrorCodes, LabError } from '../../core/errors.ts';

export interface ModuleRef {
  /** Absolute path of the module file. */
  path: string;
  /** The export that is the task: 'default' unless `#name` was given. */
  exportName: string;
  /** SHA-256 of the file's content, first 16 hex digits; absent in what a user wrote. */
  hash: string | undefined;
}

export const MODULE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'] as const;

const HASH_DIGITS = 16;
/** `#name` (an identifier) and, in a resolved name, `@hash`. */
const suffixPattern = new RegExp(`^(.*)#([A-Za-z_$][\\w$]*)(?:@([0-9a-f]{${HASH_DIGITS}}))?$`, 's');

/** Whether a --workload value (or a suite's `workload:`) names a module rather than a built-in workload. */
export function looksLikeModule(name: string): boolean {
  const path = splitRef(name).path;
  return path.includes('/') || path.includes('\\') || MODULE_EXTENSIONS.some((ext) => path.endsWith(ext));
}

/** `path#export@hash` → its parts (the path as written). */
export function splitRef(name: string): ModuleRef {
  const match = suffixPattern.exec(name);
  if (!match) return { path: name, exportName: 'default', hash: undefined };
  return { path: match[1] ?? '', exportName: match[2] ?? 'default', hash: match[3] };
}

export function formatRef(ref: ModuleRef & { hash: string }): string {
  return `${ref.path}#${ref.exportName}@${ref.hash}`;
}

/** The content hash a resolved name carries. */
export function hashSource(source: Buffer | string): string {
  return createHash('sha256').update(source).digest('hex').slice(0, HASH_DIGITS);
}

export function moduleError(message: string, hint: string): LabError {
  return new LabError(ErrorCodes.WORKLOAD_MODULE, message, { hint });
}

/**
 * What the user wrote (relative to baseDir: the current folder for a flag,
 * the suite's folder for a suite) → the resolved module: the file must
 * exist and be a JavaScript or TypeScript module. A name that already
 * carries a hash must still match the file (it changed since it was
 * resolved otherwise).
 */
export function resolveModuleRef(name: string, baseDir: string): ModuleRef & { hash: string } {
  const written = splitRef(name);
  const path = isAbsolute(written.path) ? written.path : resolve(baseDir, written.path);
  const exampleHint = `give the path of a .ts, .js or .mjs file, e.g. --workload ./task.ts (relative to ${baseDir})`;
  let source: Buffer;
  try {
    if (!statSync(path).isFile()) {
      throw moduleError(`workload module '${written.path}' is a folder (${path}), not a file`, exampleHint);
    }
    source = readFileSync(path);
  } catch (error) {
    if (error instanceof LabError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw moduleError(
      code === 'ENOENT'
        ? `workload module '${written.path}' not found: there is no file ${path}`
        : `workload module '${written.path}' cannot be read (${path}: ${code ?? String(error)})`,
      exampleHint,
    );
  }
  if (!MODULE_EXTENSIONS.some((ext) => path.endsWith(ext))) {
    throw moduleError(
      `workload module '${written.path}' is not a JavaScript or TypeScript module (found ${path}; allowed extensions: ${MODULE_EXTENSIONS.join(' ')})`,
      exampleHint,
    );
  }
  const hash = hashSource(source);
  if (written.hash !== undefined && written.hash !== hash) {
    throw moduleError(
      `workload module ${path} changed since it was resolved (content hash ${written.hash}, now ${hash})`,
      'measure it again from its path: a changed module is a different cell',
    );
  }
  return { path, exportName: written.exportName, hash };
}

/** A short name for tables and reports: `task.ts`, or `tasks.mjs#resize` for a named export. */
export function moduleLabel(name: string): string {
  const ref = splitRef(name);
  const file = basename(ref.path);
  return ref.exportName === 'default' ? file : `${file}#${ref.exportName}`;
}
