/**
 * `conlab results check`: the thorough check of one store file, opened
 * read-only and never migrated, so checking cannot change what it checks;
 * and the salvage of a damaged store into a new file (the damaged one is
 * never written to, repaired in place or deleted).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { ErrorCodes, LabError } from '../core/errors.ts';
import { checkIntegrity } from './integrity.ts';
import { readReadable, type ReadableContent } from './salvage.ts';
import { openStore } from './store.ts';
import { hasSqliteHeader, openSqlite, prepareStorePath } from './store-path.ts';

export interface StoreCheck {
  path: string;
  ok: boolean;
  /** What is wrong, one line each (tables and indexes named); empty when intact. */
  problems: string[];
  content: ReadableContent;
}

function openForCheck(path: string): DatabaseSync {
  const fullPath = resolve(path);
  const { writable } = prepareStorePath(path, fullPath, { create: false, write: false });
  if (!hasSqliteHeader(path, fullPath)) {
    throw new LabError(ErrorCodes.STORE, `'${path}' is not an SQLite database, so not a results store`, {
      hint: 'give the store file with --store PATH (default conlab-results/results.db)',
    });
  }
  try {
    return openSqlite(fullPath, { readOnly: true, writable });
  } catch (error) {
    throw new LabError(
      ErrorCodes.STORE_DAMAGED,
      `results store '${path}' cannot be opened: ${error instanceof Error ? error.message : String(error)}`,
      { hint: 'nothing in it can be read by conlab', cause: error },
    );
  }
}

/** Structure (integrity_check), content (json_valid) and an inventory of what can be read. */
export function checkStoreFile(path: string, limit = 20): StoreCheck {
  const db = openForCheck(path);
  try {
    const report = checkIntegrity(db, { thorough: true, limit });
    return { path, ok: report.ok, problems: report.problems, content: readReadable(db) };
  } finally {
    db.close();
  }
}

/**
 * Copies every readable run and cell of the store at `path` into a new
 * store at `outPath` (which must not exist). Cells keep their order; the
 * metrics table is rebuilt from the records.
 */
export function salvageStore(
  path: string,
  outPath: string,
): { runs: number; cells: number; refused: string[] } {
  if (existsSync(outPath)) {
    throw new LabError(ErrorCodes.STORE, `'${outPath}' already exists; the salvage writes a new store only`, {
      hint: 'give --salvage a path that does not exist yet',
    });
  }
  const db = openForCheck(path);
  let content: ReadableContent;
  try {
    content = readReadable(db);
  } finally {
    db.close();
  }
  const out = openStore(outPath);
  let cells = 0;
  const refused: string[] = [];
  try {
    for (const run of content.runs) out.importRun(run);
    for (const cell of content.cells) {
      try {
        out.addCell(cell.runId, cell.record);
        cells++;
      } catch (error) {
        // A record that parses but does not fit the store (e.g. a damaged index let a duplicate in).
        refused.push(
          `${cell.runId} ${cell.record.cellKey}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  } finally {
    out.close();
  }
  return { runs: content.runs.length, cells, refused };
}
