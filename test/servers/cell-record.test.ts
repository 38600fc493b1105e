/**
 * A server cell's record beyond throughput: where the measured load window
 * sits in the monitor window (measuredOffsetMs, after the warm-up), the
 * server figures taken inside it, the verdicts from the monitor's one set
 * of rules, and the empty record the suite runner also builds failed
 * records from.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MonitorReport, TreeSample } from '../../src/monitor/types.ts';
import { emptyServerCell } from '../../src/servers/driver/record.ts';
import { runServerCell } from '../../src/servers/driver/run-cell.ts';
import { loadWindowOffsetMs, measuredServerUsage } from '../../src/servers/driver/window.ts';

const times = {
  monitorStartMs: 100,
  loadCalledMs: 101,
  warmupS: 1,
  durationS: 2,
  loadEndedMs: 3250,
  measuredS: 2,
};

test('the measured window starts at the tightest bound the driver saw, never before call + warm-up', () => {
  // Second k is reported once it is over ((k + 1) s after the start): 1160 − 1000 = 160 is the tightest.
  const secondArrivals = [
    { second: 0, atMs: 2170 },
    { second: 1, atMs: 3160 },
    // The partial last second (past durationS) ended with the run: it bounds nothing.
    { second: 2, atMs: 3165 },
  ];
  assert.equal(loadWindowOffsetMs({ ...times, secondArrivals }), 1160 - 100);
  // No timeline: the end of the run minus the measured length (3250 − 2000).
  assert.equal(loadWindowOffsetMs({ ...times, secondArrivals: [] }), 1250 - 100);
  // Bounds below the warm-up (impossible readings) give way to call + warm-up.
  assert.equal(
    loadWindowOffsetMs({ ...times, secondArrivals: [{ second: 0, atMs: 1500 }] }),
    101 + 1000 - 100,
  );
});

function sample(tMs: number, cpuPercent: number, rssBytes: number): TreeSample {
  return { tMs, cpuPercent, rssBytes, processCount: 1 };
}

test('server CPU and peak RSS come from the samples that overlap the measured window', () => {
  const report = {
    available: true,
    intervalMs: 100,
    tree: [
      sample(100, 10, 5),
      sample(200, 20, 9),
      sample(300, 60, 7),
      sample(400, 80, 8),
      sample(500, 5, 99),
    ],
    summary: { treeCpuPercent: 33, treePeakRssBytes: 99 },
  } as unknown as MonitorReport;
  // Window 250..390 ms: the intervals ending at 300 (200..300) and 400 (300..400) overlap it, by 50 and
  // 90 ms: each counts by its overlap (src/monitor/window.ts), (50 × 60 + 90 × 80) / 140, not whole (70).
  assert.deepEqual(measuredServerUsage(report, { offsetMs: 250, durationMs: 140 }), {
    serverCpuPercent: 72.86,
    serverPeakRssBytes: 8,
  });
  // No sample inside: the whole window's summary.
  assert.deepEqual(measuredServerUsage(report, { offsetMs: 900, durationMs: 100 }), {
    serverCpuPercent: 33,
    serverPeakRssBytes: 99,
  });
});

test('an empty server record: protocol from the endpoint, connections only for closed loop', () => {
  const identity = {
    architecture: 'single',
    workers: 1,
    threads: 0,
    endpoint: 'tcp-echo' as const,
    connections: 8,
    durationS: 3,
  };
  const open = emptyServerCell({ ...identity, rateRps: 500 }, 'k', 'node@24');
  assert.equal(open.protocol, 'tcp');
  assert.equal(open.connections, null);
  assert.equal(open.rateRps, 500);
  const closed = emptyServerCell({ ...identity, endpoint: 'hello', rateRps: null }, 'k', 'node@24');
  assert.equal(closed.protocol, 'http');
  assert.equal(closed.connections, 8);
  assert.equal(closed.status, 'ok');
  assert.deepEqual([closed.requests, closed.rps, closed.verdicts.length], [0, 0, 0]);
});

test('a server cell places its measured window after the warm-up and gets the monitor verdicts', async () => {
  const warmupS = 1;
  const cell = await runServerCell(
    { arch: 'single', endpoint: 'hello', connections: 2, durationS: 1, warmupS, reps: 1 },
    'node',
  );
  assert.equal(cell.status, 'ok', cell.reason ?? '');
  const monitor = cell.monitor;
  assert.ok(monitor);
  const offset = cell.measuredOffsetMs;
  assert.ok(typeof offset === 'number', 'measuredOffsetMs is filled');
  assert.ok(offset >= warmupS * 1000, `the window (at ${offset} ms) starts after the ${warmupS} s warm-up`);
  assert.ok(offset < monitor.durationMs, `and inside the ${monitor.durationMs} ms monitor window`);

  // The monitor's rules, one each: no verdict twice, each present exactly when its rule says so.
  assert.equal(new Set(cell.verdicts).size, cell.verdicts.length, JSON.stringify(cell.verdicts));
  assert.equal(cell.verdicts.includes('underpowered'), cell.requests < 1000, 'p99 needs 1 000 requests');
  assert.equal(cell.verdicts.includes('monitor-unavailable'), !monitor.available);
  // machine-busy and too-short are judged on the measured window (its overlap-weighted samples), never both.
  const window = monitor.window;
  assert.ok(!monitor.available || window, 'the report carries the measured window');
  assert.equal(
    cell.verdicts.includes('machine-busy'),
    monitor.available && !!window && window.samples >= 10 && window.outsideCpuPercent >= 10,
  );
  assert.equal(cell.verdicts.includes('too-short'), monitor.available && !!window && window.samples < 10);
});
