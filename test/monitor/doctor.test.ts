import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import {
  busiestProcesses,
  checkBusyProcesses,
  parseCpuList,
  readCgroupQuota,
  stabilityChecks,
  stealPercent,
  type StabilityCheck,
} from '../../src/monitor/doctor.ts';
import { captureEnvironment } from '../../src/monitor/environment.ts';
import { runConlab } from '../fixtures/cli.ts';

/** A fake file-system root with the given files (path → text). */
function fixtureRoot(t: TestContext, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'conlab-doctor-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const byName = (checks: StabilityCheck[]): Record<string, StabilityCheck> =>
  Object.fromEntries(checks.map((check) => [check.name, check]));

const statLine = (pid: number, name: string, utime: number): string =>
  `${pid} (${name}) S 1 1 1 0 -1 0 0 0 0 0 ${utime} 0 0 0 20 0 1 0 100 1000 50 0 0 0\n`;

test('a machine tuned for benchmarks passes every check', (t) => {
  const root = fixtureRoot(t, {
    '/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor': 'performance\n',
    '/sys/devices/system/cpu/cpu1/cpufreq/scaling_governor': 'performance\n',
    '/sys/devices/system/cpu/cpu0/topology/thread_siblings_list': '0\n',
    '/sys/devices/system/cpu/cpu1/topology/thread_siblings_list': '1\n',
    '/sys/devices/system/cpu/intel_pstate/no_turbo': '1\n',
    '/sys/devices/system/cpu/isolated': '1\n',
    '/sys/devices/system/cpu/nohz_full': '1\n',
    '/sys/kernel/mm/transparent_hugepage/enabled': 'always [madvise] never\n',
    '/proc/loadavg': '0.08 0.12 0.10 1/180 4242\n',
    '/proc/meminfo': 'MemTotal: 8000000 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n',
    '/proc/sys/kernel/randomize_va_space': '2\n',
    '/proc/self/cgroup': '0::/user.slice\n',
    '/sys/fs/cgroup/user.slice/cpu.max': 'max 100000\n',
    '/proc/stat': 'cpu  1 1 1 1 1 0 0 0\ncpu0 100 0 50 1000 0 0 0 0\ncpu1 100 0 50 1000 0 0 0 0\n',
    '/proc/7/stat': statLine(7, 'sshd', 3),
  });
  const checks = stabilityChecks(2, { root, sampleMs: 0 });
  assert.deepEqual(
    checks.map((check) => check.name),
    [
      'cpu-governor',
      'turbo-boost',
      'load-average',
      'busy-processes',
      'steal',
      'cgroup-cpu',
      'smt',
      'swap',
      'cpu-isolation',
      'aslr',
      'transparent-hugepages',
    ],
  );
  assert.deepEqual(
    checks.filter((check) => check.verdict !== 'ok'),
    [],
  );
  const named = byName(checks);
  assert.equal(named['cpu-governor']?.value, 'performance on 2 cores');
  assert.equal(named['turbo-boost']?.value, 'off');
  assert.equal(named['cgroup-cpu']?.value, 'no quota on 2');
  assert.equal(named['cpu-isolation']?.value, 'isolated 1, nohz_full 1');
  assert.equal(named.steal?.value, 'not measured', 'no wait, no rate');
});

test('a noisy machine: each check warns with why and a hint', (t) => {
  const root = fixtureRoot(t, {
    '/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor': 'powersave\n',
    '/sys/devices/system/cpu/cpu1/cpufreq/scaling_governor': 'powersave\n',
    '/sys/devices/system/cpu/cpu0/topology/thread_siblings_list': '0-1\n',
    '/sys/devices/system/cpu/cpu1/topology/thread_siblings_list': '0-1\n',
    '/sys/devices/system/cpu/cpufreq/boost': '1\n',
    '/sys/kernel/mm/transparent_hugepage/enabled': '[always] madvise never\n',
    '/proc/loadavg': '3.20 2.00 1.50 5/300 999\n',
    '/proc/meminfo': 'SwapTotal: 2097152 kB\nSwapFree: 1048576 kB\n',
    '/proc/sys/kernel/randomize_va_space': '0\n',
    '/proc/cmdline': 'quiet splash\n',
    '/proc/self/cgroup': '0::/docker/abc\n',
    '/sys/fs/cgroup/docker/abc/cpu.max': '150000 100000\n',
    '/sys/fs/cgroup/docker/abc/cpu.stat':
      'usage_usec 10\nnr_periods 50\nnr_throttled 12\nthrottled_usec 900\n',
  });
  const named = byName(stabilityChecks(2, { root, sampleMs: 0 }));
  const warned = Object.values(named).filter((check) => check.verdict === 'warn');
  assert.deepEqual(
    warned.map((check) => check.name),
    [
      'cpu-governor',
      'turbo-boost',
      'load-average',
      'cgroup-cpu',
      'smt',
      'swap',
      'aslr',
      'transparent-hugepages',
    ],
  );
  for (const check of warned) assert.ok(check.why && check.hint, `${check.name} says why and what to do`);
  assert.equal(named['cpu-governor']?.value, 'powersave on 2 cores');
  assert.equal(named['turbo-boost']?.hint, 'echo 0 | sudo tee /sys/devices/system/cpu/cpufreq/boost');
  assert.equal(named['load-average']?.value, '3.20 (1 min) on 2 cores');
  assert.equal(named['cgroup-cpu']?.value, 'quota 1.50 cores on 2, throttled 12 times');
  assert.equal(named.smt?.value, 'siblings 0+1');
  assert.equal(named.swap?.value, '1024 MiB of 2048 MiB in use');
  assert.equal(named['cpu-isolation']?.verdict, 'ok', 'no isolation is normal, with a hint');
  assert.equal(named['cpu-isolation']?.value, 'none');
});

test('cgroup v1: the cpu controller’s own hierarchy, -1 meaning no quota', (t) => {
  const root = fixtureRoot(t, {
    '/proc/self/cgroup': '4:memory:/x\n2:cpu,cpuacct:/job\n0::/\n',
    '/sys/fs/cgroup/cpu,cpuacct/job/cpu.cfs_quota_us': '50000\n',
    '/sys/fs/cgroup/cpu,cpuacct/job/cpu.cfs_period_us': '100000\n',
    '/sys/fs/cgroup/cpu,cpuacct/job/cpu.stat': 'nr_periods 0\nnr_throttled 0\nthrottled_time 0\n',
  });
  assert.deepEqual(readCgroupQuota(root), {
    cores: 0.5,
    throttled: 0,
    where: '/sys/fs/cgroup/cpu,cpuacct/job/cpu.cfs_quota_us',
  });
  const none = fixtureRoot(t, {
    '/proc/self/cgroup': '1:cpu:/\n',
    '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n',
    '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
  });
  assert.equal(readCgroupQuota(none)?.cores, null);
});

test('the busiest processes are rates between two readings, this process left out', () => {
  const before = [
    { pid: 1, name: 'init', ticks: 10 },
    { pid: 50, name: 'cc1plus', ticks: 100 },
    { pid: 60, name: 'conlab', ticks: 500 },
    { pid: 70, name: 'sshd', ticks: 7 },
  ];
  const after = [
    { pid: 1, name: 'init', ticks: 10 },
    { pid: 50, name: 'cc1plus', ticks: 118 },
    { pid: 60, name: 'conlab', ticks: 540 },
    { pid: 70, name: 'sshd', ticks: 8 },
    { pid: 80, name: 'new', ticks: 5 },
  ];
  // 200 ms at 100 ticks/s: 18 ticks = 90% of a core, 1 tick = 5%.
  const busiest = busiestProcesses(before, after, 200, 100, 60);
  assert.deepEqual(busiest, [
    { pid: 50, name: 'cc1plus', cpuPercent: 90 },
    { pid: 70, name: 'sshd', cpuPercent: 5 },
  ]);
  assert.equal(checkBusyProcesses(busiest).verdict, 'warn');
  assert.equal(checkBusyProcesses(busiest).value, 'cc1plus (50) 90%, sshd (70) 5%');
  assert.equal(checkBusyProcesses(busiest.slice(1)).verdict, 'ok');
  assert.deepEqual(busiestProcesses(before, after, 0, 100), []);
});

test('steal is the stolen share of all the cores’ time; cpu lists expand', () => {
  const core = (other: number, total: number) => ({ user: 0, system: 0, iowait: 0, idle: 0, other, total });
  assert.equal(stealPercent([core(0, 0), core(0, 0)], [core(10, 100), core(0, 100)]), 5);
  assert.equal(stealPercent([], []), null);
  assert.deepEqual(parseCpuList('0-3,6,8-9\n'), [0, 1, 2, 3, 6, 8, 9]);
  assert.deepEqual(parseCpuList(''), []);
});

test('every run’s environment carries the checks', () => {
  const env = captureEnvironment(['node@24.21.0']);
  assert.ok(env.stability && env.stability.length === 12);
  assert.ok(env.stability.every((check) => check.verdict === 'ok' || check.verdict === 'warn'));
});

test('conlab doctor prints the checks (table or JSON) and refuses a bad sampling time with exit 2', async () => {
  const json = await runConlab(['doctor', '--json', '--sample-ms', '50', '--steadiness', '300ms']);
  assert.equal(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as { checks: StabilityCheck[] };
  // The run environment's 12, and the steadiness trace only the doctor runs.
  assert.equal(parsed.checks.length, 13);
  assert.equal(parsed.checks.at(-1)?.name, 'speed-steadiness');
  const table = await runConlab(['doctor', '--sample-ms', '0', '--steadiness', '0']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^check +verdict +found$/m);
  assert.match(table.stdout, /^load-average +(ok|warn) /m);
  assert.doesNotMatch(table.stdout, /speed-steadiness/, '--steadiness 0 skips the trace');
  const badTrace = await runConlab(['doctor', '--steadiness', '11m']);
  assert.equal(badTrace.code, 2);
  assert.match(badTrace.stderr, /LAB_E_BAD_PARAM: --steadiness '11m' is outside 0s\.\.600s/);
  const bad = await runConlab(['doctor', '--sample-ms', '99999']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /LAB_E_BAD_PARAM: --sample-ms '99999' is not a whole number in 0\.\.10000/);
});
