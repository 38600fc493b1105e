// A store that protects itself: damage in the middle of the file is refused for writing (the file
// left byte for byte as it was), named by `conlab results check`, met as LAB_E_STORE_DAMAGED when
// reading, and what can still be read is salvaged into a new store. Paths that cannot hold a
// store (a folder, a file in the way, a missing folder, a read-only file system) are named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { LabError } from '../../src/core/errors.ts';
import { openStore } from '../../src/results/store.ts';
import { runConlab } from '../fixtures/cli.ts';
import { env } from './fixtures.ts';
import { faultCell } from './fixtures/fault-cells.ts';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-damage-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The LabError `fn` throws. */
function labError(fn: () => unknown): LabError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof LabError, String(error));
    return error;
  }
  assert.fail('expected a LabError');
}

/** Two runs of 30 cells (about 1 MB): the middle of the file is cell data. */
function buildStore(path: string): void {
  const store = openStore(path);
  for (let run = 0; run < 2; run++) {
    const runId = store.createRun({ suiteName: `s${run}`, env, suite: {}, cells: [], plan: [] });
    for (let i = 0; i < 30; i++) store.addCell(runId, faultCell(run * 30 + i));
    store.markRun(runId, 'complete');
  }
  store.close();
}

/** Deterministic "random" bytes (xorshift), so the test damages the same way every time. */
function noise(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  let x = 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/** Overwrites `bytes` at `offset` of the file, as a failing disk or a stray write would. */
function overwrite(path: string, offset: number, bytes: Buffer): void {
  const content = readFileSync(path);
  bytes.copy(content, offset);
  writeFileSync(path, content);
}

// A valid suite that never gets to run a cell: the store is refused first.
const suite = `name: never-runs
runtimes: [node]
repetitions: 1
batch:
  - workload: io.sleep
    models: [sequential]
    items: 1
`;

test('4 KiB overwritten in the middle: refused for writing, named by results check, salvaged', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'results.db');
  buildStore(path);
  const size = readFileSync(path).length;
  overwrite(path, Math.floor(size / 2) + 123, noise(4096));
  const before = readFileSync(path);

  const refused = labError(() => openStore(path));
  assert.equal(refused.code, 'LAB_E_STORE_DAMAGED');
  assert.match(refused.message, new RegExp(`results store '${path}' is damaged \\(.+\\)`));
  assert.match(
    refused.message,
    /conlab writes nothing into a damaged store; \d+ runs? and \d+ of 60 cell repetitions can be read/,
  );
  assert.match(refused.hint ?? '', /conlab results check --store .* --salvage NEW\.db/);

  const suitePath = join(dir, 'suite.yaml');
  writeFileSync(suitePath, suite);
  const run = await runConlab(['run', suitePath, '--store', path, '--no-report']);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /LAB_E_STORE_DAMAGED: results store .* is damaged/);
  assert.doesNotMatch(run.stderr, /bug in conlab/);
  assert.deepEqual(readFileSync(path), before, 'nothing was written into the damaged store');

  const check = await runConlab(['results', 'check', '--store', path]);
  assert.equal(check.code, 1, 'a damaged store fails the check');
  assert.match(check.stdout, /: DAMAGED\n {2}- /);
  assert.match(
    check.stdout,
    /^ {2}- (runs|cells|cell_parts|metrics|sqlite_autoindex_\w+|cells_by_key|metrics_by_name) \(tree \d+\): page \d+/m,
    'the damage is named by table or index, not only by b-tree number',
  );
  const readable = /(\d+) runs? and (\d+) of 60 cell repetitions can be read/.exec(check.stdout);
  assert.ok(readable, check.stdout);

  const salvagePath = join(dir, 'salvaged.db');
  const salvage = await runConlab(['results', 'check', '--store', path, '--salvage', salvagePath]);
  assert.equal(salvage.code, 0, salvage.stderr);
  assert.match(
    salvage.stdout,
    new RegExp(`salvaged ${readable[1]} runs? and ${readable[2]} cell repetitions into`),
  );
  const again = await runConlab(['results', 'check', '--store', salvagePath, '--json']);
  assert.equal(again.code, 0);
  const report = JSON.parse(again.stdout) as { ok: boolean; readable: { runs: number; cells: number } };
  assert.deepEqual(report.readable.cells, Number(readable[2]));
  assert.ok(report.ok);
  // The salvaged store takes new runs again.
  openStore(salvagePath).close();
  assert.deepEqual(readFileSync(path), before, 'check and salvage never write into the damaged store');
});

