import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cellVerdicts,
  coefficientOfVariation,
  cvLowerBound,
  defaultThresholds,
  isClientSaturated,
  isMachineBusy,
  isNoisy,
  isUnderpowered,
  minSamplesFor,
} from '../../src/monitor/verdicts.ts';
import { placeholderSummary } from '../../src/monitor/index.ts';
import type { MonitorReport } from '../../src/monitor/types.ts';

function monitor(
  overrides: { available?: boolean; outside?: number; driver?: number; cores?: number } = {},
): MonitorReport {
  // Ten 100 ms samples: enough evidence to judge the machine (fewer is too-short, see window.test.ts).
  const ticks = Array.from({ length: 10 }, (_, i) => (i + 1) * 100);
  return {
    available: overrides.available ?? true,
    intervalMs: 100,
    durationMs: 1000,
    cores: overrides.cores ?? 2,
    perCore: [],
    tree: ticks.map((tMs) => ({ tMs, cpuPercent: 0, rssBytes: 0, processCount: 1 })),
    pids: [],
    summary: { ...placeholderSummary(overrides.driver ?? 0), outsideCpuPercent: overrides.outside ?? 0 },
    eventLoop: [],
  };
}

test('coefficient of variation uses the sample stdev', () => {
  // mean 10, deviations ±1 → sample variance (1+1)/(2-1)... for [9, 11]: 2/1 = 2, stdev √2
  assert.equal(coefficientOfVariation([9, 11]), Math.SQRT2 / 10);
  assert.equal(coefficientOfVariation([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(32 / 7) / 5);
  assert.equal(coefficientOfVariation([5]), null);
  assert.equal(coefficientOfVariation([0, 0]), null);
});

test('noisy when the spread is above 10% with 90% confidence, never on one repetition', () => {
  assert.equal(isNoisy([100, 100, 100]), false);
  // Two values: the CV's lower bound is cv × √(1 / χ²(0.9, 1)) = cv × 0.608.
  assert.equal(
    cvLowerBound([90, 110], 0.9)?.toFixed(4),
    ((Math.SQRT2 / 10) * Math.sqrt(1 / 2.705543)).toFixed(4),
  );
  assert.equal(isNoisy([90, 110]), false, 'cv 14.1% from two values: at least 8.6%, not proven above 10%');
  assert.equal(isNoisy([80, 120]), true, 'cv 28.3%: at least 17.2%');
  // Three values: × √(2 / 4.60517) = 0.659.
  assert.equal(isNoisy([85, 100, 115]), false, 'cv 15% → at least 9.9%: just under');
  assert.equal(isNoisy([84, 100, 116]), true, 'cv 16% → at least 10.5%');
  assert.equal(isNoisy([95, 105]), false); // cv = 7.07%
  assert.equal(isNoisy([1000]), false);
  assert.equal(isNoisy([95, 105], { ...defaultThresholds, noisyCv: 0.04 }), true);
});

test('underpowered: p needs n × (1 − p/100) ≥ 10', () => {
  assert.equal(minSamplesFor(50), 20);
  assert.equal(minSamplesFor(90), 100);
  assert.equal(minSamplesFor(99), 1000);
  assert.equal(minSamplesFor(99.9), 10000);
  assert.equal(isUnderpowered(999, 99), true);
  assert.equal(isUnderpowered(1000, 99), false);
  assert.equal(isUnderpowered(9999, 99.9), true);
  assert.throws(() => minSamplesFor(100), RangeError);
});

test('client-saturated: 90% of the CPU the client can use, or a 90%-busy client event loop', () => {
  // One generator thread can use one core.
  assert.equal(isClientSaturated({ clientCpuPercent: 89, clientThreads: 1, cores: 2 }), false);
  assert.equal(isClientSaturated({ clientCpuPercent: 90, clientThreads: 1, cores: 2 }), true);
  // Two threads on two cores: 180% is the bar.
  assert.equal(isClientSaturated({ clientCpuPercent: 150, clientThreads: 2, cores: 2 }), false);
  assert.equal(isClientSaturated({ clientCpuPercent: 180, clientThreads: 2, cores: 2 }), true);
  // More threads than cores cannot use more than the cores.
  assert.equal(isClientSaturated({ clientCpuPercent: 185, clientThreads: 8, cores: 2 }), true);
  // A client starved of CPU: little CPU, but its loop never idles.
  assert.equal(
    isClientSaturated({
      clientCpuPercent: 30,
      clientThreads: 1,
      cores: 2,
      clientEventLoopUtilization: [0.4, 0.95],
    }),
    true,
  );
  assert.equal(
    isClientSaturated({
      clientCpuPercent: 30,
      clientThreads: 1,
      cores: 2,
      clientEventLoopUtilization: [0.89],
    }),
    false,
  );
});

test('machine-busy from 10% of one core used outside the experiment', () => {
  assert.equal(isMachineBusy(9.99), false);
  assert.equal(isMachineBusy(10), true);
});

test('cellVerdicts combines the rules in a fixed order', () => {
  assert.deepEqual(cellVerdicts({ monitor: monitor() }), []);
  assert.deepEqual(
    cellVerdicts({
      monitor: monitor({ outside: 25, driver: 95 }),
      clientThreads: 1,
      repetitionValues: [80, 120],
      requests: 500,
    }),
    ['client-saturated', 'machine-busy', 'noisy', 'underpowered'],
  );
  // Without /proc: machine-busy cannot be judged; the driver's CPU is still real.
  assert.deepEqual(
    cellVerdicts({ monitor: monitor({ available: false, outside: 50, driver: 99 }), clientThreads: 1 }),
    ['client-saturated', 'monitor-unavailable'],
  );
  assert.deepEqual(cellVerdicts({}), ['monitor-unavailable']);
  assert.deepEqual(cellVerdicts({ monitor: monitor(), requests: 150, percentileShown: 90 }), []);
  assert.deepEqual(cellVerdicts({ monitor: monitor(), requests: 99, percentileShown: 90 }), ['underpowered']);
});

test('client-saturated also when a generator thread was starved of CPU (schedstat run-queue wait)', () => {
  const saturated = (cpuPercent: number, runQueueWaitPercent: number): boolean =>
    isClientSaturated({
      clientCpuPercent: cpuPercent,
      clientThreads: 1,
      cores: 2,
      clientThreadCpu: [{ cpuPercent, runQueueWaitPercent }],
    });
  assert.equal(saturated(26, 55), true, 'waited longer than it ran: starved');
  assert.equal(saturated(30, 62), true, 'wanted the CPU 92% of the window');
  assert.equal(saturated(52, 27), false, 'shared the cores but mostly ran');
  assert.equal(saturated(68, 3), false, 'a core of its own');
  assert.equal(saturated(5, 6), false, 'an idle client waiting a little is not starved');
});
