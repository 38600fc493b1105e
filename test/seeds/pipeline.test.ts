/**
 * `conlab pipeline` (seed 001): the seed's result format as its plotter reads
 * it, every method on every runtime against the files it wrote, bad input
 * refused before anything runs, and temporary files and processes gone
 * after a run and after Ctrl-C. Durations are short; no timing is asserted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveRuntime } from '../../src/runtimes/registry.ts';
import { runPipeline, verifyAgainstDisk } from '../../src/seeds/pipeline/driver.ts';
import {
  pipelineFileName,
  pipelineMethods,
  type PipelineMeasurement,
  type PipelineOptions,
} from '../../src/seeds/pipeline/options.ts';
import {
  entriesIn,
  exitOf,
  killQuietly,
  makeTempRoot,
  processesMentioning,
  removeTempRoot,
  runCli,
  startCli,
  tempStore,
  waitFor,
} from './helpers.ts';

/** What seed 001's plotter takes from a results file: columns 2, 3, 4 and 11 of every non-# line. */
function plotterRows(
  text: string,
): { gil: string; method: string; concurrency: number; aggregateMiBps: number }[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => {
      const columns = line.split('\t');
      assert.equal(columns.length, 11, `11 tab-separated columns in ${JSON.stringify(line)}`);
      return {
        gil: columns[1] ?? '',
        method: columns[2] ?? '',
        concurrency: Number.parseInt(columns[3] ?? '', 10),
        aggregateMiBps: Number.parseFloat(columns[10] ?? ''),
      };
    });
}

test('seed-tsv prints a # header and one 11-column line the seed plotter reads', async (t) => {
  const root = makeTempRoot('tsv');
  const store = tempStore('tsv');
  t.after(() => {
    removeTempRoot(root);
    store.remove();
  });
  const { code, stdout, stderr } = await runCli([
    'pipeline',
    '--method',
    'async',
    '--concurrency',
    '2',
    '--duration',
    '0.5',
    '--format',
    'seed-tsv',
    '--tmpdir',
    root,
    ...store.args,
  ]);
  assert.equal(code, 0, stderr);
  const lines = stdout.trimEnd().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0] ?? '', /^# /);
  const [row] = plotterRows(stdout);
  assert.ok(row);
  assert.equal(row.gil, 'True');
  assert.equal(row.method, 'async');
  assert.equal(row.concurrency, 2);
  assert.ok(row.aggregateMiBps > 0 && Number.isFinite(row.aggregateMiBps));
  // Column 8 (MiB transferred) ÷ column 10 (elapsed) is column 11, as the seed computes it.
  const columns = (lines[1] ?? '').split('\t').map(Number);
  assert.ok(Math.abs((columns[7] ?? 0) / (columns[9] ?? 1) - row.aggregateMiBps) < 0.01);
  assert.deepEqual(entriesIn(root), [], 'temporary directory removed');
});

test('--sweep appends every run to one file, across invocations', async (t) => {
  const root = makeTempRoot('sweep');
  const store = tempStore('sweep');
  t.after(() => {
    removeTempRoot(root);
    store.remove();
  });
  const output = join(root, 'results.dat');
  const args = [
    'pipeline',
    '--method',
    'threads',
    '--sweep',
    '1,2',
    '--duration',
    '0.3',
    '--format',
    'seed-tsv',
    ...store.args,
  ];
  const first = await runCli([...args, '--output', output, '--tmpdir', root]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, '', 'rows go to the file, not stdout');
  const rows = plotterRows(readFileSync(output, 'utf8'));
  assert.deepEqual(
    rows.map((row) => [row.gil, row.method, row.concurrency]),
    [
      ['False', 'threads', 1],
      ['False', 'threads', 2],
    ],
  );
  assert.equal(
    readFileSync(output, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('#')).length,
    2,
  );
  const second = await runCli([...args, '--output', output, '--tmpdir', root]);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(plotterRows(readFileSync(output, 'utf8')).length, 4);
  assert.deepEqual(entriesIn(root), ['results.dat'], 'only the output file is left');
});

