import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import {
  intervalTicks,
  monitorAvailability,
  startMonitor,
  startUnavailableMonitor,
  unavailableNoticeOnce,
} from '../../src/monitor/index.ts';
import { parsePidStat, parseProcStat, readKernelUnits } from '../../src/monitor/proc.ts';
import { burnFixture, sleep, startSubject } from './helpers.ts';

const linux = monitorAvailability().available;

test('parseProcStat reads per-core lines and stops before intr', () => {
  const text = [
    'cpu  300 10 60 900 20 5 5 2 0 0',
    'cpu0 100 5 30 400 10 2 3 1 7 0',
    'cpu1 200 5 30 500 10 3 2 1 0 0',
    'intr 12345 1 2 3',
    'cpu9 this line is not a core line any more',
  ].join('\n');
  const cores = parseProcStat(text);
  assert.equal(cores.length, 2);
  // user = user + nice; system = system + irq + softirq; guest (7) is inside user already.
  assert.deepEqual(cores[0], { user: 105, system: 35, iowait: 10, idle: 400, other: 1, total: 551 });
  assert.equal(cores[1]?.total, 200 + 5 + 30 + 500 + 10 + 3 + 2 + 1);
});

test('parsePidStat survives a command name with spaces and parentheses', () => {
  // pid (comm) state ppid ... utime(14) stime(15) cutime(16) cstime(17) ... num_threads(20) ... starttime(22) vsize(23) rss(24)
  const fields = [
    'S',
    '42',
    '1',
    '1',
    '0',
    '-1',
    '0',
    '0',
    '0',
    '0',
    '0',
    '11',
    '7',
    '5',
    '3',
    '20',
    '0',
    '4',
    '0',
    '999',
    '1000',
    '250',
  ];
  const stat = parsePidStat(`1234 (my (odd) name) ${fields.join(' ')} 0 0 0`);
  assert.ok(stat);
  assert.equal(stat.pid, 1234);
  assert.equal(stat.ppid, 42);
  assert.equal(stat.state, 'S');
  assert.equal(stat.ownTicks, 18);
  assert.equal(stat.childTicks, 8);
  assert.equal(stat.numThreads, 4);
  assert.equal(stat.startTicks, 999);
  assert.equal(stat.rssPages, 250);
  assert.equal(parsePidStat('garbage'), null);
});

/** CPU-seconds the monitor counted for the tree over its window. */
function treeCpuSeconds(report: { durationMs: number; summary: { treeCpuPercent: number } }): number {
  return (report.summary.treeCpuPercent / 100) * (report.durationMs / 1000);
}

test(
  'monitor sees a subject burning two threads: tree CPU, RSS, threads, per-core timeline',
  { skip: !linux && 'needs Linux /proc' },
  async (t) => {
    const subject = await startSubject(t, process.execPath, [burnFixture, 'threads', '2', '1200']);
    const monitor = startMonitor({ rootPid: subject.pid, intervalMs: 100 });
    subject.go();
    // Stopped on the report line, while the subject lingers: the final read sees final totals.
    const selfReportedUs = Number((await subject.line('cpu ')).slice(4));
    const report = monitor.stop();
    assert.equal(report.available, true);
    assert.equal(report.cores, availableParallelism());
    assert.deepEqual(report.pids, [subject.pid]);
    assert.ok(report.perCore.length >= 5, `only ${report.perCore.length} core samples`);
    assert.ok(report.tree.length >= 5);
    for (const sample of report.perCore) {
      assert.equal(sample.userPercent.length, report.cores);
      for (let i = 0; i < report.cores; i++) {
        const sum =
          (sample.userPercent[i] ?? 0) +
          (sample.systemPercent[i] ?? 0) +
          (sample.iowaitPercent[i] ?? 0) +
          (sample.idlePercent[i] ?? 0);
        assert.ok(sum <= 100.5, `core ${i} adds up to ${sum}%`);
      }
    }
    // The monitor's count must agree with the subject's own (getrusage, from "go" to the end, inside the
    // monitor's window) within clock-tick rounding and the idle main thread; the machine's load does not matter.
    const counted = treeCpuSeconds(report);
    const own = selfReportedUs / 1e6;
    assert.ok(own > 0.05, `the burners hardly ran (${own}s)`);
    assert.ok(
      counted > 0.9 * own - 0.03 && counted < 1.1 * own + 0.1,
      `monitor ${counted.toFixed(3)}s vs subject ${own.toFixed(3)}s`,
    );
    assert.ok(
      report.summary.treePeakRssBytes > 10 * 1024 * 1024,
      'a runtime with two workers holds more than 10 MiB',
    );
    assert.ok((report.summary.treePeakThreads ?? 0) >= 3, 'main thread + two workers');
    assert.ok(report.summary.coreBusyMeanPercent.every((p) => p >= 0 && p <= 100));
    assert.ok(report.summary.driverCpuPercent < 50, 'the sleeping driver is not busy');
    assert.equal(report.machine?.length, report.tree.length);
  },
);

