// Crash safety of the store, proven by force: a writer storing cells in a loop is SIGKILLed at a
// random moment (while opening and checking the store, creating its schema or run, or inside a
// cell's transaction), many times over one store. After every kill the store must pass SQLite's
// integrity check, hold every cell the writer reported committed, and hold only whole cells
// (record, every part, every metric) — nothing partial, nothing lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { numericMetrics } from '../../src/results/flatten.ts';
import { openStore } from '../../src/results/store.ts';
import { faultCell } from './fixtures/fault-cells.ts';

const writer = new URL('./fixtures/store-writer.ts', import.meta.url).pathname;
const ROUNDS = Number(process.env.CONLAB_KILL_ROUNDS ?? 30);
/** Kills inside the cell writes land up to this long after the writer is ready or has committed a cell. */
const MAX_WRITING_DELAY_MS = 40;

type Phase = 'opening' | 'first cell' | 'later cells';
const PHASES: Phase[] = ['opening', 'first cell', 'later cells'];

/**
 * Runs the writer and SIGKILLs it at a random moment of one phase, in turn: while it opens the
 * store (checking it, migrating, creating the run: up to as long as the last opening took), while
 * it writes its first cell (after `ready`), or after a cell has been committed. Tied to the
 * writer's own progress, not to fixed delays, so a slow machine still gets kills in every phase.
 * Resolves to the indexes reported committed and how long opening took (ms, when it got that far).
 */
function killWriterOnce(
  store: string,
  phase: Phase,
  openingMs: number,
): Promise<{ committed: number[]; openedInMs: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, store], { stdio: ['ignore', 'pipe', 'pipe'] });
    const committed: number[] = [];
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    let openingAt = 0;
    let openedInMs: number | null = null;
    const killIn = (maxMs: number): void => {
      timer ??= setTimeout(() => child.kill('SIGKILL'), Math.random() * maxMs);
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      let newline = stdout.indexOf('\n');
      while (newline >= 0) {
        const line = stdout.slice(0, newline);
        stdout = stdout.slice(newline + 1);
        if (line === 'opening') {
          openingAt = performance.now();
          if (phase === 'opening') killIn(openingMs);
        } else if (line === 'ready') {
          openedInMs = performance.now() - openingAt;
          if (phase !== 'later cells') killIn(MAX_WRITING_DELAY_MS);
        }
        const match = /^committed (\d+)$/.exec(line);
        if (match) {
          committed.push(Number(match[1]));
          killIn(MAX_WRITING_DELAY_MS);
        }
        newline = stdout.indexOf('\n');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`the writer ended by itself (code ${code}): ${stderr}`));
      else resolve({ committed, openedInMs });
    });
  });
}

interface StoredCell {
  id: number;
  index: number;
  parts: number;
  metrics: number;
}

function storedCells(path: string): StoredCell[] {
  const db = new DatabaseSync(path);
  try {
    const check = db.prepare('PRAGMA integrity_check').all();
    assert.deepEqual(
      check.map((row) => row.integrity_check),
      ['ok'],
      'SQLite integrity check after the kill',
    );
    // Killed before the schema's first commit (its own transaction): an empty store, nothing lost.
    if (db.prepare("SELECT name FROM sqlite_master WHERE name = 'cells'").get() === undefined) return [];
    return db
      .prepare(
        `SELECT c.id, c.cell_key,
                (SELECT count(*) FROM cell_parts p WHERE p.cell_id = c.id) AS parts,
                (SELECT count(*) FROM metrics m WHERE m.cell_id = c.id) AS metrics
         FROM cells c ORDER BY c.id`,
      )
      .all()
      .map((row) => ({
        id: Number(row.id),
        index: Number(String(row.cell_key).replace('fault|', '')),
        parts: Number(row.parts),
        metrics: Number(row.metrics),
      }));
  } finally {
    db.close();
  }
}

test(`SIGKILL at ${ROUNDS} random points: no partial cell, no lost committed cell, store intact`, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-kill-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'results.db');
  const metricsPerCell = numericMetrics(faultCell(0)).length;
  let verified = 0;
  let roundsWithCells = 0;
  let openingMs = 30;
  for (let round = 0; round < ROUNDS; round++) {
    const { committed, openedInMs } = await killWriterOnce(
      path,
      PHASES[round % PHASES.length] ?? 'opening',
      openingMs,
    );
    if (openedInMs !== null) openingMs = openedInMs;
    const cells = storedCells(path);
    const indexes = cells.map((cell) => cell.index);
    assert.deepEqual(
      indexes,
      indexes.map((_, i) => i),
      `round ${round}: cells 0..${indexes.length - 1} stored once each, in order (a gap is a lost cell)`,
    );
    for (const index of committed) {
      assert.ok(
        index < indexes.length,
        `round ${round}: cell ${index} was reported committed but is missing`,
      );
    }
    if (cells.length > verified) roundsWithCells++;
    for (const cell of cells) {
      assert.equal(cell.parts, 3, `round ${round}: cell ${cell.index} has every part`);
      assert.equal(cell.metrics, metricsPerCell, `round ${round}: cell ${cell.index} has every metric`);
    }
    // The new cells come back exactly as written (through the store's own reader).
    const store = openStore(path, { create: false });
    try {
      const runId = store.latestRunId();
      if (runId !== null) {
        const loaded = store.loadCells(runId);
        for (const record of loaded.slice(verified)) {
          const index = Number(record.cellKey.replace('fault|', ''));
          assert.deepEqual(record, faultCell(index), `round ${round}: cell ${index} round-trips exactly`);
        }
        verified = loaded.length;
      }
    } finally {
      store.close();
    }
  }
  assert.ok(verified > 0, 'the writer stored cells between kills');
  t.diagnostic(
    `${ROUNDS} kills (in turn: opening, first cell, later cells), ${verified} cells stored; ${roundsWithCells} rounds stored cells before the kill`,
  );
});
