import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hdr, summarizeLatency } from '../../src/stats/hdr.ts';
import type { BatchCell, RunData, ServerCell } from '../../src/results/record.ts';
import { mergeRepetitions } from '../../src/results/merge.ts';
import { conclusionText } from '../../src/report/conclusion.ts';
import { compareRuns } from '../../src/results/compare.ts';
import { batchRecord, env, histogramOf, pipelineRecord, serverRecord } from './fixtures.ts';
import type { PipelineCell } from '../../src/results/record.ts';

function runOf(runId: string, cells: RunData['cells']): RunData {
  return {
    run: {
      runId,
      suiteName: 's',
      command: 'run',
      status: 'complete',
      startedAt: 'x',
      endedAt: 'y',
      env,
      suite: {},
    },
    cells,
  };
}

test('batch repetitions merge into one record: durations concatenated, mean/stdev recomputed, speedup vs sequential', () => {
  const merged = mergeRepetitions([
    batchRecord('sequential', 0, 1000),
    batchRecord('threads', 0, 480),
    batchRecord('sequential', 1, 1100),
    batchRecord('threads', 1, 520),
    batchRecord('sequential', 2, 900),
    batchRecord('threads', 2, 500),
  ]) as BatchCell[];
  assert.equal(merged.length, 2);
  const [sequential, threads] = merged as [BatchCell, BatchCell];
  assert.deepEqual(sequential.durationsMs, [1000, 1100, 900]);
  assert.deepEqual(sequential.repetitions, [0, 1, 2]);
  assert.equal(sequential.durationMs, 1000);
  assert.equal(sequential.durationStdevMs, 100);
  assert.equal(threads.durationMs, 500);
  assert.equal(threads.itemsPerSec, 32);
  assert.equal(threads.speedup, 2);
  assert.equal(threads.efficiency, 1);
  assert.equal(threads.peakRssBytes, 50_000_002, 'peak is the max over repetitions');
  assert.deepEqual(sequential.verdicts, [], 'cv 10% is not above the noise threshold');
  const [noisy] = mergeRepetitions([batchRecord('threads', 0, 400), batchRecord('threads', 1, 600)]);
  assert.deepEqual(noisy?.verdicts, ['noisy'], 'spread across repetitions is flagged after merging');
});

test('calibrated repetitions merge per pass: windows concatenated, one size, precision over every repetition', () => {
  const sizing = { rounds: 4, minWindowMs: 1000, fastestRoundMs: 300, fastest: 'threads c=2', capped: false };
  const records = [1000, 1020, 980].map((ms, r) =>
    batchRecord('threads', r, ms / 4, { sizing, windowsMs: [ms], precisionPercent: r === 0 ? null : 50 }),
  );
  const [merged] = mergeRepetitions(records) as [BatchCell];
  assert.deepEqual(merged.durationsMs, [250, 255, 245]);
  assert.deepEqual(merged.windowsMs, [1000, 1020, 980]);
  assert.deepEqual(merged.sizing, sizing);
  // s = 5 on a mean of 250, n = 3: 4.302652729749462 · 5 / √3 / 250 = 4.97%, not any record's "so far".
  assert.ok(Math.abs((merged.precisionPercent ?? 0) - (4.302652729749462 * 5) / Math.sqrt(3) / 2.5) < 1e-9);
  // Older records: their one pass was their window.
  const [old] = mergeRepetitions([batchRecord('threads', 0, 500), batchRecord('threads', 1, 510)]) as [
    BatchCell,
  ];
  assert.deepEqual(old.windowsMs, [500, 510]);
});

test('a failed repetition fails the merged cell and keeps its reason; disagreeing answers make it invalid', () => {
  const [failed] = mergeRepetitions([
    batchRecord('threads', 0, 500),
    batchRecord('threads', 1, 0, { status: 'failed', reason: 'subject exited on SIGSEGV', durationsMs: [] }),
  ]);
  assert.equal(failed?.status, 'failed');
  assert.match(failed?.reason ?? '', /1 of 2 repetitions not ok: subject exited on SIGSEGV/);
  assert.deepEqual((failed as BatchCell).durationsMs, [500]);
  const [invalid] = mergeRepetitions([
    batchRecord('threads', 0, 500),
    batchRecord('threads', 1, 500, { answer: 'xyz' }),
  ]);
  assert.equal(invalid?.status, 'invalid');
});

