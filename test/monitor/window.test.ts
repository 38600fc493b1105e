import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chooseIntervalMs,
  judgedWindow,
  measureWindow,
  overlapShare,
  sampleSpans,
  weightedWindowMean,
} from '../../src/monitor/window.ts';
import { cellVerdicts } from '../../src/monitor/verdicts.ts';
import { placeholderSummary } from '../../src/monitor/index.ts';
import type { MonitorReport } from '../../src/monitor/types.ts';

/** A report with one sample per entry: [end of its span in ms, tree %, outside %, driver %]. */
function report(samples: [number, number, number, number][], intervalMs = 100): MonitorReport {
  const last = samples.at(-1)?.[0] ?? 0;
  return {
    available: true,
    intervalMs,
    durationMs: last,
    cores: 2,
    perCore: [],
    tree: samples.map(([tMs, cpuPercent]) => ({ tMs, cpuPercent, rssBytes: 0, processCount: 1 })),
    machine: samples.map(([tMs, , outsideCpuPercent, driverCpuPercent]) => ({
      tMs,
      outsideCpuPercent,
      driverCpuPercent,
    })),
    pids: [],
    summary: placeholderSummary(0),
    eventLoop: [],
  };
}

test('each sample covers the time since the previous one; the first starts at the monitor’s first reading', () => {
  assert.deepEqual(sampleSpans([{ tMs: 100 }, { tMs: 200 }, { tMs: 260 }]), [
    { fromMs: 0, toMs: 100 },
    { fromMs: 100, toMs: 200 },
    { fromMs: 200, toMs: 260 },
  ]);
  assert.equal(overlapShare({ fromMs: 0, toMs: 100 }, { offsetMs: 25, durationMs: 1000 }), 0.75);
  assert.equal(overlapShare({ fromMs: 0, toMs: 100 }, { offsetMs: 100, durationMs: 50 }), 0);
  assert.equal(overlapShare({ fromMs: 50, toMs: 50 }, { offsetMs: 0, durationMs: 100 }), 0);
});

test('a sample straddling the start counts by its overlap, not whole', () => {
  // Window from 40 ms to 240 ms. Sample 1 (0–100) is 60% inside; samples 2 (100–200) whole; sample 3 (200–300) 40%.
  const spans = sampleSpans([{ tMs: 100 }, { tMs: 200 }, { tMs: 300 }]);
  const mean = weightedWindowMean(spans, [0, 100, 100], { offsetMs: 40, durationMs: 200 });
  // Σ overlapMs × value / Σ overlapMs = (60×0 + 100×100 + 40×100) / 200 = 70: the idle start weighs 60 ms, not 100.
  assert.equal(mean.mean, 70);
  assert.equal(mean.samples, 2);
  assert.equal(mean.coveredMs, 200);
  // Counted whole, the straddling sample would have given (0 + 100 + 100) / 3 = 66.7.
});

test('a sample straddling the end counts by its overlap, not whole', () => {
  // Window 0–150 ms; the last sample (100–200) is half inside and was busy with something after the window.
  const measured = measureWindow(
    report([
      [100, 100, 0, 1],
      [200, 0, 180, 3],
    ]),
    { offsetMs: 0, durationMs: 150 },
  );
  assert.ok(measured);
  // tree (100×100 + 50×0) / 150; outside (100×0 + 50×180) / 150; driver (100×1 + 50×3) / 150.
  assert.equal(measured.treeCpuPercent, 66.67);
  assert.equal(measured.outsideCpuPercent, 60);
  assert.equal(measured.driverCpuPercent, 1.67);
  assert.equal(measured.samples, 1.5);
  assert.equal(measured.coveredMs, 150);
  assert.equal(measured.tooShort, true);
});

test('a window shorter than one interval weighs the one sample it falls in by its share, and is too short', () => {
  const measured = measureWindow(
    report([
      [100, 50, 10, 0],
      [200, 150, 30, 0],
    ]),
    { offsetMs: 120, durationMs: 30 },
  );
  assert.ok(measured);
  // Only the second sample overlaps, 30 of its 100 ms: its rates are the window's, on 0.3 samples of evidence.
  assert.equal(measured.treeCpuPercent, 150);
  assert.equal(measured.outsideCpuPercent, 30);
  assert.equal(measured.samples, 0.3);
  assert.equal(measured.tooShort, true);
  // …and the verdict is too-short, never machine-busy, however busy that one sample looked.
  const busy = report([
    [100, 50, 90, 0],
    [200, 150, 90, 0],
  ]);
  busy.window = measured;
  assert.deepEqual(cellVerdicts({ monitor: busy }), ['too-short']);
});