test('a damaged store with a pending WAL (a killed writer) is refused without checkpointing into it', (t) => {
  const dir = tempDir(t);
  const source = join(dir, 'live.db');
  buildStore(source);
  // A writer that stores more cells and is "killed": its WAL still holds them, uncheckpointed.
  const writer = openStore(source);
  const runId = writer.createRun({ suiteName: 'late', env, suite: {}, cells: [], plan: [] });
  for (let i = 0; i < 5; i++) writer.addCell(runId, faultCell(100 + i));
  const path = join(dir, 'results.db');
  copyFileSync(source, path);
  copyFileSync(`${source}-wal`, `${path}-wal`);
  writer.close();
  const size = readFileSync(path).length;
  overwrite(path, Math.floor(size / 2) + 123, noise(4096));
  const before = [readFileSync(path), readFileSync(`${path}-wal`)];
  assert.ok(before[1] !== undefined && before[1].length > 0, 'the WAL holds frames');
  assert.equal(labError(() => openStore(path)).code, 'LAB_E_STORE_DAMAGED');
  assert.deepEqual([readFileSync(path), readFileSync(`${path}-wal`)], before, 'neither file changed');
});

test('zeros inside a record, invisible to SQLite, are caught by the content check and named when read', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'results.db');
  buildStore(path);
  // Damage the inside of one record's timeline (a value, not a page header): the b-tree stays valid.
  const content = readFileSync(path);
  const marker = content.indexOf('"p99Us":925');
  assert.ok(marker > 0, 'the marker is in the file');
  overwrite(path, marker, Buffer.alloc(8));
  const db = new DatabaseSync(path);
  assert.deepEqual(
    db
      .prepare('PRAGMA quick_check')
      .all()
      .map((row) => row.quick_check),
    ['ok'],
    "SQLite's own check sees nothing",
  );
  db.close();

  const refused = labError(() => openStore(path));
  assert.equal(refused.code, 'LAB_E_STORE_DAMAGED');
  assert.match(refused.message, /cell_parts \d+\/timeline: stored JSON is damaged/);

  // Reading the run that holds it: named as damage, never "a bug in conlab".
  const show = await runConlab(['results', 'show', 'latest~1', '--store', path]);
  assert.equal(show.code, 2);
  assert.match(
    show.stderr,
    /LAB_E_STORE_DAMAGED: results store .* is damaged: a stored record is not valid JSON/,
  );
  assert.match(show.stderr, /conlab results check/);
  const check = await runConlab(['results', 'check', '--store', path]);
  assert.equal(check.code, 1);
  assert.match(
    check.stdout,
    /2 runs and 59 of 60 cell repetitions can be read \(lost: 1 cell repetition damaged/,
  );
});