test('server repetitions: histograms merged and percentiles read from the merge, never averaged', () => {
  const fast = Array.from({ length: 99 }, () => 100);
  const slow = [...Array.from({ length: 90 }, () => 100), ...Array.from({ length: 10 }, () => 10_000)];
  const [merged] = mergeRepetitions([
    serverRecord('cluster', 0, 1000, fast),
    serverRecord('cluster', 1, 1200, slow),
  ]) as [ServerCell];
  const expected = new Hdr();
  for (const v of [...fast, ...slow]) expected.record(v);
  assert.deepEqual(merged.latencyUs, summarizeLatency(expected));
  // p99 of the merged 199 values is in the slow tail; the average of the two p99s would be ~5050 µs.
  assert.ok(merged.latencyUs.p99 >= 9990, `p99 ${merged.latencyUs.p99}`);
  assert.equal(merged.histogram, histogramOf([...fast, ...slow]));
  assert.deepEqual(merged.rpsPerRep, [1000, 1200]);
  assert.equal(merged.rps, 1100);
  assert.equal(merged.requests, 199);
  assert.deepEqual(merged.errors, { timeout: 1 });
});

test('the conclusion states speedups from the data, with intervals and precision, and the best server', () => {
  const cells = [
    ...[1000, 1010, 990].map((ms, r) => batchRecord('sequential', r, ms)),
    ...[520, 530, 510].map((ms, r) => batchRecord('processes', r, ms)),
    ...[525, 515, 530].map((ms, r) => batchRecord('threads', r, ms)),
    ...[1000, 1020, 985].map((ms, r) => batchRecord('async', r, ms)),
    ...[9000, 9100, 8900].map((rps, r) => serverRecord('cluster', r, rps, [100, 200, 300])),
    ...[5000, 5100, 4900].map((rps, r) => serverRecord('single', r, rps, [100, 200, 5000])),
  ];
  const text = conclusionText(runOf('r', cells));
  // Beyond doubt first; async's narrow interval around 1× is a finding too ("no faster"), not an open question.
  assert.match(
    text,
    /^For cpu.sha256 on 2 cores \(times ±2\.5–4\.8%\), processes \(c=2\) were 1\.92× faster than sequential \[1\.8\d–2\.0\d\]; threads \(c=2\) 1\.91× \[[\d.–]+\]; async \(c=2\) no faster than sequential \(1\.00× \[0\.9\d–1\.0\d\]: the same within 3\.6%\)\./,
  );
  assert.match(
    text,
    /For \/hello at 32 connections \(req\/s ±2\.8–5\.0%\), cluster had the best throughput \(9000 req\/s, 1\.80× single \[[\d.–]+\]\) and the lowest p99/,
  );
});

test('the conclusion says why a comparison cannot be told, and when a parallel model falls short of its workers', () => {
  const cells = [
    ...[1000, 1010, 990].map((ms, r) => batchRecord('sequential', r, ms)),
    // Threads barely faster and well short of their 2 workers; processes too spread out to tell.
    ...[900, 910, 905].map((ms, r) => batchRecord('threads', r, ms)),
    ...[800, 1000, 900].map((ms, r) => batchRecord('processes', r, ms)),
  ];
  const text = conclusionText(runOf('r', cells));
  assert.match(text, /threads \(c=2\) were 1\.10× faster than sequential \[1\.0\d–1\.1\d\], short of 2×/);
  assert.match(
    text,
    /processes \(c=2\) 1\.11× \[0\.\d\d–1\.\d\d\], not distinguishable: the interval holds 1× \(sequential varies ±2\.5%, processes ±28%\)/,
  );
  const one = conclusionText(
    runOf('r', [batchRecord('sequential', 0, 1000), batchRecord('threads', 0, 500)]),
  );
  assert.match(one, /threads \(c=2\) 2\.00×, too few repetitions to tell \(1\)/);
});