test('the outside-the-experiment CPU of a window is the overlap-weighted mean of its samples', () => {
  // The io.sleep case of issue 15: a 134 ms window starting 30 ms into the monitor, 100 ms samples.
  // Sample 1 (0–100): 70% inside, 67% outside (the start-up of the processes around the window's start).
  // Sample 2 (100–164): 64 ms, 64/64 inside, 5% outside. Sample 3 ends after the window: 0.
  const r = report([
    [100, 80, 67, 2],
    [164, 150, 5, 2],
    [264, 10, 40, 2],
  ]);
  const measured = measureWindow(r, { offsetMs: 30, durationMs: 134 });
  assert.ok(measured);
  // (70 × 67 + 64 × 5) / 134 = (4690 + 320) / 134 = 37.39; counted whole it would be (67 + 5) / 2 = 36, or 37.33 with sample 3.
  assert.equal(measured.outsideCpuPercent, 37.39);
  assert.equal(measured.samples, 1.7);
  assert.equal(measured.tooShort, true);
  // With ten 100 ms samples inside, the same window figures are judged: 12% outside is machine-busy.
  const long = report(
    Array.from({ length: 12 }, (_, i): [number, number, number, number] => [(i + 1) * 100, 100, 12, 1]),
  );
  long.window = measureWindow(long, { offsetMs: 50, durationMs: 1100 }) ?? undefined;
  assert.equal(long.window?.samples, 11);
  assert.equal(long.window?.outsideCpuPercent, 12);
  assert.deepEqual(cellVerdicts({ monitor: long }), ['machine-busy']);
});

test('machine-busy counts only outside CPU that competed: a burst beside a core to spare is not a busy machine', () => {
  // Recorded 2026-12-06 (io.sleep, processes c=8, 3% CPU): one 200 ms burst of someone else's work at
  // 59% and 138% of a core while the two cores together were 133% busy at most. Mean outside 15.5%.
  const burst = report(
    Array.from({ length: 13 }, (_, i): [number, number, number, number] => [
      (i + 1) * 100,
      3,
      i === 4 ? 59 : i === 5 ? 138 : 0,
      1,
    ]),
  );
  const busyAt = (i: number): number => (i === 4 ? 60 : i === 5 ? 133 : 5);
  burst.machine = burst.machine?.map((sample, i) => ({ ...sample, busyPercent: busyAt(i) }));
  burst.window = measureWindow(burst, { offsetMs: 0, durationMs: 1300 }) ?? undefined;
  assert.equal(burst.window?.outsideCpuPercent, 15.15);
  assert.equal(burst.window?.competingCpuPercent, 0);
  assert.deepEqual(cellVerdicts({ monitor: burst }), []);
  // The same burst while the experiment kept both cores busy (tree 190% + outside ≥ 1.8 cores): it competed.
  const saturated = report(
    Array.from({ length: 13 }, (_, i): [number, number, number, number] => [
      (i + 1) * 100,
      i === 4 || i === 5 ? 100 : 190,
      i === 4 ? 90 : i === 5 ? 100 : 0,
      1,
    ]),
  );
  saturated.machine = saturated.machine?.map((sample, i) => ({
    ...sample,
    busyPercent: i === 4 ? 191 : i === 5 ? 200 : 191,
  }));
  saturated.window = measureWindow(saturated, { offsetMs: 0, durationMs: 1300 }) ?? undefined;
  // (90 + 100) × 100 ms / 1300 ms = 14.62% of a core taken while no core was free.
  assert.equal(saturated.window?.competingCpuPercent, 14.62);
  assert.deepEqual(cellVerdicts({ monitor: saturated }), ['machine-busy']);
  // Just under the share (1.79 of 2 cores busy): a core had room, nothing competed.
  const under = structuredClone(saturated);
  under.machine = under.machine?.map((sample) => ({ ...sample, busyPercent: 179 }));
  under.window = measureWindow(under, { offsetMs: 0, durationMs: 1300 }) ?? undefined;
  assert.equal(under.window?.competingCpuPercent, 0);
});

test('without a placed window the whole monitor window is judged, on the counters’ own totals', () => {
  const r = report(
    Array.from({ length: 10 }, (_, i): [number, number, number, number] => [(i + 1) * 100, 100, 0, 0]),
  );
  r.summary = { ...r.summary, outsideCpuPercent: 11, treeCpuPercent: 99 };
  const judged = judgedWindow(r);
  assert.equal(judged?.samples, 10);
  assert.equal(judged?.outsideCpuPercent, 11);
  assert.equal(judged?.treeCpuPercent, 99);
  assert.equal(judgedWindow({ ...r, available: false }), null);
});

test('the interval is chosen so the expected window holds 10 samples with a margin, 50–100 ms in whole ticks', () => {
  assert.equal(chooseIntervalMs(), 50, 'unknown length: the shortest interval');
  assert.equal(
    chooseIntervalMs(134),
    50,
    'too short for 10 samples even at the shortest: stays at the floor',
  );
  assert.equal(chooseIntervalMs(1000), 80, '1 s / 12.5 = 80 ms');
  assert.equal(chooseIntervalMs(900), 70, '72 ms rounded down to whole clock ticks');
  assert.equal(chooseIntervalMs(1500), 100, 'a server cell of 1.5 s: 120 ms capped at 100');
  assert.equal(chooseIntervalMs(60_000), 100);
  assert.equal(chooseIntervalMs(-5), 50);
});
