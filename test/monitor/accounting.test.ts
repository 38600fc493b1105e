import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  accountTree,
  parseSchedstat,
  parseTaskStatus,
  readProcess,
  snapshotTree,
  threadRole,
  type ProcessReading,
  type TaskReading,
} from '../../src/monitor/accounting.ts';
import { monitorAvailability, startMonitor } from '../../src/monitor/index.ts';
import { burnFixture, sleep, startSubject } from './helpers.ts';

const linux = monitorAvailability().available;

/** A /proc/PID/stat line with the fields the accounting reads (utime 14, stime 15, starttime 22). */
function statLine(
  pid: number,
  name: string,
  ppid: number,
  utime: number,
  stime: number,
  start: number,
): string {
  const fields = ['S', ppid, 1, 1, 0, -1, 0, 0, 0, 0, 0, utime, stime, 0, 0, 20, 0, 1, 0, start, 1000, 50];
  return `${pid} (${name}) ${fields.join(' ')} 0 0 0\n`;
}

test('status and schedstat parsers read the switch counts and the run / wait nanoseconds', () => {
  const status =
    'Name:\tV8Worker\nState:\tS (sleeping)\nvoluntary_ctxt_switches:\t329\nnonvoluntary_ctxt_switches:\t25\n';
  assert.deepEqual(parseTaskStatus(status), { voluntary: 329, involuntary: 25 });
  assert.equal(parseTaskStatus('Name:\tx\n'), null);
  assert.deepEqual(parseSchedstat('27653498 7378260 25\n'), {
    runNs: 27653498,
    waitNs: 7378260,
    timeslices: 25,
  });
  assert.equal(parseSchedstat(''), null);
});

test('readProcess reads every thread of a process from a /proc tree at any root', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'conlab-proc-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const write = (path: string, text: string): void => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('100/stat', statLine(100, 'node', 1, 70, 5, 500));
  write('100/task/100/stat', statLine(100, 'MainThread', 1, 40, 2, 500));
  write('100/task/100/status', 'voluntary_ctxt_switches:\t3\nnonvoluntary_ctxt_switches:\t7\n');
  write('100/task/100/schedstat', '420000000 10000000 9\n');
  write('100/task/103/stat', statLine(103, 'WorkerThread', 1, 30, 3, 510));
  write('100/task/103/status', 'voluntary_ctxt_switches:\t12\nnonvoluntary_ctxt_switches:\t1\n');
  // No schedstat for this one (a kernel without it): run and wait are unknown, not 0.
  const reading = readProcess(100, root);
  assert.ok(reading);
  assert.equal(reading.name, 'node');
  assert.deepEqual(
    reading.tasks.map((task) => [task.tid, task.name, task.userTicks, task.runNs, task.waitNs]),
    [
      [100, 'MainThread', 40, 420000000, 10000000],
      [103, 'WorkerThread', 30, null, null],
    ],
  );
  assert.equal(readProcess(999, root), null);
  assert.deepEqual(
    snapshotTree([100, 999], 600, root).processes.map((p) => p.pid),
    [100],
  );
});

test('thread roles: the root’s main thread dispatches, JS worker threads and childless children work, the rest help', () => {
  assert.equal(threadRole({ pid: 10, tid: 10, name: 'MainThread' }, 10, true), 'main');
  assert.equal(threadRole({ pid: 10, tid: 12, name: 'WorkerThread' }, 10, true), 'worker');
  assert.equal(threadRole({ pid: 10, tid: 13, name: 'V8Worker' }, 10, true), 'helper');
  assert.equal(
    threadRole({ pid: 11, tid: 11, name: 'MainThread' }, 10, false),
    'worker',
    'a process-pool child',
  );
  assert.equal(
    threadRole({ pid: 11, tid: 11, name: 'MainThread' }, 10, true),
    'main',
    'a hybrid child dispatching to threads',
  );
  assert.equal(threadRole({ pid: 12, tid: 15, name: 'Worker' }, 10, false), 'worker', 'Bun');
  assert.equal(threadRole({ pid: 12, tid: 16, name: 'worker-2' }, 10, false), 'worker', 'Deno');
  assert.equal(threadRole({ pid: 12, tid: 17, name: 'HeapHelper' }, 10, false), 'helper');
});

function task(
  tid: number,
  name: string,
  start: number,
  u: number,
  s: number,
  v: number,
  iv: number,
  run: number,
  wait: number,
): TaskReading {
  return {
    tid,
    name,
    startTicks: start,
    userTicks: u,
    systemTicks: s,
    voluntarySwitches: v,
    involuntarySwitches: iv,
    runNs: run,
    waitNs: wait,
  };
}

function proc(pid: number, start: number, u: number, s: number, tasks: TaskReading[]): ProcessReading {
  return { pid, name: 'node', startTicks: start, userTicks: u, systemTicks: s, tasks };
}

