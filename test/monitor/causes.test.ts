import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accountingFigures,
  likelyCause,
  quietCpuPercent,
  scalingCeiling,
  wantedShare,
} from '../../src/monitor/causes.ts';
import type { TreeAccounting } from '../../src/monitor/types.ts';
import { threadsOf, treeOf, type ThreadFigures } from './fixtures/accounting.ts';

/** A one-process tree (pid 1) over a window, its threads as given. */
const tree = (windowMs: number, threads: ThreadFigures[]): TreeAccounting =>
  treeOf(windowMs, threadsOf(1, threads));

// Sequential: the main thread works 1000 ms, 3% system, waits 20 ms, 10 switches; GC helpers 60 ms.
const sequential = tree(1000, [
  ['main', 1000, 30, 20, 10, 25],
  ['helper', 60, 0, 5, 40, 1],
]);
const base = {
  workers: 2,
  cores: 2,
  baselineName: 'sequential',
  baselineCpuPercent: 106,
  cellCpuPercent: 180,
  baseline: sequential,
};

test('the ceiling: the workers, unless they need more cores than there are (a worker needs what the baseline used)', () => {
  assert.equal(scalingCeiling(2, 2, 100), 2);
  assert.equal(scalingCeiling(2, 2, 130).toFixed(3), '1.538');
  assert.equal(
    scalingCeiling(4, 2, 90).toFixed(2),
    '2.22',
    'a worker that needs 0.9 cores: 2.2 of them fit on 2',
  );
  assert.equal(scalingCeiling(2, 8, 130), 2);
  assert.equal(scalingCeiling(8, 2, 2), 8, 'a baseline at 2% of a core leaves room for 100 workers');
  assert.equal(scalingCeiling(3, 2, 0), 3);
});

test('not-cpu-bound: a baseline that wanted a CPU under half the time waits; cores and locks do not explain its speedup', () => {
  // io.sleep sequential: the main thread on a CPU 15 ms and runnable 1 ms of an 800 ms window.
  const waiting = tree(800, [['main', 15, 2, 1, 20, 0]]);
  const cause = likelyCause({ ...base, workers: 8, speedup: 3.9, baselineCpuPercent: 2, baseline: waiting });
  assert.equal(cause?.cause, 'not-cpu-bound');
  assert.equal(cause?.ceiling, 8);
  assert.equal(
    cause?.text,
    'the work mostly waits — sequential wanted a CPU 2% of the time, so the speedup is set by how the waits overlap (items per worker, the longest items), not by cores or locks',
  );
  // A CPU-bound baseline on a busy machine got 26% of a core but wanted it 96% of the time: it does not
  // "mostly wait", and a free machine would have shown it at 260 / (1000 − 700) = 87%, not 26%.
  const starved = tree(1000, [['main', 260, 5, 700, 4, 350]]);
  assert.equal(wantedShare(starved), 0.96);
  assert.equal(quietCpuPercent(starved)?.toFixed(1), '86.7');
  assert.notEqual(
    likelyCause({ ...base, speedup: 1.1, baselineCpuPercent: 26, baseline: starved })?.cause,
    'not-cpu-bound',
  );
  // The same with helpers: 429 ms main + 80 ms helpers over the 452 ms the main thread did not wait: 113%.
  const gcStarved = tree(1270, [
    ['main', 429, 0, 818, 2, 316],
    ['helper', 80, 0, 500, 175, 21],
  ]);
  assert.equal(quietCpuPercent(gcStarved)?.toFixed(0), '113');
  // Without accounting, the CPU it got is all there is to go by.
  assert.equal(
    likelyCause({ ...base, speedup: 1.1, baselineCpuPercent: 26, baseline: undefined })?.cause,
    'not-cpu-bound',
  );
});

