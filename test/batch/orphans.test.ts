/**
 * `conlab batch` killed mid-run, with Ctrl-C (SIGINT) and with SIGKILL:
 * nothing it started outlives it. The sequential model keeps the subject's
 * event loop busy for the whole run, so after SIGKILL only the driver's
 * reaper can end it in time; the process pool adds worker processes to the
 * subject's group; the seed 003 preset is the same path with its own flags.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { killMidRun } from '../fixtures/orphans.ts';

const runs: { name: string; args: string[]; minGroupSize: number }[] = [
  {
    name: 'sequential (a blocked event loop)',
    // About 20 s of cpu.js on one thread: far longer than the test waits.
    args: ['--workload', 'cpu.js', '--param', 'iters=20000000', '--items', '100', '--models', 'sequential'],
    minGroupSize: 1,
  },
  {
    // Sequential (the baseline) runs first, ~4 s; the two-process pool gets killed about 1 s into its ~2 s.
    name: 'processes (a pool of worker processes)',
    args: ['--workload', 'io.sleep', '--param', 'scale=1', '--items', '12', '--models', 'processes'],
    minGroupSize: 3,
  },
  { name: '--preset seed003-io', args: ['--preset', 'seed003-io'], minGroupSize: 1 },
];

for (const run of runs) {
  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    test(`batch ${run.name}: ${signal} mid-run leaves no process`, async (t) => {
      const result = await killMidRun(t, {
        args: ['batch', ...run.args, '--concurrency', '2', '--reps', '1'],
        signal,
        minGroupSize: run.minGroupSize,
      });
      if (signal === 'SIGINT') {
        assert.equal(result.code, 130, result.stderr);
        assert.match(result.stderr, /interrupted by SIGINT; every subject process was killed/);
      } else assert.equal(result.exitSignal, 'SIGKILL');
    });
  }
}