test('accountTree: differences of matched threads, new ones in full, ended ones counted, older strangers left out', () => {
  const before = {
    bootTicks: 1000,
    processes: [
      proc(10, 900, 100, 10, [
        task(10, 'MainThread', 900, 80, 8, 5, 2, 900e6, 50e6),
        task(11, 'V8Worker', 900, 20, 2, 40, 1, 220e6, 30e6),
        task(12, 'V8Worker', 900, 0, 0, 3, 0, 1e6, 0),
      ]),
      proc(20, 950, 50, 0, [task(20, 'MainThread', 950, 50, 0, 1, 0, 500e6, 0)]),
    ],
  };
  const after = {
    bootTicks: 1100,
    processes: [
      proc(10, 900, 190, 30, [
        // Main: +60 user, +2 system, run +620 ms, wait +40 ms.
        task(10, 'MainThread', 900, 140, 10, 9, 12, 1520e6, 90e6),
        task(11, 'V8Worker', 900, 30, 4, 90, 3, 340e6, 45e6),
        // A worker thread started inside the window (start 1010 ≥ 1000): all of it counts.
        task(13, 'WorkerThread', 1010, 15, 10, 300, 40, 250e6, 100e6),
        // A thread we never saw that is older than the window: its whole life is not ours to count.
        task(14, 'libuv-worker', 800, 99, 99, 99, 99, 990e6, 0),
      ]),
      // A process that started inside the window.
      proc(30, 1050, 40, 2, [task(30, 'MainThread', 1050, 40, 2, 6, 8, 420e6, 15e6)]),
    ],
  };
  const accounting = accountTree(before, after, 10, 100, 1000);
  assert.equal(accounting.windowMs, 1000);
  assert.equal(accounting.exitedProcesses, 1, 'pid 20 ended');
  assert.equal(accounting.exitedThreads, 1, 'tid 12 ended');
  assert.deepEqual(
    accounting.threads.map((t) => [
      t.tid,
      t.role,
      t.cpuMs,
      t.userMs,
      t.systemMs,
      t.runQueueWaitMs,
      t.voluntarySwitches,
      t.involuntarySwitches,
    ]),
    [
      [10, 'main', 620, 600, 20, 40, 4, 10],
      [11, 'helper', 120, 100, 20, 15, 50, 2],
      [13, 'worker', 250, 150, 100, 100, 300, 40],
      [30, 'worker', 420, 400, 20, 15, 6, 8],
    ],
  );
  // Process rows: user/system from the process's own stat (ended threads included); switches and waits summed over its threads.
  assert.deepEqual(
    accounting.processes.map((p) => [
      p.pid,
      p.role,
      p.cpuMs,
      p.userMs,
      p.systemMs,
      p.runQueueWaitMs,
      p.voluntarySwitches,
      p.involuntarySwitches,
      p.threads,
    ]),
    [
      [10, 'root', 1100, 900, 200, 155, 354, 52, 3],
      [30, 'child', 420, 400, 20, 15, 6, 8, 1],
    ],
  );
});

test(
  'a busy thread is on a CPU or waiting for one the whole window: run + run-queue wait ≈ the window',
  { skip: !linux && 'needs Linux /proc' },
  async (t) => {
    const subject = await startSubject(t, process.execPath, [burnFixture, 'threads', '2', '4000']);
    const monitor = startMonitor({ rootPid: subject.pid, expectedWindowMs: 800 });
    subject.go();
    await sleep(800);
    const report = monitor.stop();
    const accounting = report.accounting;
    assert.ok(accounting, 'the report carries the accounting');
    const workers = accounting.threads.filter((thread) => thread.role === 'worker');
    assert.deepEqual(
      workers.map((worker) => worker.name),
      ['WorkerThread', 'WorkerThread'],
    );
    assert.equal(accounting.threads.filter((thread) => thread.role === 'main').length, 1);
    for (const worker of workers) {
      // However loaded the machine, a spinning thread is running or runnable: the two add up to its time in the
      // window, less the moment between "go" and its first spin (a message hop) and the snapshot's own read times.
      const demand = worker.cpuMs + (worker.runQueueWaitMs ?? 0);
      assert.ok(
        demand > 0.85 * accounting.windowMs - 50 && demand < 1.02 * accounting.windowMs + 20,
        `worker ${worker.tid}: run ${worker.cpuMs} + wait ${worker.runQueueWaitMs} vs window ${accounting.windowMs}`,
      );
    }
    const root = accounting.processes.find((process) => process.role === 'root');
    assert.ok(root && root.cpuMs >= workers.reduce((sum, worker) => sum + worker.cpuMs, 0) * 0.9 - 20);
  },
);
