/**
 * The results store: one SQLite file (node:sqlite, present in Node 24, Bun
 * and Deno), by default ./conlab-results/results.db. Each cell repetition is
 * written in its own transaction the moment it ends (WAL journal,
 * synchronous = FULL), so killing a run loses at most the cell in flight.
 * WAL mode lets a report read while a run writes. A store is checked before
 * anything is written into it (integrity.ts); a damaged one is refused with
 * what can still be read, and damage met while reading is named as such.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { ErrorCodes, LabError } from '../core/errors.ts';
import { numericMetrics } from './flatten.ts';
import { checkIntegrity, isCorruption } from './integrity.ts';
import { STORE_SCHEMA_VERSION, migrations } from './migrations.ts';
import type { CellRecord, EnvironmentInfo, RunCommand, RunData, RunInfo } from './record.ts';
import { describeReadable, readReadable, type StoredRunRow } from './salvage.ts';
import { hasSqliteHeader, openSqlite, prepareStorePath } from './store-path.ts';

export const DEFAULT_STORE_PATH = 'conlab-results/results.db';

export interface PlannedStep {
  cellKey: string;
  repetition: number;
}

export interface RunSummary {
  runId: string;
  suiteName: string;
  command: RunCommand;
  status: RunInfo['status'];
  startedAt: string;
  endedAt: string | null;
  /** Cell repetitions stored / planned, and how many of the stored ones failed. */
  storedCells: number;
  plannedCells: number;
  failedCells: number;
  /** PID of the process running it (status running), else null. */
  ownerPid: number | null;
}

export interface NewRun {
  suiteName: string;
  /** What makes the run; default `run` (a suite, the only kind --resume continues). */
  command?: RunCommand;
  env: EnvironmentInfo;
  suite: unknown;
  /** The expanded cells (suite side: CellPlan[]), kept for --resume. */
  cells: readonly unknown[];
  plan: readonly PlannedStep[];
}

/** Parts of a record kept in cell_parts rather than in record_json. */
const largeParts = ['monitor', 'histogram', 'timeline', 'progress'] as const;

function storeError(path: string, what: string, cause?: unknown): LabError {
  return new LabError(ErrorCodes.STORE, `results store '${path}' ${what}`, {
    hint: 'move the file aside (it is never overwritten) or give another one with --store PATH',
    cause,
  });
}

export const CHECK_HINT = (path: string): string =>
  `'conlab results check --store ${path}' names the damage and what can still be read; add --salvage NEW.db to copy that into a new store`;