test(
  'monitor follows child processes and keeps the CPU of the ones that exit',
  { skip: !linux && 'needs Linux /proc' },
  async (t) => {
    const subject = await startSubject(t, process.execPath, [burnFixture, 'processes', '2', '1000']);
    const monitor = startMonitor({ rootPid: subject.pid, intervalMs: 100 });
    subject.go();
    // The report comes once the burners have exited and been reaped by the root: none of their CPU may be lost or doubled.
    const childrenUs = Number((await subject.line('cpu ')).slice(4));
    const report = monitor.stop();
    assert.equal(subject.readyPids.length, 3);
    for (const pid of subject.readyPids)
      assert.ok(report.pids.includes(pid), `pid ${pid} missing from ${report.pids.join(',')}`);
    assert.ok(Math.max(...report.tree.map((s) => s.processCount)) >= 3);
    const counted = treeCpuSeconds(report);
    const own = childrenUs / 1e6;
    assert.ok(own > 0.05, `the burners hardly ran (${own}s)`);
    // Slack: clock-tick rounding per process and the idle root's own CPU in the window.
    assert.ok(
      counted > 0.9 * own - 0.05 && counted < 1.1 * own + 0.1,
      `monitor ${counted.toFixed(3)}s vs children ${own.toFixed(3)}s`,
    );
  },
);

test(
  'short-lived children started one after another (spawn per task) all get their PIDs recorded',
  { skip: !linux && 'needs Linux /proc' },
  async (t) => {
    // Each child is a runtime that starts and idles 300 ms: several sampling intervals long.
    const subject = await startSubject(t, process.execPath, [burnFixture, 'spawn', '3', '300']);
    // No full /proc scan after the first: the per-tick children files alone must find them.
    const monitor = startMonitor({ rootPid: subject.pid, intervalMs: 50, fullScanEvery: 1_000_000 });
    subject.go();
    const children = (await subject.line('pids ')).split(' ').slice(1).map(Number);
    const report = monitor.stop();
    assert.equal(children.length, 3);
    for (const pid of children)
      assert.ok(report.pids.includes(pid), `child ${pid} missing from ${report.pids.join(',')}`);
  },
);

test('an idle subject shows little tree CPU', { skip: !linux && 'needs Linux /proc' }, async (t) => {
  const subject = await startSubject(t, process.execPath, [burnFixture, 'idle', '0', '3000']);
  const monitor = startMonitor({ rootPid: subject.pid });
  await sleep(800);
  const report = monitor.stop();
  assert.deepEqual(report.pids, [subject.pid]);
  assert.ok(report.summary.treeCpuPercent < 50, `idle subject used ${report.summary.treeCpuPercent}%`);
});

test(
  'excluded PIDs and their descendants stay out of the tree',
  { skip: !linux && 'needs Linux /proc' },
  async (t) => {
    const subject = await startSubject(t, process.execPath, [burnFixture, 'processes', '2', '1500']);
    const [, excluded, kept] = subject.readyPids;
    assert.ok(excluded && kept);
    const monitor = startMonitor({ rootPid: subject.pid, excludePids: [excluded], clientPids: [] });
    subject.go();
    await sleep(500);
    const report = monitor.stop();
    assert.ok(!report.pids.includes(excluded));
    assert.ok(report.pids.includes(kept));
  },
);