test('baseline-multicore: the baseline’s helpers already wanted a third of a core, and the model reached what that allows', () => {
  // Sequential: the main thread 1000 ms, GC helpers 300 ms, over 1000 ms: 1.3 cores.
  const gcHeavy = tree(1000, [
    ['main', 1000, 10, 0, 10, 25],
    ['helper', 300, 0, 0, 400, 5],
  ]);
  const cause = likelyCause({ ...base, speedup: 1.4, baseline: gcHeavy });
  assert.equal(cause?.cause, 'baseline-multicore');
  assert.equal(cause?.ceiling, 1.54);
  assert.match(cause?.text ?? '', /sequential wanted 1\.3 cores .* 2 cores allow 1\.5×, not 2\.0×/);
  // Without accounting its CPU decides.
  assert.equal(
    likelyCause({ ...base, speedup: 1.4, baselineCpuPercent: 130, baseline: undefined })?.cause,
    'baseline-multicore',
  );
  // Below 85% of that ceiling, the other rules decide (here: nothing else stands out).
  assert.equal(likelyCause({ ...base, speedup: 1.2, baseline: gcHeavy })?.cause, 'unexplained');
  assert.equal(
    likelyCause({ ...base, workers: 4, speedup: 1.9, baselineCpuPercent: 100, baseline: undefined })?.text,
    'likely too few cores — 4 workers on 2 cores allow 2.0×',
  );
  // The sequential fixture: 1060 ms of CPU over the 980 ms its main thread did not wait, 108.2%: 2 / 1.082.
  assert.equal(likelyCause({ ...base, workers: 4, speedup: 1.9 })?.ceiling, 1.85);
});

test('cpu-starvation: the workers waited for a CPU a quarter of the time they ran', () => {
  const cell = tree(700, [
    ['main', 10, 0, 2, 20, 0],
    ['worker', 500, 10, 130, 12, 80],
    ['worker', 500, 10, 120, 12, 80],
    ['helper', 200, 0, 40, 90, 5],
  ]);
  const cause = likelyCause({ ...base, speedup: 1.4, cell, outsideCpuPercent: 40 });
  assert.equal(cause?.cause, 'cpu-starvation');
  // (130 + 120) / 1000 = 25%; sequential's main 20 / 1000 = 2%; helpers 200 of 1210 ms = 17%.
  assert.equal(
    cause?.text,
    "likely CPU starvation — the workers waited for a CPU 25% of the time they ran (2% in sequential); other processes used 0.4 cores, the runtime's helper threads used 17% of the cell's CPU",
  );
});

test('driver-serialisation: the main thread busy 90% of the window while the workers ran half of it', () => {
  const cell = tree(1000, [
    ['main', 900, 20, 10, 30, 5],
    ['worker', 500, 5, 10, 400, 3],
    ['worker', 480, 5, 10, 380, 3],
  ]);
  const cause = likelyCause({ ...base, speedup: 1.1, cell });
  assert.equal(cause?.cause, 'driver-serialisation');
  assert.equal(cause?.label, 'driver');
  assert.match(cause?.text ?? '', /main thread was on a CPU 90% of the window, the workers 49% on average/);
});

test('lock-contention: system time and futex-like switches up against the baseline', () => {
  // The example of issue 15: sys 35% vs 3%, hundreds of switches.
  const cell = tree(800, [
    ['main', 20, 0, 2, 30, 4],
    ['worker', 600, 215, 40, 300, 160],
    ['worker', 600, 215, 40, 290, 169],
  ]);
  const cause = likelyCause({ ...base, speedup: 1.2, cell });
  assert.equal(cause?.cause, 'lock-contention');
  assert.equal(
    cause?.text,
    'likely lock contention — sys time 35% vs 3% in sequential, 492 vs 10 voluntary switches per CPU-second (waits on locks), 333 involuntary switches vs 26',
  );
  // Switches alone (no system time) are enough; below 200 per CPU-second they are not.
  const switching = tree(800, [
    ['worker', 600, 6, 10, 250, 5],
    ['worker', 600, 6, 10, 250, 5],
  ]);
  assert.equal(likelyCause({ ...base, speedup: 1.2, cell: switching })?.cause, 'lock-contention');
  const calm = tree(800, [
    ['worker', 600, 6, 10, 100, 5],
    ['worker', 600, 6, 10, 100, 5],
  ]);
  assert.equal(likelyCause({ ...base, speedup: 1.2, cell: calm })?.cause, 'unexplained');
});

