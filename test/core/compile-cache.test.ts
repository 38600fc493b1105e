/**
 * The compile cache conlab keeps for its own processes: where it lives, that
 * the CLI and every process it starts fill and reuse it, and that a cache
 * that cannot be written or is corrupt never fails a run (one warning line
 * for a whole process tree, and only when it cannot be written).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { conlabCacheDir } from '../../src/core/cache-dir.ts';
import { compileCacheDir } from '../../src/core/compile-cache.ts';
import { runConlab } from '../fixtures/cli.ts';

/** The environment of a conlab run, without any cache setting inherited from the test's own. */
function envWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of ['NODE_COMPILE_CACHE', 'NODE_DISABLE_COMPILE_CACHE', 'CONLAB_COMPILE_CACHE_WARNED'])
    delete env[name];
  if (extra.CONLAB_CACHE_DIR === undefined) delete env.CONLAB_CACHE_DIR;
  return env;
}

/** Every file under dir (the cache: one folder per Node version, one file per module). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}

const warnings = (stderr: string): number =>
  stderr.split('\n').filter((l) => l.includes('compile cache off')).length;

test('the cache folder: CONLAB_CACHE_DIR, else XDG_CACHE_HOME/conlab, else ~/.cache/conlab', () => {
  assert.equal(conlabCacheDir({ CONLAB_CACHE_DIR: '/a', XDG_CACHE_HOME: '/x' }), '/a');
  assert.equal(conlabCacheDir({ CONLAB_CACHE_DIR: '', XDG_CACHE_HOME: '/x' }), '/x/conlab');
  assert.equal(conlabCacheDir({}), join(homedir(), '.cache', 'conlab'));
  assert.equal(compileCacheDir({ CONLAB_CACHE_DIR: '/a' }), '/a/v8-compile-cache');
});

test('the CLI fills the cache where src/core says, and a second run uses it without a word', async () => {
  const root = mkdtempSync(join(tmpdir(), 'conlab-cc-'));
  try {
    const settings: Record<string, string>[] = [
      { CONLAB_CACHE_DIR: join(root, 'own') },
      { XDG_CACHE_HOME: join(root, 'xdg') },
    ];
    for (const env of settings) {
      const expected = compileCacheDir(envWith(env));
      const first = await runConlab(['--version'], 60_000, envWith(env));
      assert.equal(first.code, 0, first.stderr);
      // bin/conlab.js turns the cache on before any TypeScript loads, in the same folder as src/core.
      assert.ok(filesUnder(expected).length >= 3, `${expected} holds the CLI's modules`);
      const second = await runConlab(['--version'], 60_000, envWith(env));
      assert.equal(second.code, 0);
      assert.equal(second.stdout, first.stdout);
      assert.equal(second.stderr, '');
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a corrupt cache is recompiled silently', async () => {
  const root = mkdtempSync(join(tmpdir(), 'conlab-cc-'));
  try {
    const env = envWith({ CONLAB_CACHE_DIR: root });
    assert.equal((await runConlab(['help'], 60_000, env)).code, 0);
    const files = filesUnder(compileCacheDir(env));
    assert.ok(files.length > 0);
    for (const file of files) writeFileSync(file, 'not a cache entry');
    const run = await runConlab(['help'], 60_000, env);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /usage: conlab/);
    assert.equal(run.stderr, '');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

// We may run as root, for whom no permission bit stops a mkdir: a path below a regular file does.
const fileDir = mkdtempSync(join(tmpdir(), 'conlab-cc-file-'));
const aFile = join(fileDir, 'a-file');
writeFileSync(aFile, '');
const UNWRITABLE = join(aFile, 'conlab');
after(() => rmSync(fileDir, { recursive: true, force: true }));

test('an unwritable cache: one warning for a tree of processes and threads that all try it', async () => {
  const tree = new URL('./fixtures/compile-cache-tree.ts', import.meta.url).pathname;
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [tree, '2'], {
    env: envWith({ CONLAB_CACHE_DIR: UNWRITABLE }),
    timeout: 60_000,
  });
  // Three processes and three worker threads called enableCompileCache(); the first one speaks.
  assert.equal(warnings(stderr), 1, stderr);
  assert.equal(stdout, 'failed\n');
});

test('an unwritable cache: the CLI warns once and runs a whole batch (subject, pool processes and threads)', async () => {
  const env = envWith({ CONLAB_CACHE_DIR: UNWRITABLE });
  const help = await runConlab(['help'], 60_000, env);
  assert.equal(help.code, 0);
  assert.equal(warnings(help.stderr), 1, help.stderr);
  // A batch run starts a subject process, which starts pool processes and threads: still one line.
  const batch = await runConlab(
    [
      'batch',
      '--workload',
      'cpu.js',
      '--param',
      'iters=20000',
      '--items',
      '4',
      '--models',
      'threads,processes',
      '--concurrency',
      '2',
      '--reps',
      '1',
      '--json',
    ],
    120_000,
    env,
  );
  assert.equal(batch.code, 0, batch.stderr);
  assert.equal(warnings(batch.stderr), 1, batch.stderr);
  const results = (JSON.parse(batch.stdout) as { results: { status: string }[] }).results;
  assert.ok(results.length >= 3);
  assert.ok(results.every((r) => r.status === 'ok'));
});