test('a folder, a file in the way and a missing folder are named, never "a bug in conlab"', async (t) => {
  const dir = tempDir(t);
  const folder = join(dir, 'a-folder');
  mkdirSync(folder);
  for (const create of [true, false]) {
    const error = labError(() => openStore(folder, { create }));
    assert.equal(error.code, 'LAB_E_STORE');
    assert.match(error.message, /is a folder, not a store file/);
    assert.match(error.hint ?? '', /a-folder\/results\.db/);
  }
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  const inTheWay = labError(() => openStore(join(file, 'results.db')));
  assert.equal(inTheWay.code, 'LAB_E_STORE');
  assert.match(inTheWay.message, /a part of its path is a file, not a folder/);
  const missing = labError(() => openStore(join(dir, 'nowhere', 'results.db'), { create: false }));
  assert.equal(missing.code, 'LAB_E_NOT_FOUND');
  assert.match(missing.message, /the folder .*nowhere does not exist/);

  const list = await runConlab(['results', 'list', '--store', folder]);
  assert.equal(list.code, 2);
  assert.match(list.stderr, /LAB_E_STORE: results store .* is a folder, not a store file/);
  assert.doesNotMatch(list.stderr, /bug in conlab/);
});

test('a suite that fails validation creates no store file and no folder', async (t) => {
  const dir = tempDir(t);
  const suitePath = join(dir, 'bad.yaml');
  writeFileSync(suitePath, 'name: bad\nbatch:\n  - workload: nope\n    models: [threads]\n');
  const store = join(dir, 'new-folder', 'results.db');
  const result = await runConlab(['run', suitePath, '--store', store]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /LAB_E_SUITE_INVALID/);
  assert.throws(() => readFileSync(store), /ENOENT/);
  assert.throws(() => readFileSync(join(dir, 'new-folder')), /ENOENT/);
});

/**
 * A read-only file system that stops root too: a read-only bind mount inside a private mount
 * namespace (`unshare --mount`, so nothing outlives the command). Needs root and util-linux.
 */
function readOnlyMountSkip(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to mount (chmod cannot make a read-only file system)';
  const probe = spawnSync('unshare', ['--mount', 'sh', '-c', 'mount -t tmpfs -o ro tmpfs /mnt'], {
    encoding: 'utf8',
  });
  if (probe.error !== undefined || probe.status !== 0)
    return `unshare --mount is not available here (${probe.error?.message ?? probe.stderr.trim()})`;
  return undefined;
}

test('a store on a read-only file system: writing is refused naming it, reading still works', (t) => {
  const skip = readOnlyMountSkip();
  if (skip !== undefined) {
    t.skip(skip);
    return;
  }
  const dir = tempDir(t);
  const source = join(dir, 'source');
  const mounted = join(dir, 'read-only');
  mkdirSync(source);
  mkdirSync(mounted);
  buildStore(join(source, 'results.db'));
  const suitePath = join(dir, 'suite.yaml');
  writeFileSync(suitePath, suite);
  const cli = (args: string): string =>
    `'${process.execPath}' '${new URL('../../bin/conlab.js', import.meta.url).pathname}' ${args}; echo "exit $?"`;
  const script = [
    `mount --bind '${source}' '${mounted}' && mount -o remount,ro,bind '${mounted}' || exit 99`,
    cli(`run '${suitePath}' --store '${mounted}/results.db' --no-report`),
    cli(`run '${suitePath}' --store '${mounted}/sub/results.db' --no-report`),
    cli(`results list --store '${mounted}/results.db'`),
    cli(`results check --store '${mounted}/results.db'`),
  ].join('\n');
  const result = spawnSync('unshare', ['--mount', 'sh', '-c', script], { encoding: 'utf8', timeout: 60_000 });
  const output = `${result.stdout}${result.stderr}`;
  assert.equal(result.status, 0, output);
  assert.match(
    output,
    /LAB_E_STORE: results store '.*\/read-only\/results\.db' cannot be written: the file is on a read-only file system/,
  );
  assert.match(output, /cannot be written: folder .*\/read-only\/sub is on a read-only file system/);
  const exits = [...output.matchAll(/^exit (\d+)$/gm)].map((match) => Number(match[1]));
  assert.deepEqual(exits, [2, 2, 0, 0], output);
  assert.match(output, /s1\s+complete/, 'results list reads the read-only store');
  assert.match(output, /: intact/);
  assert.doesNotMatch(output, /bug in conlab/);
});