/** Damage met while reading or writing: a broken page (SQLite) or a stored value that no longer parses (JSON). */
function damagedError(path: string, cause: unknown): LabError {
  const detail =
    cause instanceof SyntaxError
      ? `a stored record is not valid JSON (${cause.message})`
      : cause instanceof Error
        ? cause.message
        : String(cause);
  return new LabError(ErrorCodes.STORE_DAMAGED, `results store '${path}' is damaged: ${detail}`, {
    hint: CHECK_HINT(path),
    cause,
  });
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

export class ResultStore {
  readonly path: string;
  private readonly db: DatabaseSync;

  /** Use openStore(). */
  constructor(path: string, db: DatabaseSync) {
    this.path = path;
    this.db = db;
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  /** Runs one store operation; damage it meets becomes LAB_E_STORE_DAMAGED naming this file, never "a bug in conlab". */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (isCorruption(error) || error instanceof SyntaxError) throw damagedError(this.path, error);
      throw error;
    }
  }

  private transaction<T>(fn: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Short, typable, sortable: YYMMDD-HHMM plus a letter that makes it unique (`261126-1512a`). */
  private newRunId(now: Date): string {
    const stem = `${String(now.getUTCFullYear()).slice(2)}${pad2(now.getUTCMonth() + 1)}${pad2(now.getUTCDate())}-${pad2(now.getUTCHours())}${pad2(now.getUTCMinutes())}`;
    const taken = new Set(
      this.db
        .prepare('SELECT run_id FROM runs WHERE run_id LIKE ?')
        .all(`${stem}%`)
        .map((row) => String(row.run_id)),
    );
    for (let i = 0; ; i++) {
      // a..z, then aa, ab, ...
      let suffix = '';
      let n = i;
      do {
        suffix = String.fromCharCode(97 + (n % 26)) + suffix;
        n = Math.floor(n / 26) - 1;
      } while (n >= 0);
      if (!taken.has(stem + suffix)) return stem + suffix;
    }
  }

  createRun(run: NewRun): string {
    return this.guard(() => {
      const now = new Date();
      return this.transaction(() => {
        const runId = this.newRunId(now);
        this.db
          .prepare(
            `INSERT INTO runs (run_id, suite_name, command, status, started_at, ended_at, env_json, suite_json, cells_json, plan_json, owner_pid)
             VALUES (?, ?, ?, 'running', ?, NULL, ?, ?, ?, ?, ?)`,
          )
          .run(
            runId,
            run.suiteName,
            run.command ?? 'run',
            now.toISOString(),
            JSON.stringify(run.env),
            JSON.stringify(run.suite),
            JSON.stringify(run.cells),
            JSON.stringify(run.plan),
            process.pid,
          );
        return runId;
      });
    });
  }

  /** Copies a run row as another store held it (salvage: `conlab results check --salvage`). */
  importRun(row: StoredRunRow): void {
    return this.guard(() => {
      this.db
        .prepare(
          `INSERT INTO runs (run_id, suite_name, command, status, started_at, ended_at, env_json, suite_json, cells_json, plan_json, owner_pid, note)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          row.run_id,
          row.suite_name,
          // A store from before runs.command (schema 3) held suite runs only.
          row.command ?? 'run',
          row.status,
          row.started_at,
          row.ended_at,
          row.env_json,
          row.suite_json,
          row.cells_json,
          row.plan_json,
          row.owner_pid,
          row.note,
        );
    });
  }

  /** Stores one cell repetition (record.repetitions = [r]) in one transaction. */
  addCell(runId: string, record: CellRecord): void {
    return this.guard(() => {
      const repetition = record.repetitions[0];
      if (record.repetitions.length !== 1 || repetition === undefined) {
        throw new Error(`addCell takes one repetition per record, got [${record.repetitions.join(', ')}]`);
      }
      const slim: Record<string, unknown> = { ...record };
      const parts: [string, unknown][] = [];
      for (const part of largeParts) {
        if (slim[part] !== undefined) parts.push([part, slim[part]]);
        delete slim[part];
      }
      this.transaction(() => {
        const result = this.db
          .prepare(
            `INSERT INTO cells (run_id, cell_key, repetition, kind, status, runtime, started_at, record_json)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            runId,
            record.cellKey,
            repetition,
            record.kind,
            record.status,
            record.runtime,
            record.startedAt,
            JSON.stringify(slim),
          );
        const cellId = Number(result.lastInsertRowid);
        const insertPart = this.db.prepare('INSERT INTO cell_parts (cell_id, part, json) VALUES (?, ?, ?)');
        for (const [part, value] of parts) insertPart.run(cellId, part, JSON.stringify(value));
        const insertMetric = this.db.prepare('INSERT INTO metrics (cell_id, name, value) VALUES (?, ?, ?)');
        for (const [name, value] of numericMetrics(record)) insertMetric.run(cellId, name, value);
      });
    });
  }

  /** Adds cells and steps to a run's plan: a run whose next steps depend on what it measured (a capacity search). */
  extendPlan(runId: string, cells: readonly unknown[], steps: readonly PlannedStep[]): void {
    this.transaction(() => {
      const row = this.db.prepare('SELECT cells_json, plan_json FROM runs WHERE run_id = ?').get(runId);
      if (!row) throw new LabError(ErrorCodes.NOT_FOUND, `no run '${runId}' in ${this.path}`);
      const allCells = [...(JSON.parse(String(row.cells_json)) as unknown[]), ...cells];
      const plan = [...(JSON.parse(String(row.plan_json)) as PlannedStep[]), ...steps];
      this.db
        .prepare('UPDATE runs SET cells_json = ?, plan_json = ? WHERE run_id = ?')
        .run(JSON.stringify(allCells), JSON.stringify(plan), runId);
    });
  }

  /** Sets a run's status; `running` (on resume) makes this process its owner again. */
  markRun(runId: string, status: RunInfo['status'], note: string | null = null): void {
    return this.guard(() => {
      const running = status === 'running';
      this.db
        .prepare('UPDATE runs SET status = ?, ended_at = ?, owner_pid = ?, note = ? WHERE run_id = ?')
        .run(status, running ? null : new Date().toISOString(), running ? process.pid : null, note, runId);
    });
  }

  listRuns(): RunSummary[] {
    return this.guard(() => {
      return this.db
        .prepare(
          `SELECT r.run_id, r.suite_name, r.command, r.status, r.started_at, r.ended_at, r.plan_json, r.owner_pid,
                  COUNT(c.id) AS stored, COALESCE(SUM(c.status = 'failed'), 0) AS failed
           FROM runs r LEFT JOIN cells c ON c.run_id = r.run_id
           GROUP BY r.run_id ORDER BY r.started_at, r.run_id`,
        )
        .all()
        .map((row) => ({
          runId: String(row.run_id),
          suiteName: String(row.suite_name),
          command: String(row.command) as RunCommand,
          status: String(row.status) as RunInfo['status'],
          startedAt: String(row.started_at),
          endedAt: row.ended_at === null ? null : String(row.ended_at),
          storedCells: Number(row.stored),
          plannedCells: (JSON.parse(String(row.plan_json)) as unknown[]).length,
          failedCells: Number(row.failed),
          ownerPid: row.owner_pid === null ? null : Number(row.owner_pid),
        }));
    });
  }

  latestRunId(): string | null {
    return this.guard(() => {
      const row = this.db
        .prepare('SELECT run_id FROM runs ORDER BY started_at DESC, run_id DESC LIMIT 1')
        .get();
      return row ? String(row.run_id) : null;
    });
  }

  /**
   * A run reference as users type it: an exact id, `latest`, `latest~N`
   * (N runs before the latest) or a unique prefix of an id.
   */
  resolveRunId(ref: string): string {
    return this.guard(() => {
      const ids = this.db
        .prepare('SELECT run_id FROM runs ORDER BY started_at DESC, run_id DESC')
        .all()
        .map((row) => String(row.run_id));
      const back = /^latest(?:~(\d+))?$/.exec(ref);
      let found: string | undefined;
      if (back) found = ids[Number(back[1] ?? 0)];
      else if (ids.includes(ref)) found = ref;
      else {
        const matches = ids.filter((id) => id.startsWith(ref));
        if (matches.length > 1) {
          throw new LabError(
            ErrorCodes.NOT_FOUND,
            `run '${ref}' is ambiguous: ${matches.slice(0, 5).join(', ')}`,
            {
              hint: 'type more of the run id',
            },
          );
        }
        found = matches[0];
      }
      if (found === undefined) {
        throw new LabError(ErrorCodes.NOT_FOUND, `no run '${ref}' in ${this.path}`, {
          hint:
            ids.length === 0
              ? "the store is empty: run 'conlab run' first"
              : `'conlab results list' shows the runs (latest: ${ids[0]})`,
        });
      }
      return found;
    });
  }

  runInfo(
    runId: string,
  ): RunInfo & { cells: unknown[]; plan: PlannedStep[]; ownerPid: number | null; note: string | null } {
    return this.guard(() => {
      const row = this.db.prepare('SELECT * FROM runs WHERE run_id = ?').get(runId);
      if (!row) throw new LabError(ErrorCodes.NOT_FOUND, `no run '${runId}' in ${this.path}`);
      return {
        runId: String(row.run_id),
        suiteName: String(row.suite_name),
        command: String(row.command) as RunCommand,
        status: String(row.status) as RunInfo['status'],
        startedAt: String(row.started_at),
        endedAt: row.ended_at === null ? null : String(row.ended_at),
        env: JSON.parse(String(row.env_json)) as EnvironmentInfo,
        suite: JSON.parse(String(row.suite_json)) as unknown,
        cells: JSON.parse(String(row.cells_json)) as unknown[],
        plan: JSON.parse(String(row.plan_json)) as PlannedStep[],
        ownerPid: row.owner_pid === null ? null : Number(row.owner_pid),
        note: row.note === null ? null : String(row.note),
      };
    });
  }

  /** Cell records of a run in the order they were measured; `withParts: false` skips timelines and histograms. */
  loadCells(runId: string, options: { withParts?: boolean } = {}): CellRecord[] {
    return this.guard(() => {
      const withParts = options.withParts ?? true;
      const parts = this.db.prepare('SELECT part, json FROM cell_parts WHERE cell_id = ?');
      return this.db
        .prepare('SELECT id, record_json FROM cells WHERE run_id = ? ORDER BY id')
        .all(runId)
        .map((row) => {
          const record = JSON.parse(String(row.record_json)) as Record<string, unknown>;
          if (withParts) {
            for (const part of parts.all(Number(row.id)))
              record[String(part.part)] = JSON.parse(String(part.json));
          }
          return record as unknown as CellRecord;
        });
    });
  }

  /** A run with every stored cell record; `ref` is an id, a unique prefix, `latest` or `latest~N`. */
  loadRun(ref: string): RunData {
    const runId = this.resolveRunId(ref);
    const { cells: _cells, plan: _plan, ownerPid: _ownerPid, note: _note, ...run } = this.runInfo(runId);
    return { run, cells: this.loadCells(runId) };
  }

  /** `cellKey#repetition` of every stored repetition of a run. */
  storedSteps(runId: string): Set<string> {
    return this.guard(() => {
      return new Set(
        this.db
          .prepare('SELECT cell_key, repetition FROM cells WHERE run_id = ?')
          .all(runId)
          .map((row) => `${String(row.cell_key)}#${Number(row.repetition)}`),
      );
    });
  }

  /** The latest ok record of every cellKey in the store (without timelines), for duration estimates. */
  lastOkRecords(): Map<string, CellRecord> {
    return this.guard(() => {
      const latest = new Map<string, CellRecord>();
      for (const row of this.db
        .prepare("SELECT cell_key, record_json FROM cells WHERE status = 'ok' ORDER BY id")
        .iterate()) {
        latest.set(String(row.cell_key), JSON.parse(String(row.record_json)) as CellRecord);
      }
      return latest;
    });
  }

  /** The most recent suite run that is not complete (running with a dead owner, or interrupted); presets and pipelines are not resumable. */
  lastUnfinishedRunId(): string | null {
    return this.guard(() => {
      const row = this.db
        .prepare(
          `SELECT run_id FROM runs WHERE status != 'complete' AND command = 'run' ORDER BY started_at DESC, run_id DESC LIMIT 1`,
        )
        .get();
      return row ? String(row.run_id) : null;
    });
  }
}

