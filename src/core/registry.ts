/**
 * A registry: the one list of things conlab has several of and looks up by
 * name (batch models, server architectures). Every list of names, default,
 * help text and test matrix is derived from a registry, so adding an entry is
 * one definition file and one line in its registry's list.
 *
 * Entries beyond the built-in ones (a test's fixture model, a user's own
 * architecture) are added by a module that calls the registry's register
 * function when imported. A fresh process (a subject) does not see what its
 * parent registered, so such modules are named in CONLAB_REGISTRY_MODULES
 * (paths separated like PATH): the CLI and every subject that looks up a
 * registry import them first (loadRegistryModules), and since subjects
 * inherit the driver's environment, an addition reaches every process of a
 * run.
 */
import { delimiter, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCodes, LabError, unknownName, type ErrorCode } from './errors.ts';

export class Registry<T extends { name: string }> {
  /** What an entry is called in messages ("model", "architecture"). */
  readonly what: string;
  private readonly unknownCode: ErrorCode;
  private readonly check: (entry: T) => void;
  private readonly entries = new Map<string, T>();

  /** check throws (a LabError) for a definition that contradicts itself; built-ins go through it too. */
  constructor(
    what: string,
    unknownCode: ErrorCode,
    builtins: readonly T[],
    check: (entry: T) => void = () => {},
  ) {
    this.what = what;
    this.unknownCode = unknownCode;
    this.check = check;
    for (const entry of builtins) this.register(entry);
  }

  /** Adds an entry after the built-in ones; a name already taken is refused (two meanings for one name would corrupt results). */
  register(entry: T): T {
    this.check(entry);
    if (this.entries.has(entry.name)) {
      throw new LabError(ErrorCodes.USAGE, `${this.what} '${entry.name}' is registered twice`, {
        hint: `give the new ${this.what} a name of its own`,
      });
    }
    this.entries.set(entry.name, entry);
    return entry;
  }

  /** The entry, or LAB_E_UNKNOWN_* listing the names there are (with a suggestion for a typo). */
  get(name: string): T {
    const entry = this.entries.get(name);
    if (!entry) throw unknownName(this.unknownCode, this.what, name, this.names());
    return entry;
  }

  /** The entry, or undefined (for stored records that may name an entry this build lacks). */
  find(name: string): T | undefined {
    return this.entries.get(name);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Names in registration order (built-ins first, in their list's order). */
  names(): string[] {
    return [...this.entries.keys()];
  }

  all(): T[] {
    return [...this.entries.values()];
  }
}

/** Environment variable naming extra registry modules, separated like PATH (`:` on Linux). */
export const REGISTRY_MODULES_ENV = 'CONLAB_REGISTRY_MODULES';

const loaded = new Set<string>();

/**
 * Imports every module named in CONLAB_REGISTRY_MODULES (each registers its
 * entries as a side effect), once per process. Relative paths are taken from
 * the current directory.
 */
export async function loadRegistryModules(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const paths = (env[REGISTRY_MODULES_ENV] ?? '').split(delimiter).filter((path) => path.trim() !== '');
  for (const path of paths) {
    const url = pathToFileURL(resolve(path.trim())).href;
    if (loaded.has(url)) continue;
    loaded.add(url);
    try {
      await import(url);
    } catch (error) {
      throw new LabError(
        ErrorCodes.BAD_PARAM,
        `${REGISTRY_MODULES_ENV} names '${path}', which could not be imported (${error instanceof Error ? error.message : String(error)})`,
        { hint: `fix the module or remove it from ${REGISTRY_MODULES_ENV}`, cause: error },
      );
    }
  }
}

/**
 * For help texts: names grouped by their default, e.g.
 * "threads, processes, hybrid: default 1; async: default 8".
 */
export function defaultsHelp(entries: readonly { name: string; default: string | number }[]): string {
  const byDefault = new Map<string, string[]>();
  for (const entry of entries) {
    const key = String(entry.default);
    byDefault.set(key, [...(byDefault.get(key) ?? []), entry.name]);
  }
  return [...byDefault].map(([value, names]) => `${names.join(', ')}: default ${value}`).join('; ');
}