test(
  'client PIDs count as the driver, not as outside or tree',
  { skip: !linux && 'needs Linux /proc' },
  async (t) => {
    const subject = await startSubject(t, process.execPath, [burnFixture, 'idle', '0', '5000']);
    const client = await startSubject(t, process.execPath, [burnFixture, 'threads', '1', '800']);
    const monitor = startMonitor({ rootPid: subject.pid, clientPids: [client.pid] });
    client.go();
    const clientUs = Number((await client.line('cpu ')).slice(4));
    const report = monitor.stop();
    assert.ok(!report.pids.includes(client.pid));
    const driverSeconds = (report.summary.driverCpuPercent / 100) * (report.durationMs / 1000);
    const own = clientUs / 1e6;
    assert.ok(
      driverSeconds > 0.9 * own - 0.03,
      `driver+client ${driverSeconds.toFixed(3)}s vs client ${own.toFixed(3)}s`,
    );
    assert.ok(report.summary.treeCpuPercent < 50, "the idle subject does not get the client's CPU");
  },
);

test(
  'stop() is synchronous and idempotent; event-loop stats are attached',
  { skip: !linux && 'needs Linux /proc' },
  async (t) => {
    const subject = await startSubject(t, process.execPath, [burnFixture, 'idle', '0', '3000']);
    const monitor = startMonitor({ rootPid: subject.pid });
    const stats = {
      pid: subject.pid,
      threadId: 0,
      utilization: 0.5,
      delayP50Ms: 1,
      delayP99Ms: 2,
      delayMaxMs: 3,
    };
    monitor.addEventLoopStats([stats]);
    await sleep(250);
    const first = monitor.stop();
    assert.equal(monitor.stop(), first);
    assert.deepEqual(first.eventLoop, [stats]);
  },
);

test('a monitor without /proc says why, measures the driver, and never throws', () => {
  const monitor = startUnavailableMonitor(100, 'no /proc on darwin: the monitor needs Linux');
  assert.equal(monitor.available, false);
  const report = monitor.stop();
  assert.equal(report.available, false);
  assert.match(report.unavailableReason ?? '', /no \/proc/);
  assert.deepEqual(report.perCore, []);
  assert.deepEqual(report.pids, []);
});

test(
  'a root PID that does not exist gives an empty tree, not an error',
  { skip: !linux && 'needs Linux /proc' },
  () => {
    const monitor = startMonitor({ rootPid: 2 ** 22 + 12345 });
    const report = monitor.stop();
    assert.equal(report.available, true);
    assert.deepEqual(report.pids, []);
  },
);

test('clock ticks and page size come from the kernel', { skip: !linux && 'needs Linux /proc' }, () => {
  const units = readKernelUnits();
  // USER_HZ is 100 on every mainstream Linux; pages are 4 KiB or a larger power of two.
  assert.equal(units.clockTicksPerSec, 100);
  assert.ok(units.pageBytes >= 4096 && (units.pageBytes & (units.pageBytes - 1)) === 0);
});

test('the unavailability notice is given at most once per process', () => {
  const first = unavailableNoticeOnce();
  if (linux) assert.equal(first, null);
  else assert.match(first ?? '', /monitor unavailable/);
  assert.equal(unavailableNoticeOnce(), null);
});

test('a dip in the cumulative tree CPU is repaid later: never negative, same total', () => {
  // Cumulative readings 0, 10, 4 (a reap race), 20, 30: true total 30.
  const cumulative = [0, 10, 4, 20, 30];
  let debt = 0;
  const timeline: number[] = [];
  for (let i = 1; i < cumulative.length; i++) {
    const step = intervalTicks((cumulative[i] ?? 0) - (cumulative[i - 1] ?? 0), debt);
    debt = step.debtTicks;
    timeline.push(step.ticks);
  }
  assert.deepEqual(timeline, [10, 0, 10, 10]);
  assert.equal(debt, 0);
  assert.equal(
    timeline.reduce((a, b) => a + b, 0),
    30,
  );
});
