/** The batch tables are pure functions: seed 003 names, columns, notes for failed cells, the platform footer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchmarkName, renderBatchTable, renderSeed003Table } from '../../src/batch/driver/table.ts';
import { RESULT_SCHEMA_VERSION, type BatchCell, type EnvironmentInfo } from '../../src/results/record.ts';

function cell(overrides: Partial<BatchCell>): BatchCell {
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    kind: 'batch',
    cellKey: 'k',
    runtime: 'node@24.21.0',
    status: 'ok',
    verdicts: [],
    pids: [1],
    startedAt: '2026-01-01T00:00:00.000Z',
    repetitions: [0, 1],
    workload: 'io.sleep',
    params: {},
    model: 'sequential',
    concurrency: 1,
    threadsPerProcess: 1,
    itemsPerTask: 1,
    items: 50,
    durationsMs: [21000, 23000],
    durationMs: 22000,
    durationStdevMs: 1414.2,
    itemsPerSec: 50 / 22,
    speedup: 1,
    efficiency: 1,
    cpuPercent: 1.4,
    peakRssBytes: 40 * 1024 * 1024,
    answer: 22121164,
    ...overrides,
  };
}

const env: EnvironmentInfo = {
  cpuModel: 'Test CPU',
  cores: 2,
  governor: null,
  memoryBytes: 1,
  kernel: '6.1',
  os: 'linux-x64',
  runtimes: ['node@24.21.0'],
  conlabVersion: '0.1.0',
  conlabCommit: 'abc',
  loadAverage1m: 0,
  hostname: 'h',
  capturedAt: '2026-01-01T00:00:00.000Z',
};

test("benchmark names follow seed 003's wording", () => {
  assert.equal(benchmarkName(cell({})), 'Sequential IO heavy processing');
  assert.equal(
    benchmarkName(cell({ model: 'processes', concurrency: 8, itemsPerTask: 5 })),
    'Multiprocessed IO heavy processing (8 processes, 5 items per task)',
  );
  assert.equal(
    benchmarkName(cell({ model: 'threads', concurrency: 2, workload: 'cpu.rotate' })),
    'Threaded CPU heavy processing (2 threads, 1 item per task)',
  );
  assert.equal(benchmarkName(cell({ model: 'nope' })), 'nope io.sleep');
});

test('the batch table shows mean ± stdev, speedup and the reason of a failed cell', () => {
  const text = renderBatchTable([
    cell({}),
    cell({
      model: 'async',
      concurrency: 50,
      durationsMs: [1000],
      durationMs: 1000,
      speedup: 22,
      efficiency: 22,
    }),
    cell({
      model: 'threads',
      concurrency: 2,
      status: 'failed',
      reason: 'worker thread exited with code 3',
      durationsMs: [],
      speedup: null,
      efficiency: null,
    }),
  ]);
  const lines = text.split('\n');
  assert.match(
    lines[0] ?? '',
    /^Benchmark\s+Mean time \(sec\)\s+±95%\s+Memory\s+Items\/s\s+Speedup\s+Efficiency\s+CPU\s+Answer\s+Status$/,
  );
  assert.match(text, /Sequential IO heavy processing\s+22\.000 ± 1\.414\s+±58%\s+40\.0MiB/);
  assert.match(text, /Truly-asynchronous IO heavy processing \(50 in flight\)\s+1\.000\s.*22\.00x\s+2200%/);
  assert.match(text, /Threaded IO heavy processing \(2 threads, 1 item per task\)\s+-.*failed/);
  assert.match(text, /\[node@24\.21\.0\]: failed: worker thread exited with code 3/);
  assert.doesNotMatch(lines[0] ?? '', /Runtime/, 'one runtime: no runtime column');
});

test('a calibrated run shows the passes each window ran; the time stays per pass', () => {
  const sizing = { rounds: 3, minWindowMs: 1000, fastestRoundMs: 400, fastest: 'threads c=2', capped: false };
  const text = renderBatchTable([cell({ sizing }), cell({ model: 'async', concurrency: 50, sizing })]);
  assert.match(text.split('\n')[0] ?? '', /Mean time \(sec\)\s+±95%\s+Passes\s+Memory/);
  assert.match(text, /Sequential IO heavy processing\s+22\.000 ± 1\.414\s+±58%\s+3\s+40\.0MiB/);
});

test('the seed 003 table carries the title and the platform footer', () => {
  const text = renderSeed003Table([cell({}), cell({ runtime: 'bun@1.4.5' })], env);
  assert.ok(text.startsWith('Concurrency/asynchronicity benchmark\n'));
  assert.match(text, /Runtime\s+Mean time/, 'two runtimes: runtime column');
  assert.match(text, /Platform: linux-x64 \(kernel 6\.1\)/);
  assert.match(text, /CPU Count: 2/);
  assert.match(text, /Runtime versions: node@24\.21\.0, bun@1\.4\.5/);
  assert.match(text, /conlab version: 0\.1\.0 \(abc\)/);
});
