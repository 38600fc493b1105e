/**
 * `conlab preset`: listing, bad input, and the answers to seed 002's questions
 * computed from fixed rows (pure, exact).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEED002_CSV_HEADER, answerSeed002, type Seed002Row } from '../../src/seeds/presets/seed002.ts';
import { makeTempRoot, removeTempRoot, runCli } from './helpers.ts';

test('--list names the three presets and the commands of seeds 001 and 003', async () => {
  const { code, stdout } = await runCli(['preset', '--list']);
  assert.equal(code, 0);
  for (const name of ['seed000', 'seed002', 'seed004', 'conlab pipeline', 'conlab batch --preset seed003']) {
    assert.ok(stdout.includes(name), name);
  }
});

test('bad preset input exits 2 with a LAB_E code and no stack', async (t) => {
  const dir = makeTempRoot('bad-preset');
  t.after(() => removeTempRoot(dir));
  const notAStore = join(dir, 'notes.db');
  writeFileSync(notAStore, 'not an SQLite file');
  const cases: [string[], RegExp][] = [
    [['seed04'], /LAB_E_UNKNOWN_PRESET.*did you mean 'seed004'/s],
    [[], /LAB_E_USAGE/],
    [['seed004', '--duration', '0'], /LAB_E_BAD_PARAM/],
    [['seed004', '--clients', '0'], /LAB_E_BAD_PARAM/],
    [['seed004', '--archs', 'cluster'], /LAB_E_UNKNOWN_ARCH/],
    [['seed000', '--format', 'xml'], /LAB_E_BAD_PARAM/],
    [['seed002', '--output', '/nonexistent-dir/x.csv'], /LAB_E_IO/],
    [['seed004', '--store', notAStore], /LAB_E_STORE.*not an SQLite database/],
  ];
  for (const [args, expected] of cases) {
    const { code, stderr } = await runCli(['preset', ...args]);
    assert.equal(code, 2, `${args.join(' ')} → ${stderr}`);
    assert.match(stderr, expected);
    assert.doesNotMatch(stderr, /\n\s+at /);
  }
});

test('seed002 answers: processes win only beyond the noise margin; tail latency compares single and offload', () => {
  const row = (
    workload: string,
    arch: Seed002Row['arch'],
    concurrency: number,
    rps: number,
    p99Ms: number,
  ): Seed002Row => ({
    workload,
    iters: 80_000,
    arch,
    workers: 1,
    threads: 0,
    concurrency,
    status: 'ok',
    reason: undefined,
    rps,
    requests: 1000,
    errors: 0,
    p50Ms: p99Ms / 2,
    p95Ms: p99Ms,
    p99Ms,
    cpuPercent: 100,
    memoryMiB: 50,
    clientCpuPercent: 5,
    pids: [1],
  });
  const answers = answerSeed002([
    row('cpu-80k', 'single', 1, 10, 100),
    row('cpu-80k', 'offload', 1, 10, 100),
    row('cpu-80k', 'reuseport', 1, 10.5, 100),
    row('cpu-80k', 'single', 16, 10, 1600),
    row('cpu-80k', 'offload', 16, 18, 900),
    row('cpu-80k', 'reuseport', 16, 30, 500),
    row('io', 'single', 1, 800, 5),
    row('io', 'offload', 1, 800, 5),
    row('io', 'cluster', 1, 800, 5),
    row('io', 'single', 16, 1000, 20),
    row('io', 'offload', 16, 900, 40),
    row('io', 'cluster', 16, 700, 30),
  ]);
  assert.deepEqual(
    answers.processesWin.map((line) => line.split(' — ')[0]),
    [
      'cpu-80k at concurrency 1: tie',
      'cpu-80k at concurrency 16: processes win',
      'io at concurrency 1: tie',
      'io at concurrency 16: in-process wins',
    ],
  );
  assert.match(answers.tailLatency[0] ?? '', /^cpu-80k at concurrency 16: no — /);
  assert.match(
    answers.tailLatency[1] ?? '',
    /^io at concurrency 16: yes — .*grew 4\.0x for single and 8\.0x for offload/,
  );
  const few = answerSeed002([
    { ...row('cpu-300k', 'single', 1, 0.2, 3000), requests: 1 },
    { ...row('cpu-300k', 'offload', 1, 0.2, 3000), requests: 1 },
    { ...row('cpu-300k', 'prefork', 1, 0.4, 2000), requests: 2 },
    { ...row('cpu-300k', 'single', 4, 1, 3000), requests: 5 },
    { ...row('cpu-300k', 'offload', 4, 1, 3000), requests: 5 },
  ]);
  assert.match(few.processesWin[0] ?? '', /^cpu-300k at concurrency 1: cannot tell — fewer than 20 replies/);
  assert.match(few.tailLatency[0] ?? '', /^cpu-300k: cannot tell/);
  assert.ok(
    SEED002_CSV_HEADER.startsWith(
      'workload,iters,architecture,runtime,concurrency,throughput_rps,p50_ms,p95_ms,p99_ms',
    ),
  );
});
