/**
 * Workload modules through the whole path: `conlab batch --workload
 * ./module` refuses bad modules before anything starts (exit 2, the code,
 * the path, what was found instead, nothing left running); a module is
 * imported exactly once in every subject, worker thread and child process of
 * every model, and every model gives the same answer; a task that throws or
 * hangs fails its cell (the sweep goes on, no process survives); a suite
 * names modules relative to its own file, and an edited module is a new cell.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBatchCell } from '../../src/batch/driver/run-cell.ts';
import { isLabError } from '../../src/core/errors.ts';
import { groupMembers } from '../../src/core/subject/process-group.ts';
import { models } from '../../src/models/registry.ts';
import { resolveRuntime } from '../../src/runtimes/registry.ts';
import { prepareSuite } from '../../src/suite/load.ts';
import { getWorkload } from '../../src/workloads/index.ts';
import { splitRef } from '../../src/workloads/module/ref.ts';
import { conlabBin } from '../fixtures/cli.ts';
import { isAlive, runBatchCli, type Finished } from './helpers.ts';

const fixtures = fileURLToPath(new URL('../workloads/fixtures/', import.meta.url));
const fixture = (name: string): string => join(fixtures, name);

interface JsonResult {
  model: string;
  status: string;
  reason?: string;
  answer: string | null;
  pids: number[];
  workload: string;
}

const resultsOf = (finished: Finished): JsonResult[] =>
  (JSON.parse(finished.stdout) as { results: JsonResult[] }).results;

/** `conlab batch --workload W ... --concurrency 2 --json` (one repetition unless given); asserts exit 0. */
async function batchResults(
  workload: string,
  items: number,
  models: string,
  extra: string[] = [],
): Promise<JsonResult[]> {
  const args = ['--workload', workload, '--items', String(items), '--models', models, '--concurrency', '2'];
  // Short windows keep calibration quick; failed cells are what several tests expect, so they do not fail the exit.
  const shape = ['--reps', '1', '--min-window', '0.05', '--allow-failures'];
  const finished = await runBatchCli([...args, ...shape, ...extra, '--json'], 120_000);
  assert.equal(finished.code, 0, finished.stderr);
  return resultsOf(finished);
}

/** Every cell failed with the reason, and none of its processes is alive. */
function assertFailedCells(results: JsonResult[], count: number, reason: RegExp): void {
  assert.equal(results.length, count, 'every cell reported, none aborted the run');
  for (const result of results) {
    assert.equal(result.status, 'failed', result.model);
    assert.match(result.reason ?? '', reason, result.model);
    assert.deepEqual(result.pids.filter(isAlive), [], `${result.model} left processes`);
  }
}

/** Runs `conlab batch` in its own process group and reports, after it exits, any member of that group still alive. */
function runCliAlone(args: string[], cwd = process.cwd()): Promise<Finished & { leftovers: number[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [conlabBin, 'batch', ...args], {
      cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => {
      const leftovers = child.pid === undefined ? [] : groupMembers(child.pid);
      for (const pid of leftovers) process.kill(pid, 'SIGKILL');
      resolve({ code, stdout, stderr, leftovers });
    });
  });
}

test('bad modules exit 2 before anything starts: code, path, what was found; no process left', async () => {
  const cases: [string, RegExp][] = [
    [
      './no-such-task.ts',
      /LAB_E_WORKLOAD_MODULE: workload module '\.\/no-such-task\.ts' not found: there is no file .*no-such-task\.ts/,
    ],
    [
      './named-only.mjs',
      /named-only\.mjs has no default export → exports found: limit: a number \(10\); resize: a function/,
    ],
    ['./named-only.mjs#resise', /named-only\.mjs has no export 'resise'/],
    ['./not-a-function.ts', /not-a-function\.ts export 'default' is a number \(42\), not a function/],
    [
      './throws-on-load.mjs',
      /throws-on-load\.mjs failed while loading under node@[\d.]+: fixture cannot start: missing API key/,
    ],
  ];
  for (const [workload, pattern] of cases) {
    // Relative to the current folder, as a user types it.
    const finished = await runCliAlone(['--workload', workload, '--items', '2', '--reps', '1'], fixtures);
    assert.equal(finished.code, 2, `${workload}: ${finished.stderr}`);
    assert.match(finished.stderr, pattern);
    assert.match(finished.stderr, /hint: /);
    assert.doesNotMatch(finished.stderr, /\n\s+at /, 'no stack trace');
    assert.doesNotMatch(finished.stderr, /repetition 1/, 'nothing started');
    assert.deepEqual(finished.leftovers, [], `${workload} left processes`);
  }
});

test('an async task is refused up front by a model that needs synchronous work', async () => {
  const finished = await runCliAlone([
    '--workload',
    fixture('async-task.ts'),
    '--models',
    'async-blocking',
    '--items',
    '2',
  ]);
  assert.equal(finished.code, 2, finished.stderr);
  assert.match(
    finished.stderr,
    /LAB_E_WORKLOAD_MODULE: model 'async-blocking' cannot run async-task\.ts, whose task is an async function/,
  );
  assert.deepEqual(finished.leftovers, []);
});