test('bad input is refused with a LAB_E code before anything runs', async (t) => {
  const root = makeTempRoot('bad');
  t.after(() => removeTempRoot(root));
  const blocked = join(root, 'not-a-dir');
  writeFileSync(blocked, '');
  const elsewhere = makeTempRoot('bad-store');
  t.after(() => removeTempRoot(elsewhere));
  const notAStore = join(elsewhere, 'notes.db');
  writeFileSync(notAStore, 'not an SQLite file');
  const cases: [string[], RegExp][] = [
    [['--sweep', '1,0,4'], /LAB_E_BAD_PARAM.*--sweep '0'/],
    [['--sweep', '1,-2'], /LAB_E_BAD_PARAM/],
    [['--sweep', '1,two'], /LAB_E_BAD_PARAM/],
    [['--sweep', '1,,2'], /LAB_E_BAD_PARAM/],
    [['--duration', '0'], /LAB_E_BAD_PARAM.*--duration '0'/],
    [['--duration=-1'], /LAB_E_BAD_PARAM/],
    [['--concurrency', '0'], /LAB_E_BAD_PARAM/],
    [['--output', join(blocked, 'out.tsv')], /LAB_E_IO.*--output/],
    [['--method', 'thread'], /LAB_E_UNKNOWN_MODEL.*did you mean 'threads'/s],
    [['--format', 'csv'], /LAB_E_BAD_PARAM.*format/],
    [['--sweep', '1,2', '--concurrency', '2'], /LAB_E_USAGE/],
    [['--runtime', 'nodejs'], /LAB_E_UNKNOWN_RUNTIME/],
    [['--store', notAStore], /LAB_E_STORE.*not an SQLite database/],
  ];
  for (const [flags, expected] of cases) {
    const { code, stdout, stderr } = await runCli([
      'pipeline',
      '--tmpdir',
      root,
      '--duration',
      '5',
      ...flags,
    ]);
    assert.equal(code, 2, `${flags.join(' ')}: exit 2 (${stderr})`);
    assert.match(stderr, expected, flags.join(' '));
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
    assert.equal(stdout, '');
  }
  assert.deepEqual(entriesIn(root), ['not-a-dir'], 'no run started');
});

test('every method on every runtime writes what it reports', async (t) => {
  const root = makeTempRoot('methods');
  t.after(() => removeTempRoot(root));
  for (const runtimeName of ['node', 'bun', 'deno']) {
    const runtime = resolveRuntime(runtimeName);
    for (const method of pipelineMethods) {
      await t.test(`${runtimeName} ${method}`, async () => {
        const result = await runPipeline(
          { method, concurrency: 2, durationS: 0.3, bufferKiB: 64, recvDelayS: 0.05 },
          { runtime, tmpRoot: root },
        );
        if (result.status === 'skipped') {
          t.diagnostic(`skipped: ${result.reason ?? ''}`);
          return;
        }
        assert.equal(result.status, 'ok', result.reason ?? '');
        const measurement = result.measurement;
        assert.ok(measurement);
        assert.equal(measurement.runtime, runtime.label);
        assert.equal(measurement.pipelines.length, 2);
        for (const tally of measurement.pipelines) assert.ok(tally.iterations >= 1);
        if (method === 'processes') {
          assert.equal(new Set(measurement.pids).size, 2, 'one real process per pipeline');
        } else {
          assert.equal(measurement.pids.length, 1);
        }
        if (method === 'threads')
          assert.equal(new Set(measurement.threadIds).size, 2, 'one thread per pipeline');
        assert.deepEqual(entriesIn(root), [], 'temporary directory removed');
      });
    }
  }
});

