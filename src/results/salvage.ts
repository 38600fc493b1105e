/**
 * What can still be read from a damaged store, and a copy of it into a new
 * one. Damage makes SQLite fail on the pages it touches, so rows are read
 * one at a time by rowid: a row on a broken page is skipped and the walk
 * goes on past it (ever larger steps while it keeps failing, so a broken
 * subtree costs a bounded number of tries). A run or cell counts as
 * readable only when every JSON value it has parses.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { CellRecord } from './record.ts';

/** A `runs` row as stored, every column. */
export interface StoredRunRow {
  run_id: string;
  suite_name: string;
  /** Absent in a store from before schema 3 (runs.command), which held suite runs only. */
  command?: string;
  status: string;
  started_at: string;
  ended_at: string | null;
  env_json: string;
  suite_json: string;
  cells_json: string;
  plan_json: string;
  owner_pid: number | null;
  note: string | null;
}

export interface ReadableContent {
  /** Readable runs, in rowid order. */
  runs: StoredRunRow[];
  /** Complete cell records (row and every part that could be read parse) of readable runs, in id order. */
  cells: { runId: string; record: CellRecord }[];
  /** Cell repetitions the store says it holds (its id counter), or null when that is unreadable. */
  cellsKnown: number | null;
  /** Runs and cells found but damaged (unparsable JSON, or a cell of an unreadable run). */
  damagedRuns: number;
  damagedCells: number;
  /** Tables in which some rows could not be reached at all (a broken page). */
  tablesWithGaps: string[];
}

/** Consecutive failed reads after which the rest of a table is given up. */
const MAX_FAILED_READS = 48;
const MAX_STEP = 1 << 20;

type Row = Record<string, unknown>;

/** Calls `visit` for every row that can be read, in rowid order; returns false when some rows could not be. */
function walkRows(db: DatabaseSync, table: string, columns: string, visit: (row: Row) => void): boolean {
  let next;
  try {
    next = db.prepare(`SELECT rowid AS rid, ${columns} FROM ${table} WHERE rowid > ? ORDER BY rowid LIMIT 1`);
  } catch {
    return false;
  }
  let after = 0;
  let step = 1;
  let failures = 0;
  let complete = true;
  for (;;) {
    let row: Row | undefined;
    try {
      row = next.get(after);
    } catch {
      complete = false;
      if (++failures > MAX_FAILED_READS) break;
      after += step;
      step = Math.min(step * 2, MAX_STEP);
      continue;
    }
    if (row === undefined) break;
    failures = 0;
    step = 1;
    after = Number(row.rid);
    visit(row);
  }
  return complete;
}

/** Whether `table` has `column` (stores from before a migration lack it); false when the schema cannot be read. */
function hasColumn(db: DatabaseSync, table: string, column: string): boolean {
  try {
    db.prepare(`SELECT ${column} FROM ${table} LIMIT 0`);
    return true;
  } catch {
    return false;
  }
}

function parses(...texts: unknown[]): boolean {
  try {
    for (const text of texts) JSON.parse(String(text));
    return true;
  } catch {
    return false;
  }
}

function knownCellCount(db: DatabaseSync): number | null {
  try {
    const row = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'cells'").get();
    return row === undefined ? 0 : Number(row.seq);
  } catch {
    return null;
  }
}

/**
 * When some cell_parts rows were unreachable, a cell may come back without
 * its timeline or histogram. The table's primary-key index is a separate
 * b-tree that lists every (cell, part): a cell is complete when all the parts
 * it lists were read. Where the index cannot say either, the cell is not
 * trusted (counted lost rather than salvaged half).
 */
function partsConfirmer(
  db: DatabaseSync,
  read: Map<number, [string, unknown][]>,
): (cellId: number) => boolean {
  let listed: ReturnType<DatabaseSync['prepare']>;
  try {
    listed = db.prepare(
      'SELECT count(*) AS n FROM cell_parts INDEXED BY sqlite_autoindex_cell_parts_1 WHERE cell_id = ?',
    );
  } catch {
    return () => false;
  }
  return (cellId) => {
    try {
      return Number(listed.get(cellId)?.n) === (read.get(cellId)?.length ?? 0);
    } catch {
      return false;
    }
  };
}

/** Everything readable in the store, with counts of what is not. */
export function readReadable(db: DatabaseSync): ReadableContent {
  const gaps: string[] = [];
  const runs: StoredRunRow[] = [];
  let damagedRuns = 0;
  const runColumns = `run_id, suite_name, ${hasColumn(db, 'runs', 'command') ? 'command, ' : ''}status, started_at, ended_at, env_json, suite_json, cells_json, plan_json, owner_pid, note`;
  const runsComplete = walkRows(db, 'runs', runColumns, (row) => {
    if (!parses(row.env_json, row.suite_json, row.cells_json, row.plan_json)) {
      damagedRuns++;
      return;
    }
    const { rid: _rid, ...stored } = row;
    runs.push(stored as unknown as StoredRunRow);
  });
  if (!runsComplete) gaps.push('runs');

  const parts = new Map<number, [string, unknown][]>();
  const damagedParts = new Set<number>();
  if (
    !walkRows(db, 'cell_parts', 'cell_id, part, json', (row) => {
      const cellId = Number(row.cell_id);
      try {
        const value = JSON.parse(String(row.json)) as unknown;
        const list = parts.get(cellId) ?? [];
        list.push([String(row.part), value]);
        parts.set(cellId, list);
      } catch {
        damagedParts.add(cellId);
      }
    })
  )
    gaps.push('cell_parts');

  const partsComplete = gaps.includes('cell_parts') ? partsConfirmer(db, parts) : () => true;
  const readableRuns = new Set(runs.map((run) => run.run_id));
  const cells: ReadableContent['cells'] = [];
  let damagedCells = 0;
  if (
    !walkRows(db, 'cells', 'id, run_id, record_json', (row) => {
      const cellId = Number(row.id);
      const runId = String(row.run_id);
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(String(row.record_json)) as Record<string, unknown>;
      } catch {
        damagedCells++;
        return;
      }
      if (damagedParts.has(cellId) || !readableRuns.has(runId) || !partsComplete(cellId)) {
        damagedCells++;
        return;
      }
      for (const [part, value] of parts.get(cellId) ?? []) record[part] = value;
      // Store schema 3's rule (migrations.ts): a version-1 record is a valid version-2 one.
      if (record.schemaVersion === 1) record.schemaVersion = 2;
      cells.push({ runId, record: record as unknown as CellRecord });
    })
  )
    gaps.push('cells');

  return {
    runs,
    cells,
    cellsKnown: knownCellCount(db),
    damagedRuns,
    damagedCells,
    tablesWithGaps: gaps,
  };
}

/** "19 runs and 1881 of 1980 cell repetitions can be read (lost: …)" — the sentence for errors and `results check`. */
export function describeReadable(content: ReadableContent): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const cells =
    content.cellsKnown === null
      ? plural(content.cells.length, 'cell repetition')
      : `${content.cells.length} of ${plural(content.cellsKnown, 'cell repetition')}`;
  const lost = [
    content.damagedRuns > 0 ? plural(content.damagedRuns, 'damaged run') : '',
    content.damagedCells > 0
      ? `${plural(content.damagedCells, 'cell repetition')} damaged or of a damaged run`
      : '',
    content.tablesWithGaps.length > 0 ? `unreachable rows in ${content.tablesWithGaps.join(', ')}` : '',
  ].filter((text) => text !== '');
  return `${plural(content.runs.length, 'run')} and ${cells} can be read${lost.length > 0 ? ` (lost: ${lost.join('; ')})` : ''}`;
}
