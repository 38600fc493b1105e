/**
 * Is a results store intact? Two layers, because SQLite sees only one:
 *
 * - structure: `PRAGMA quick_check` walks every page of every b-tree
 *   (page headers, cell bounds, overflow chains, free list). It catches any
 *   overwrite that touches a page header: a 4 KiB overwrite with random bytes,
 *   aligned or not, every time in bench/store-integrity.ts.
 * - content: SQLite keeps no checksums, so zeros written over the inside of
 *   a record's last overflow page leave a valid b-tree holding a broken
 *   record (about one 4 KiB zero-overwrite in five, measured). Every value
 *   conlab stores is JSON, so `json_valid` over those columns finds it.
 *
 * Together they caught every 4 KiB overwrite in the middle of a 20-run store
 * (random or zero bytes, page-aligned or not); `integrity_check` (which also
 * compares every index with its table) caught nothing more and costs about
 * 1.5× as much, so the open-for-writing check uses quick_check + json_valid,
 * and `conlab results check` the thorough integrity_check + json_valid.
 */
import type { DatabaseSync } from 'node:sqlite';

/** The JSON columns of each table, as the migrations create them. */
const JSON_COLUMNS: Record<string, string[]> = {
  runs: ['env_json', 'suite_json', 'cells_json', 'plan_json'],
  cells: ['record_json'],
  cell_parts: ['json'],
};
/** How each table names its rows in a problem line. */
const ROW_NAMES: Record<string, string> = {
  runs: 'run_id',
  cells: 'id',
  cell_parts: "cell_id || '/' || part",
};

export interface IntegrityReport {
  ok: boolean;
  /** What is wrong, one line each, b-tree numbers replaced by table and index names; at most the limit asked for. */
  problems: string[];
}

/** SQLITE_CORRUPT or SQLITE_NOTADB (primary codes 11 and 26, whatever the extended code): damage, not a usage problem. */
export function isCorruption(error: unknown): boolean {
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  return typeof errcode === 'number' && ((errcode & 0xff) === 11 || (errcode & 0xff) === 26);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Root page → table or index name, so "Tree 5 page 12" becomes "cells: page 12". */
function treeNames(db: DatabaseSync): Map<number, string> {
  const names = new Map<number, string>();
  try {
    for (const row of db.prepare('SELECT name, rootpage FROM sqlite_master WHERE rootpage > 0').iterate())
      names.set(Number(row.rootpage), String(row.name));
  } catch {
    // The schema itself is unreadable: the pragma's own lines will say so.
  }
  return names;
}

function pragmaLines(db: DatabaseSync, pragma: string, names: Map<number, string>): string[] {
  return db
    .prepare(`PRAGMA ${pragma}`)
    .all()
    .flatMap((row) => String(Object.values(row)[0]).split('\n'))
    .filter((line) => line !== 'ok' && !line.startsWith('*** in database'))
    .map((line) =>
      line.replace(/^Tree (\d+) /, (whole, root: string) => {
        const name = names.get(Number(root));
        return name === undefined ? whole : `${name} (tree ${root}): `;
      }),
    );
}

/**
 * The pragma's findings. Where damage stops the whole-file check, each table
 * is checked on its own (`PRAGMA quick_check(table)`), so the report still
 * says which tables are hurt and which are whole.
 */
function pragmaProblems(
  db: DatabaseSync,
  pragma: 'quick_check' | 'integrity_check',
  limit: number,
): string[] {
  const names = treeNames(db);
  try {
    return pragmaLines(db, `${pragma}(${limit})`, names);
  } catch (error) {
    if (!isCorruption(error)) throw error;
    let tables: string[] = [];
    try {
      tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all()
        .map((row) => String(row.name));
    } catch {
      // The schema itself is unreadable.
    }
    if (tables.length === 0) return [`the structure check stopped: ${message(error)}`];
    const problems: string[] = [];
    for (const table of tables) {
      try {
        problems.push(...pragmaLines(db, `${pragma}(${table})`, names));
      } catch (tableError) {
        if (!isCorruption(tableError)) throw tableError;
        problems.push(`${table}: the check stopped: ${message(tableError)}`);
      }
    }
    return problems.slice(0, limit);
  }
}

function existingColumns(db: DatabaseSync, table: string): string[] {
  const wanted = JSON_COLUMNS[table] ?? [];
  const present = new Set(
    db
      .prepare('SELECT name FROM pragma_table_info(?)')
      .all(table)
      .map((row) => String(row.name)),
  );
  return wanted.filter((column) => present.has(column));
}

/** Rows whose stored JSON is not valid JSON: content damage SQLite's own checks cannot see. */
function contentProblems(db: DatabaseSync, limit: number): string[] {
  const problems: string[] = [];
  for (const table of Object.keys(JSON_COLUMNS)) {
    if (problems.length >= limit) break;
    try {
      const columns = existingColumns(db, table);
      if (columns.length === 0) continue;
      const invalid = columns.map((column) => `NOT json_valid(${column})`).join(' OR ');
      const rows = db
        .prepare(`SELECT ${ROW_NAMES[table] ?? 'rowid'} AS name FROM ${table} WHERE ${invalid} LIMIT ?`)
        .all(limit - problems.length);
      for (const row of rows) problems.push(`${table} ${String(row.name)}: stored JSON is damaged`);
    } catch (error) {
      if (!isCorruption(error)) throw error;
      problems.push(`${table}: the content check stopped: ${message(error)}`);
    }
  }
  return problems;
}

/**
 * Structure then content. `thorough` uses integrity_check (for `results
 * check`), otherwise quick_check (on every open for writing). A check that
 * cannot even run (the schema page is unreadable) is a problem too.
 */
export function checkIntegrity(
  db: DatabaseSync,
  options: { thorough: boolean; limit?: number },
): IntegrityReport {
  const limit = options.limit ?? 20;
  const problems: string[] = [];
  // Only damage is a finding; anything else (the file vanished, a lock) is the caller's error.
  problems.push(...pragmaProblems(db, options.thorough ? 'integrity_check' : 'quick_check', limit));
  if (problems.length < limit) problems.push(...contentProblems(db, limit - problems.length));
  return { ok: problems.length === 0, problems };
}