function readVersion(db: DatabaseSync, path: string): number {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
    .all()
    .map((row) => String(row.name));
  if (tables.length === 0) return 0;
  if (!tables.includes('schema_version')) {
    throw storeError(
      path,
      `is an SQLite database but not a conlab results store (tables: ${tables.join(', ')})`,
    );
  }
  const row = db.prepare('SELECT version FROM schema_version').get();
  const version = Number(row?.version);
  if (!Number.isSafeInteger(version) || version < 1) throw storeError(path, 'has no valid schema version');
  return version;
}

function newerVersionError(path: string, version: number): LabError {
  return new LabError(
    ErrorCodes.STORE_VERSION,
    `results store '${path}' has schema version ${version}; this conlab knows up to ${STORE_SCHEMA_VERSION}`,
    {
      hint: 'use the newer conlab that wrote it, or give another store with --store PATH (this one is left untouched)',
    },
  );
}

/** A store that cannot be migrated (read-only media) must already be at this conlab's version. */
function requireCurrentVersion(db: DatabaseSync, path: string): void {
  const version = readVersion(db, path);
  if (version > STORE_SCHEMA_VERSION) throw newerVersionError(path, version);
  if (version < STORE_SCHEMA_VERSION) {
    throw storeError(
      path,
      `is at schema version ${version} and needs an upgrade to ${STORE_SCHEMA_VERSION}, which its read-only file system does not allow`,
    );
  }
}