test('every model imports the module once per subject, thread and process, and agrees on the answer', async () => {
  const runtime = resolveRuntime('node');
  const dir = mkdtempSync(join(tmpdir(), 'conlab-imports-'));
  // Checked first, outside the logging: the check process imports the module too.
  const workload = getWorkload(fixture('sync-task.ts')).name;
  const items = 4;
  /** Lines the import log must have: the subject, plus what each model starts at concurrency 2 (hybrid 2 × 2). */
  const expectedImports: Record<string, number> = {
    sequential: 1,
    async: 1,
    'async-blocking': 1,
    threads: 3,
    processes: 3,
    hybrid: 5, // the two middle processes only forward tasks to their threads
    spawn: 1 + items,
  };
  assert.deepEqual(Object.keys(expectedImports).sort(), models.names().sort(), 'every model is covered');
  const answers = new Map<string, string>();
  try {
    for (const model of models.names()) {
      const log = join(dir, `${model}.log`);
      writeFileSync(log, '');
      process.env.CONLAB_TEST_IMPORT_LOG = log;
      const cell = await runBatchCell(
        {
          workload,
          params: { rounds: 2 },
          model,
          concurrency: 2,
          threadsPerProcess: 2,
          itemsPerTask: 1,
          items,
        },
        runtime,
      );
      delete process.env.CONLAB_TEST_IMPORT_LOG;
      assert.equal(cell.status, 'ok', `${model}: ${cell.reason ?? ''}`);
      answers.set(model, String(cell.answer));
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      assert.equal(
        new Set(lines).size,
        lines.length,
        `${model}: a process or thread imported the module twice: ${lines.join(', ')}`,
      );
      assert.equal(lines.length, expectedImports[model], `${model} imports: ${lines.join(', ')}`);
      const pids = new Set(lines.map((line) => Number(line.split(' ')[0])));
      for (const pid of pids)
        assert.ok(cell.pids.includes(pid), `${model}: importer ${pid} is one of the cell's processes`);
      assert.deepEqual(cell.pids.filter(isAlive), [], `${model} left processes`);
    }
  } finally {
    delete process.env.CONLAB_TEST_IMPORT_LOG;
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(new Set(answers.values()).size, 1, `one answer: ${JSON.stringify([...answers])}`);
  assert.match(answers.get('sequential') ?? '', /^sha256:[0-9a-f]{16}$/);
});

test('async tasks under every model but async-blocking: ok, one answer; a promise-returning task fails async-blocking', async () => {
  const results = await batchResults(
    fixture('async-task.ts'),
    6,
    'sequential,async,threads,processes,hybrid,spawn',
    ['--reps', '2'],
  );
  assert.equal(results.length, 6);
  for (const result of results) {
    assert.equal(result.status, 'ok', `${result.model}: ${result.reason ?? ''}`);
    assert.equal(result.answer, results[0]?.answer);
    assert.deepEqual(result.pids.filter(isAlive), []);
  }
  assert.equal(splitRef(results[0]?.workload ?? '').exportName, 'default');
  const [baseline, cell] = await batchResults(`${fixture('async-task.ts')}#promised`, 3, 'async-blocking');
  assert.equal(baseline?.status, 'ok');
  assert.equal(cell?.status, 'failed');
  assert.match(cell?.reason ?? '', /async-task\.ts#promised returned a Promise for item 0/);
});

test('a task that throws for one item fails its cell with the item and the message; the sweep goes on', async () => {
  const results = await batchResults(fixture('faulty.mjs'), 5, models.names().join(','), [
    '--param',
    'throwAt=2',
  ]);
  assertFailedCells(results, models.names().length, /faulty\.mjs item 2 threw: fixture refuses item 2/);
});

test('a result that is not JSON fails the cell naming the item and where', async () => {
  const results = await batchResults(fixture('faulty.mjs'), 3, 'threads', ['--param', 'dateAt=1']);
  assertFailedCells(results, 2, /faulty\.mjs item 1: its result: a Date at \.when is not a JSON value/);
});

test('a task that hangs hits the repetition timeout; its processes are killed', async () => {
  const results = await batchResults(fixture('faulty.mjs'), 4, 'sequential,threads,processes', [
    '--param',
    'hangAt=1',
    '--timeout-ms',
    '1500',
  ]);
  assertFailedCells(results, 3, /timed out after 1500 ms/);
  for (const result of results) {
    // The processes cell had a subject and two workers running when the timeout hit.
    assert.ok(result.pids.length >= (result.model === 'processes' ? 3 : 1), JSON.stringify(result.pids));
  }
});

test('a suite names modules relative to its file; an edited module makes new cells', () => {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-suite-module-'));
  try {
    copyFileSync(fixture('faulty.mjs'), join(dir, 'task.mjs'));
    const suitePath = join(dir, 'suite.yaml');
    writeFileSync(
      suitePath,
      'name: mine\nbatch:\n  - workload: ./task.mjs\n    params: { throwAt: 7 }\n    models: [sequential, threads]\n    concurrency: 2\n    items: 4\n',
    );
    const first = prepareSuite(suitePath);
    const experiment = first.suite.batch[0];
    assert.equal(experiment?.name, 'task.mjs');
    assert.equal(splitRef(experiment.workload).path, join(dir, 'task.mjs'));
    assert.deepEqual(experiment.params, { throwAt: 7, hangAt: -1, dateAt: -1 });
    for (const cell of first.cells) assert.equal(cell.kind === 'batch' && cell.workload, experiment.workload);
    writeFileSync(join(dir, 'task.mjs'), `${readFileSync(join(dir, 'task.mjs'), 'utf8')}\n// edited\n`);
    const second = prepareSuite(suitePath);
    const keys = new Set(first.cells.map((cell) => cell.cellKey));
    for (const cell of second.cells)
      assert.ok(!keys.has(cell.cellKey), `edited module, new key: ${cell.cellKey}`);

    writeFileSync(suitePath, 'name: broken\nbatch:\n  - workload: ./gone.ts\n    models: [sequential]\n');
    assert.throws(
      () => prepareSuite(suitePath),
      (error: unknown) =>
        isLabError(error) &&
        error.code === 'LAB_E_WORKLOAD_MODULE' &&
        error.message.startsWith('batch[0].workload: ') &&
        error.message.includes(join(dir, 'gone.ts')),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
