/**
 * `conlab batch` end to end: bad input exits 2 with a LAB_E code and the
 * allowed values (no stack trace), a small real run prints valid JSON with
 * verified answers, and failing workers fail their cells while the run goes
 * on and leaves no process behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESULT_SCHEMA_VERSION } from '../../src/results/record.ts';
import { workloadNames } from '../../src/workloads/index.ts';
import { runBatchCli, runtimeOrSkip, type Finished } from './helpers.ts';

const batch = runBatchCli;

function assertBadInput(
  finished: { code: number | null; stderr: string },
  code: string,
  pattern: RegExp,
): void {
  assert.equal(finished.code, 2, finished.stderr);
  assert.match(finished.stderr, new RegExp(code));
  assert.match(finished.stderr, pattern);
  assert.doesNotMatch(finished.stderr, /\n\s+at /, 'no stack trace without --debug');
}

test('an unknown workload exits 2 and lists the workloads', async () => {
  const finished = await batch(['--workload', 'nope']);
  assertBadInput(finished, 'LAB_E_UNKNOWN_WORKLOAD', /allowed:/);
  for (const name of workloadNames) assert.ok(finished.stderr.includes(name), name);
});

test('bad models, levels, items and params exit 2 with the allowed values', async () => {
  const cases: [string[], string, RegExp][] = [
    [['--workload', 'echo', '--models', 'thread'], 'LAB_E_UNKNOWN_MODEL', /did you mean 'threads'/],
    [['--workload', 'echo', '--models', 'threads', '--concurrency', '0'], 'LAB_E_BAD_PARAM', /1\.\.10000/],
    [
      ['--workload', 'echo', '--models', 'threads', '--concurrency', '2,300'],
      'LAB_E_BAD_PARAM',
      /threads concurrency '300'.*1\.\.256/,
    ],
    [['--workload', 'echo', '--items', 'ten'], 'LAB_E_BAD_PARAM', /--items 'ten'/],
    [['--workload', 'cpu.primes', '--param', 'limit=1'], 'LAB_E_BAD_PARAM', /limit.*2\.\.100000000/],
    [['--workload', 'cpu.primes', '--param', 'size=3'], 'LAB_E_BAD_PARAM', /allowed: limit/],
    [['--preset', 'seed004'], 'LAB_E_UNKNOWN_PRESET', /seed003-io/],
    [['--workload', 'echo', '--runtime', 'nodejs'], 'LAB_E_UNKNOWN_RUNTIME', /node/],
    [[], 'LAB_E_USAGE', /--workload or --preset/],
    [['--workload', 'cpu.sha256', '--store', 'x.db'], 'LAB_E_USAGE', /--store applies to --preset runs/],
    // A minimum window, a precision or a maximum that is zero, negative or absurd names the flag and its range.
    [
      ['--workload', 'echo', '--min-window', '0'],
      'LAB_E_BAD_PARAM',
      /--min-window '0' is outside 0\.01s\.\.600s/,
    ],
    [['--workload', 'echo', '--min-window=-1s'], 'LAB_E_BAD_PARAM', /--min-window '-1s'.*0\.01s\.\.600s/],
    [['--workload', 'echo', '--min-window', '7d'], 'LAB_E_BAD_PARAM', /--min-window '7d' is not a duration/],
    [['--workload', 'echo', '--min-window', '10080m'], 'LAB_E_BAD_PARAM', /--min-window '10080m'/],
    [
      ['--workload', 'echo', '--reps', 'auto', '--precision', '0%'],
      'LAB_E_BAD_PARAM',
      /--precision '0%' is not a percentage in 0\.1%\.\.50%/,
    ],
    [['--workload', 'echo', '--reps', 'auto', '--precision=-3'], 'LAB_E_BAD_PARAM', /--precision '-3'/],
    [
      ['--workload', 'echo', '--reps', 'auto', '--max-reps', '2'],
      'LAB_E_BAD_PARAM',
      /--max-reps '2' is not a whole number in 3\.\.100/,
    ],
    [['--workload', 'echo', '--reps', 'sometimes'], 'LAB_E_BAD_PARAM', /--reps 'sometimes'/],
    [['--workload', 'echo', '--reps', '3', '--precision', '5%'], 'LAB_E_USAGE', /only apply to --reps auto/],
  ];
  // Concurrently: each is a short-lived CLI that exits before starting any subject.
  const finished = await Promise.all(cases.map(([args]) => batch(args)));
  cases.forEach(([, code, pattern], i) => assertBadInput(finished[i] as Finished, code, pattern));
});

interface JsonDoc {
  schemaVersion: number;
  env: { cores: number };
  results: Record<string, unknown>[];
}

test('--json prints one document with verified answers and speedups', async () => {
  const finished = await batch([
    '--workload',
    'cpu.primes',
    '--param',
    'limit=20000',
    '--items',
    '4',
    '--models',
    'sequential,threads,processes',
    '--concurrency',
    '2',
    '--reps',
    '2',
    '--min-window',
    '100ms',
    '--json',
  ]);
  assert.equal(finished.code, 0, finished.stderr);
  const doc = JSON.parse(finished.stdout) as JsonDoc;
  assert.equal(doc.schemaVersion, RESULT_SCHEMA_VERSION);
  // One size for the group: every model did the same work as its baseline.
  const sizes = new Set(doc.results.map((r) => JSON.stringify(r.sizing)));
  assert.equal(sizes.size, 1, [...sizes].join(' vs '));
  assert.equal((doc.results[0]?.sizing as { minWindowMs: number }).minWindowMs, 100);
  assert.match(finished.stderr, /calibrating node@\S+ cpu\.primes \(3 cells\) for a 0\.1 s window/);
  assert.ok(doc.env.cores >= 1);
  assert.deepEqual(
    doc.results.map((r) => r.model),
    ['sequential', 'threads', 'processes'],
  );
  for (const result of doc.results) {
    for (const field of [
      'workload',
      'model',
      'concurrency',
      'itemsPerTask',
      'status',
      'durationMs',
      'itemsPerSec',
      'speedup',
      'efficiency',
      'cpuPercent',
      'peakRssBytes',
      'answer',
      'windowsMs',
      'precisionPercent',
    ]) {
      assert.ok(field in result, `${String(result.model)} has ${field}`);
    }
    assert.equal(result.status, 'ok', String(result.reason));
    assert.equal(result.answer, 2262);
    assert.equal(typeof result.speedup, 'number');
    assert.equal((result.durationsMs as number[]).length, 2);
    assert.ok((result.peakRssBytes as number) > 0);
  }
  assert.match(finished.stderr, /\[3\/3\]/, 'progress lines on stderr');
});

const systemNode = runtimeOrSkip('system-node');
const oldNode =
  typeof systemNode === 'string'
    ? systemNode
    : Number(systemNode.version.split('.')[0]) >= 22
      ? `system node ${systemNode.version} may run TypeScript (22.18+ strips types); nothing to skip`
      : false;

test('a runtime that cannot run subjects is a named skip, not a failure', { skip: oldNode }, async () => {
  const finished = await batch([
    '--workload',
    'echo',
    '--items',
    '3',
    '--models',
    'sequential',
    '--runtime',
    'system-node',
    '--reps',
    '1',
    '--json',
  ]);
  assert.equal(finished.code, 0, finished.stderr);
  const [result] = (JSON.parse(finished.stdout) as JsonDoc).results;
  assert.equal(result?.status, 'skipped');
  assert.match(String(result?.reason), /^unsupported on node@\d+\.\d+\.\d+ \(cannot run TypeScript/);
});