function migrate(db: DatabaseSync, path: string): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    // Read the version inside the write lock: two conlab processes opening a new store must not both migrate it.
    const current = readVersion(db, path);
    if (current > STORE_SCHEMA_VERSION) throw newerVersionError(path, current);
    if (current === 0) db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
    for (const migration of migrations) {
      if (migration.version > current) migration.apply(db);
    }
    if (current === 0)
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(STORE_SCHEMA_VERSION);
    else if (current < STORE_SCHEMA_VERSION)
      db.prepare('UPDATE schema_version SET version = ?').run(STORE_SCHEMA_VERSION);
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

/**
 * Refuses to write into a damaged store: checked (integrity.ts) before
 * anything is written, so one broken page cannot spread into the records
 * written after it. The error says what is still readable.
 */
function refuseIfDamaged(db: DatabaseSync, path: string): void {
  const report = checkIntegrity(db, { thorough: false, limit: 5 });
  if (report.ok) return;
  const readable = describeReadable(readReadable(db));
  const more = report.problems.length > 1 ? ` (+${report.problems.length - 1} more)` : '';
  throw new LabError(
    ErrorCodes.STORE_DAMAGED,
    `results store '${path}' is damaged (${report.problems[0] ?? 'unknown damage'}${more}) → conlab writes nothing into a damaged store; ${readable}`,
    { hint: CHECK_HINT(path) },
  );
}

