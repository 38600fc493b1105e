/**
 * The store's schema, as an ordered list of migrations. A store records the
 * version it is at; opening it applies the missing steps in one transaction.
 * A store at a newer version than this code knows is refused, never
 * touched: an older conlab must not rewrite a newer one's data.
 */
import type { DatabaseSync } from 'node:sqlite';
import { numericMetrics } from './flatten.ts';
import type { CellRecord } from './record.ts';

export interface Migration {
  version: number;
  description: string;
  apply(db: DatabaseSync): void;
}

export const migrations: Migration[] = [
  {
    version: 1,
    description: 'runs, cells (one row per cell repetition) and their large parts',
    apply(db) {
      db.exec(`
        CREATE TABLE runs (
          run_id TEXT PRIMARY KEY,
          suite_name TEXT NOT NULL,
          status TEXT NOT NULL,
          started_at TEXT NOT NULL,
          ended_at TEXT,
          env_json TEXT NOT NULL,
          suite_json TEXT NOT NULL,
          -- The expanded cells and the order of their repetitions, so --resume runs exactly what was planned.
          cells_json TEXT NOT NULL,
          plan_json TEXT NOT NULL,
          owner_pid INTEGER,
          -- Why a run stopped early (Ctrl-C, time budget), for humans.
          note TEXT
        );
        CREATE TABLE cells (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          run_id TEXT NOT NULL REFERENCES runs(run_id),
          cell_key TEXT NOT NULL,
          repetition INTEGER NOT NULL,
          kind TEXT NOT NULL,
          status TEXT NOT NULL,
          runtime TEXT NOT NULL,
          started_at TEXT NOT NULL,
          record_json TEXT NOT NULL,
          UNIQUE (run_id, cell_key, repetition)
        );
        CREATE INDEX cells_by_key ON cells (cell_key);
        -- Histograms and timelines are large; kept apart so listing and comparing never read them.
        CREATE TABLE cell_parts (
          cell_id INTEGER NOT NULL REFERENCES cells(id),
          part TEXT NOT NULL,
          json TEXT NOT NULL,
          PRIMARY KEY (cell_id, part)
        );
      `);
    },
  },
  {
    version: 2,
    description: 'metrics: one row per numeric field of a cell, for SQL queries across runs',
    apply(db) {
      db.exec(`
        CREATE TABLE metrics (
          cell_id INTEGER NOT NULL REFERENCES cells(id),
          name TEXT NOT NULL,
          value REAL NOT NULL,
          PRIMARY KEY (cell_id, name)
        );
        CREATE INDEX metrics_by_name ON metrics (name);
      `);
      const insert = db.prepare('INSERT INTO metrics (cell_id, name, value) VALUES (?, ?, ?)');
      for (const row of db.prepare('SELECT id, record_json FROM cells').iterate()) {
        const record = JSON.parse(String(row.record_json)) as CellRecord;
        for (const [name, value] of numericMetrics(record)) insert.run(Number(row.id), name, value);
      }
    },
  },
  {
    version: 3,
    description:
      'runs.command (which command made the run: only suite runs resume) and record schema 2 (the pipeline cell kind)',
    apply(db) {
      // Every run before this version came from `conlab run`: no other command stored anything.
      db.exec(`ALTER TABLE runs ADD COLUMN command TEXT NOT NULL DEFAULT 'run'`);
      // Record schema 2 only adds a kind, so a version-1 record is a valid version-2 one: say so in the record.
      db.exec(
        `UPDATE cells SET record_json = json_set(record_json, '$.schemaVersion', 2)
         WHERE json_extract(record_json, '$.schemaVersion') = 1`,
      );
    },
  },
];

export const STORE_SCHEMA_VERSION = migrations.at(-1)?.version ?? 0;