test('with repetitions: auto the conclusion names the cells that did not reach the target precision', () => {
  const adaptive = { minRepetitions: 3, maxRepetitions: 3, targetPercent: 5 };
  const cells = [
    ...[1000, 1010, 990].map((ms, r) => batchRecord('sequential', r, ms, { adaptive })),
    ...[500, 560, 530].map((ms, r) => batchRecord('threads', r, ms, { adaptive })),
  ];
  const text = conclusionText(runOf('r', cells));
  assert.match(
    text,
    /\(times ±2\.5–14%; precision not reached \(target ±5%\): threads \(c=2\) 14%\), threads/,
  );
  assert.match(text, /Repetitions were adaptive \(at least 3, until ±5%\): 1 of 2 cells reached it\./);
});

test('compare: a synthetic 2× difference is significant; identical runs are not', () => {
  const a = runOf(
    'A',
    [1000, 1040, 980, 1010].map((ms, r) => batchRecord('threads', r, ms)),
  );
  const b = runOf(
    'B',
    [500, 510, 495, 505].map((ms, r) => batchRecord('threads', r, ms)),
  );
  const twice = compareRuns(a, b);
  assert.equal(twice.cells.length, 1);
  const [cell] = twice.cells;
  assert.ok(cell);
  assert.ok(Math.abs(cell.ratio.ratio - 0.5) < 0.01);
  assert.ok(cell.ratio.high !== null && cell.ratio.high < 1);
  assert.equal(cell.mark, '**');
  assert.equal(cell.verdict, 'B 2.00× faster');

  const same = compareRuns(a, runOf('A2', a.cells));
  assert.equal(same.cells[0]?.ratio.ratio, 1);
  assert.equal(same.cells[0]?.p, 1);
  assert.equal(same.cells[0]?.mark, '');
  assert.equal(same.cells[0]?.verdict, 'no significant difference');

  // A noisy small difference is not called significant either.
  const noisy = runOf(
    'N',
    [1300, 700, 1150, 900].map((ms, r) => batchRecord('threads', r, ms)),
  );
  assert.equal(compareRuns(a, noisy).cells[0]?.mark, '');
  // Unmatched cells are listed, not compared.
  const other = runOf('O', [batchRecord('processes', 0, 400)]);
  const unmatched = compareRuns(a, other);
  assert.equal(unmatched.cells.length, 0);
  assert.equal(unmatched.onlyInA.length, 1);
  assert.equal(unmatched.onlyInB.length, 1);
});

test('pipeline repetitions merge on MiB/s; compare judges them higher-is-better; the conclusion names the best', () => {
  const a = runOf('A', [
    ...[2.4, 2.45, 2.42].map((mibps, r) => pipelineRecord('async', 1, r, mibps)),
    ...[9.5, 9.6, 9.4].map((mibps, r) => pipelineRecord('async', 4, r, mibps)),
  ]);
  const [one, four] = mergeRepetitions(a.cells) as PipelineCell[];
  assert.ok(one && four);
  assert.deepEqual(four.aggregateMiBpsPerRep, [9.5, 9.6, 9.4]);
  assert.ok(Math.abs(four.aggregateMiBps - 9.5) < 1e-9);
  assert.ok(Math.abs(four.perPipelineMiBps - 9.5 / 4) < 1e-9);
  assert.deepEqual(four.repetitions, [0, 1, 2]);
  assert.equal(four.peakRssBytes, 70_000_002, 'peak of the peaks');

  const faster = runOf(
    'B',
    [19.0, 19.2, 18.8].map((mibps, r) => pipelineRecord('async', 4, r, mibps)),
  );
  const [cell] = compareRuns(a, faster).cells;
  assert.ok(cell);
  assert.deepEqual([cell.metric, cell.higherIsBetter, cell.mark], ['aggregateMiBps', true, '**']);
  assert.ok(Math.abs(cell.ratio.ratio - 2) < 0.01);
  assert.equal(cell.verdict, 'B 2.00× more throughput');

  assert.match(
    conclusionText(a),
    /For the I\/O pipeline \(256 KiB buffers, 0\.1 s receive delay\), async with 4 pipelines wrote the most \(9\.50 MiB\/s, 95% of the 10\.0 MiB\/s its receive delay allows\), 3\.9× its rate with 1 \[[\d.–]+\]/,
  );
});