export interface OpenStoreOptions {
  /** Create the file (and its folder) when missing, and write into it; false for read-only commands. Default true. */
  create?: boolean;
  /** Apply only migrations up to this version (tests build old stores with it). */
  upToVersion?: number;
}

/**
 * Opens (creating or migrating as needed) the results store at `path`
 * (default ./conlab-results/results.db). For writing (the default) an
 * existing store is checked for damage first and refused if damaged.
 */
export function openStore(path: string = DEFAULT_STORE_PATH, options: OpenStoreOptions = {}): ResultStore {
  const fullPath = resolve(path);
  const write = options.create !== false;
  const { existing, writable } = prepareStorePath(path, fullPath, { create: write, write });
  // Check the header ourselves: SQLite would otherwise accept some non-database files lazily.
  if (existing && !hasSqliteHeader(path, fullPath))
    throw storeError(path, 'is not an SQLite database (corrupt or another file)');
  let db: DatabaseSync;
  try {
    db = openSqlite(fullPath, { readOnly: !writable, writable });
    db.exec('PRAGMA busy_timeout = 10000');
  } catch (error) {
    throw storeError(
      path,
      `cannot be opened: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  }
  try {
    if (!writable) {
      // Read-only media (readers only; writers were refused above): read as is, never migrate.
      requireCurrentVersion(db, path);
      return new ResultStore(path, db);
    }
    if (write && existing && statSync(fullPath).size > 0) {
      // Checked through a read-only connection: closing it never checkpoints a pending WAL into
      // a damaged file, so a refused store is left exactly as it was found.
      const probe = openSqlite(fullPath, { readOnly: true, writable });
      try {
        refuseIfDamaged(probe, path);
      } finally {
        probe.close();
      }
    }
    // WAL: a commit appends to the -wal file and is atomic; a reader never sees half of it.
    db.exec('PRAGMA journal_mode = WAL');
    // FULL: the WAL is fsynced at every commit, so a committed cell survives power loss too (NORMAL
    // would survive a killed process but not a crash of the machine). Set here, not left to the build.
    db.exec('PRAGMA synchronous = FULL');
    db.exec('PRAGMA foreign_keys = ON');
    if (options.upToVersion !== undefined) migrateTo(db, options.upToVersion);
    else migrate(db, path);
  } catch (error) {
    db.close();
    if (error instanceof LabError) throw error;
    if (isCorruption(error)) throw damagedError(path, error);
    throw storeError(
      path,
      `cannot be used: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  }
  return new ResultStore(path, db);
}

/** Test support: a store at an older schema version, as an older conlab would have left it. */
function migrateTo(db: DatabaseSync, version: number): void {
  db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
  for (const migration of migrations) if (migration.version <= version) migration.apply(db);
  db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(version);
}