test('a measurement the files contradict is rejected', () => {
  const root = makeTempRoot('verify');
  try {
    const options: PipelineOptions = {
      method: 'async',
      concurrency: 1,
      durationS: 1,
      bufferKiB: 1,
      recvDelayS: 0.1,
    };
    writeFileSync(join(root, pipelineFileName(0)), Buffer.alloc(2048));
    const measurement = (bytes: number, iterations: number): PipelineMeasurement => ({
      runtime: 'node@x',
      elapsedS: 1,
      bytesWritten: bytes,
      seqComputeMiBps: 1,
      pipelines: [{ index: 0, iterations, bytesWritten: bytes, elapsedS: 1, startedAtMs: 0, endedAtMs: 1 }],
      pids: [1],
      threadIds: [],
    });
    assert.doesNotThrow(() => verifyAgainstDisk(options, root, measurement(2048, 2)));
    writeFileSync(join(root, pipelineFileName(0)), '');
    assert.throws(() => verifyAgainstDisk(options, root, measurement(0, 0)), /finished no iteration/);
    // Sequential pipelines take turns: one that never got a turn wrote nothing, truly.
    assert.doesNotThrow(() =>
      verifyAgainstDisk({ ...options, method: 'sequential' }, root, measurement(0, 0)),
    );
    writeFileSync(join(root, pipelineFileName(0)), Buffer.alloc(2048));
    assert.throws(() => verifyAgainstDisk(options, root, measurement(3072, 3)), /file has 2048 bytes/);
    assert.throws(
      () => verifyAgainstDisk(options, root, measurement(2048, 3)),
      /reports 2048 bytes for 3 buffers/,
    );
    assert.throws(
      () => verifyAgainstDisk({ ...options, concurrency: 2 }, root, measurement(2048, 2)),
      /1 pipelines/,
    );
  } finally {
    removeTempRoot(root);
  }
});

/** `conlab pipeline` with 3 pipelines for 30 s in a private temp root, once every pipeline has its file open. */
async function pipelineMidRun(
  t: { after(fn: () => void): void },
  name: string,
  method: string,
): Promise<{
  root: string;
  cli: ReturnType<typeof startCli>;
  args: string[];
  store: ReturnType<typeof tempStore>;
}> {
  const root = makeTempRoot(name);
  mkdirSync(root, { recursive: true });
  const store = tempStore(name);
  const args = ['pipeline', '--method', method, '--concurrency', '3', '--duration', '30', '--tmpdir', root];
  const cli = startCli([...args, ...store.args]);
  t.after(() => {
    killQuietly(cli.pid);
    for (const pid of processesMentioning(root)) killQuietly(pid);
    removeTempRoot(root);
    store.remove();
  });
  // Running = the run's directory holds one file per pipeline (each opened before the barrier).
  await waitFor(
    () => {
      const [dir] = entriesIn(root);
      return dir !== undefined && entriesIn(join(root, dir)).length === 3;
    },
    30_000,
    'the pipelines to open their files',
  );
  return { root, cli, args, store };
}

for (const method of ['processes', 'threads'] as const) {
  test(`Ctrl-C during a ${method} run removes the temporary files and leaves no processes`, async (t) => {
    const { root, cli, store } = await pipelineMidRun(t, `sigint-${method}`, method);
    if (method === 'processes')
      assert.ok(processesMentioning(root).length >= 4, 'subject and 3 children running');
    cli.kill('SIGINT');
    const { code } = await exitOf(cli);
    assert.equal(code, 130);
    assert.deepEqual(entriesIn(root), [], 'temporary directory removed');
    await waitFor(() => processesMentioning(root).length === 0, 5000, 'every pipeline process to be gone');
    // The stored run says it was cut short rather than pretending to be complete (or still running).
    const listed = await runCli(['results', 'list', '--json', ...store.args]);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { status: string; storedCells: number }[]).map((run) => [
        run.status,
        run.storedCells,
      ]),
      [['interrupted', 0]],
    );
  });
}

test('SIGKILL of conlab pipeline: the next run removes the folder the killed one left, and leaves nothing', async (t) => {
  const { root, cli, args, store } = await pipelineMidRun(t, 'sigkill', 'processes');
  cli.kill('SIGKILL');
  assert.equal((await exitOf(cli)).signal, 'SIGKILL');
  // (The `processes` children run their blocking loop to the end of --duration after such a kill;
  // the sweep below does not wait for them, and after() stops them.)
  // A killed driver cleans nothing: its folder (named after it) is still there...
  const [left] = entriesIn(root);
  assert.match(left ?? '', new RegExp(`^conlab-pipeline-p${cli.pid}s\\d+-`));
  // ...until the next run, which sweeps folders whose owner is dead, then removes its own.
  const next = await runCli([...args.slice(0, 4), '1', '--duration', '0.3', '--tmpdir', root, ...store.args]);
  assert.equal(next.code, 0, next.stderr);
  assert.deepEqual(entriesIn(root), [], 'nothing left on disk');
});