test('unequal-split: one worker ran a third longer than the other', () => {
  const cell = tree(900, [
    ['main', 10, 0, 1, 20, 0],
    ['worker', 640, 5, 10, 10, 2],
    ['worker', 420, 5, 10, 10, 2],
  ]);
  const cause = likelyCause({ ...base, speedup: 1.3, cell });
  assert.equal(cause?.cause, 'unequal-split');
  assert.equal(cause?.text, 'likely an unequal split — the busiest worker ran 640 ms, the least busy 420 ms');
});

test('costlier-work: the same items took more CPU on the workers, without more sleeping or system time', () => {
  // createHash on 2 threads, Node 24, 2026-12-06: 1.23× sequential's CPU for the same passes, switches as calm.
  const cell = tree(700, [
    ['main', 10, 0, 1, 20, 0],
    ['worker', 600, 6, 20, 5, 10],
    ['worker', 600, 6, 20, 5, 10],
    ['helper', 100, 0, 5, 40, 1],
  ]);
  const cause = likelyCause({ ...base, speedup: 1.45, cell });
  assert.equal(cause?.cause, 'costlier-work');
  assert.match(
    cause?.text ?? '',
    /^likely costlier work — the same items took 1\.2× the CPU they took in sequential \(1310 vs 1060 ms\)/,
  );
  assert.match(
    cause?.text ?? '',
    /\(shared memory and caches, one allocator, GC in a shared process, SMT siblings\)$/,
  );
  // The same figures on workers in two processes: only the machine is shared.
  const twoProcesses = treeOf(700, [
    ...threadsOf(1, [['main', 10, 0, 1, 20, 0]]),
    ...threadsOf(2, [['worker', 650, 6, 20, 5, 10]]),
    ...threadsOf(3, [['worker', 650, 6, 20, 5, 10]]),
  ]);
  assert.match(
    likelyCause({ ...base, speedup: 1.45, cell: twoProcesses })?.text ?? '',
    /\(separate processes share only the machine: caches, memory bandwidth, SMT siblings or a host neighbour on the same physical core\)$/,
  );
  // 1.13× is within what fresh processes of one cell move: not a cause.
  const near = tree(700, [
    ['main', 10, 0, 1, 20, 0],
    ['worker', 550, 6, 20, 5, 10],
    ['worker', 550, 6, 20, 5, 10],
    ['helper', 90, 0, 5, 40, 1],
  ]);
  assert.equal(likelyCause({ ...base, speedup: 1.45, cell: near })?.cause, 'unexplained');
});

test('without accounting only the ceiling can be judged; the rest says what is missing', () => {
  const cause = likelyCause({ ...base, speedup: 1.2, baseline: undefined });
  assert.equal(cause?.cause, 'unexplained');
  assert.equal(cause?.text, 'no cause stood out (no per-thread accounting in this record)');
});

test('accounting figures: the working threads are the workers, or the main thread when there are none', () => {
  const figures = accountingFigures(sequential);
  assert.deepEqual(
    figures.working.map((thread) => thread.role),
    ['main'],
  );
  assert.equal(figures.workingWaitShare, 0.02);
  assert.equal(figures.workingSwitchesPerCpuSecond, 10);
  assert.equal(figures.helperCpuMs, 60);
  assert.equal(figures.mainBusyShare, 1);
  assert.equal(figures.systemShare.toFixed(4), (30 / 1060).toFixed(4));
});
