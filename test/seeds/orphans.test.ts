/**
 * Every seed command killed mid-run, with Ctrl-C (SIGINT) and with SIGKILL:
 * nothing it started outlives it. The pipeline's processes method runs a
 * child per pipeline inside the subject's group; its sequential method blocks
 * the subject's event loop for the whole run (only the driver's reaper can
 * end it in time after SIGKILL); the presets run server process groups
 * under load. Cells are short; each run is killed in its first cell.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { killMidRun } from '../fixtures/orphans.ts';
import { makeTempRoot, removeTempRoot, entriesIn } from './helpers.ts';

const presetRuns: { name: string; args: string[]; minGroupSize: number }[] = [
  { name: 'preset seed000', args: ['preset', 'seed000', '--quick', '--duration', '20'], minGroupSize: 1 },
  { name: 'preset seed002', args: ['preset', 'seed002', '--quick', '--duration', '20'], minGroupSize: 1 },
  { name: 'preset seed004', args: ['preset', 'seed004', '--quick', '--duration', '20'], minGroupSize: 1 },
];

for (const signal of ['SIGINT', 'SIGKILL'] as const) {
  for (const run of presetRuns) {
    test(`${run.name}: ${signal} mid-run leaves no process`, async (t) => {
      const result = await killMidRun(t, {
        args: run.args,
        signal,
        minGroupSize: run.minGroupSize,
        delayMs: 1000,
      });
      if (signal === 'SIGINT') {
        assert.equal(result.code, 130, result.stderr);
        assert.match(result.stderr, /interrupted by SIGINT; every server process was killed/);
      } else assert.equal(result.exitSignal, 'SIGKILL');
    });
  }

  // processes: the subject's own children (one per pipeline) must go with it, too.
  test(`pipeline --method processes: ${signal} mid-run leaves no process`, async (t) => {
    const root = makeTempRoot(`orphans-processes-${signal}`);
    t.after(() => removeTempRoot(root));
    const result = await killMidRun(t, {
      args: ['pipeline', '--method', 'processes', '--concurrency', '2', '--duration', '30', '--tmpdir', root],
      signal,
      // The subject and its two pipeline processes are up: killed mid-run, not at start.
      minGroupSize: 3,
    });
    if (signal === 'SIGINT') assert.equal(result.code, 130, result.stderr);
    else assert.equal(result.exitSignal, 'SIGKILL');
  });

  test(`pipeline --method sequential: ${signal} mid-run leaves no process`, async (t) => {
    const root = makeTempRoot(`orphans-${signal}`);
    t.after(() => removeTempRoot(root));
    const result = await killMidRun(t, {
      args: [
        'pipeline',
        '--method',
        'sequential',
        '--concurrency',
        '2',
        '--duration',
        '30',
        '--tmpdir',
        root,
      ],
      signal,
    });
    if (signal === 'SIGINT') {
      assert.equal(result.code, 130, result.stderr);
      // Ctrl-C also removes the run's temporary directory (SIGKILL cannot: the next run's is another).
      assert.deepEqual(entriesIn(root), []);
    } else assert.equal(result.exitSignal, 'SIGKILL');
  });
}
