/**
 * io.sqlite: key-value reads from the PROTOCOL.md §2 table
 * `kv(key TEXT PRIMARY KEY, val TEXT)` with keys k0000..k0999, through
 * node:sqlite (present in Node 24, Bun and Deno). openKvDb is shared with the
 * server lab's `POST /score {"mode":"io"}`. node:sqlite is synchronous, so
 * runAsync cannot overlap reads; that is a real property of the API, shown
 * as is rather than hidden behind a fake promise.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync as DatabaseSyncType, StatementSync } from 'node:sqlite';
import { createRequire } from 'node:module';
import { currentRuntimeLabel } from '../core/runtime-info.ts';
import { intParam, stringParam } from './params.ts';
import { fnv1a, itemSeed, mulberry32 } from './prng.ts';
import { sum32 } from './common.ts';
import type { ParamValues, Workload } from './types.ts';

// Loaded lazily: node:sqlite prints an ExperimentalWarning on some Node versions,
// and processes that never read the store should not pay for it.
const require = createRequire(import.meta.url);
function sqlite(): typeof import('node:sqlite') {
  try {
    return require('node:sqlite') as typeof import('node:sqlite');
  } catch (error) {
    // Node < 22.5 has no node:sqlite: a missing capability, reported as such (the cell is skipped).
    throw new Error(`unsupported on ${currentRuntimeLabel()} (no node:sqlite)`, { cause: error });
  }
}

export function kvKey(n: number): string {
  return `k${String(n).padStart(4, '0')}`;
}

/** The value stored under key number n: derived from n so a reader can check it without the db. */
export function kvValue(n: number): string {
  return `val-${kvKey(n)}-${itemSeed(0x5eed, n).toString(16).padStart(8, '0')}`;
}

export function defaultKvPath(keyCount: number): string {
  return join(tmpdir(), `conlab-kv-${keyCount}.sqlite`);
}

/**
 * Opens (creating and filling on first use) the kv database. Safe to call
 * from several processes at once: creation is one transaction with
 * IF NOT EXISTS / OR IGNORE, and a busy timeout makes late comers wait.
 */
export function openKvDb(path: string, keyCount = 1000): DatabaseSyncType {
  const db = new (sqlite().DatabaseSync)(path);
  db.exec('PRAGMA busy_timeout = 10000');
  const present = db
    .prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'kv'")
    .get() as { n: number };
  const count = present.n > 0 ? (db.prepare('SELECT count(*) AS n FROM kv').get() as { n: number }).n : 0;
  if (count < keyCount) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec('CREATE TABLE IF NOT EXISTS kv(key TEXT PRIMARY KEY, val TEXT)');
      const insert = db.prepare('INSERT OR IGNORE INTO kv(key, val) VALUES (?, ?)');
      for (let n = 0; n < keyCount; n++) insert.run(kvKey(n), kvValue(n));
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
  return db;
}

// One connection per thread and path: opening per read would measure open(), not the read.
const statements = new Map<string, StatementSync>();

function readStatement(params: ParamValues): StatementSync {
  const keys = intParam(params, 'keys');
  const path = stringParam(params, 'path') || defaultKvPath(keys);
  let statement = statements.get(path);
  if (!statement) {
    statement = openKvDb(path, keys).prepare('SELECT val FROM kv WHERE key = ?');
    statements.set(path, statement);
  }
  return statement;
}

function keysForItem(params: ParamValues, id: number): number[] {
  const random = mulberry32(itemSeed(intParam(params, 'seed'), id));
  const keys = intParam(params, 'keys');
  return Array.from({ length: intParam(params, 'reads') }, () => Math.floor(random() * keys));
}

const encoder = new TextEncoder();

function checksum(values: string[]): number {
  return fnv1a(encoder.encode(values.join('\n')));
}

function readItem(params: ParamValues, id: number): number {
  const statement = readStatement(params);
  const values: string[] = [];
  for (const n of keysForItem(params, id)) {
    const row = statement.get(kvKey(n)) as { val?: unknown } | undefined;
    if (typeof row?.val !== 'string')
      throw new Error(`io.sqlite: key ${kvKey(n)} is missing from the kv table`);
    values.push(row.val);
  }
  return checksum(values);
}

export const ioSqlite: Workload = {
  name: 'io.sqlite',
  kind: 'io',
  description: 'read `reads` random keys per item from the kv table (PROTOCOL.md §2) with node:sqlite',
  params: {
    keys: { type: 'int', default: 1000, min: 1, max: 1_000_000, description: 'keys in the table' },
    reads: { type: 'int', default: 200, min: 1, max: 1_000_000, description: 'key reads per item' },
    seed: { type: 'int', default: 3, min: 0, max: 2 ** 31 - 1, description: 'key chooser seed' },
    path: {
      type: 'string',
      default: '',
      pattern: /^[^\0]{0,4096}$/,
      description: "database file ('' = conlab-kv-<keys>.sqlite in the temp dir)",
    },
  },
  prepare(params) {
    const keys = intParam(params, 'keys');
    openKvDb(stringParam(params, 'path') || defaultKvPath(keys), keys).close();
  },
  runSync: readItem,
  runAsync: (params, id) => Promise.resolve(readItem(params, id)),
  combine: (answers) => sum32('io.sqlite', answers),
  expected(params, items) {
    const answers: number[] = [];
    for (let id = 0; id < items; id++) answers.push(checksum(keysForItem(params, id).map(kvValue)));
    return sum32('io.sqlite', answers);
  },
};
