/**
 * What makes numbers unstable on this machine (`conlab doctor`, and the
 * environment stored with every run), in the spirit of pyperf's
 * `system show`: each check reads a few /proc and /sys files and gives a
 * plain verdict, `ok` or `warn` with why it matters for conlab's numbers,
 * and a hint. Every reader takes the file-system root, so the tests run the
 * checks on fixture trees; a file that is missing means "not exposed here"
 * (a VM without cpufreq, a kernel without SMT), never an error.
 */
import { checkCpuSpeed } from './cpu-speed.ts';
import { checkSteadiness } from './steadiness.ts';
import { readFileSync, readdirSync } from 'node:fs';
import { parsePidStat, parseProcStat, type CoreTimes } from './proc.ts';
import type { StabilityCheck } from './types.ts';

export type { CheckVerdict, StabilityCheck } from './types.ts';

export interface DoctorOptions {
  /** File-system root that holds proc/ and sys/; default '' (the real /proc and /sys). */
  root?: string;
  /** How long to watch the busiest processes and steal time; 0 skips the wait (one reading: no rates). */
  sampleMs?: number;
  /** This process, left out of the busiest processes. */
  selfPid?: number;
  /** The clock-tick rate of /proc times (USER_HZ). */
  clockTicksPerSec?: number;
  /** Also time a floating-point kernel against the fastest seen here (cpu-speed.ts); its cache folder may be given. */
  cpuSpeed?: boolean | { cacheDir?: string };
  /**
   * Also trace the four kernels this long and judge how steady their speed is
   * (steadiness.ts); absent or 0: not run. `conlab doctor` only: a run's
   * environment leaves it out, since it would add seconds to every run and
   * catches a spell only if the spell overlaps it.
   */
  steadinessMs?: number;
}

/** Machine-busy's threshold (verdicts.ts): a process above it would flag a cell on its own. */
const BUSY_PROCESS_PERCENT = 10;
/** Half a core of other runnable work on average over the last minute: five times what machine-busy flags. */
const LOAD_WARN = 0.5;
/** Steal above 1% of the cores' time means the hypervisor is running other guests on them. */
const STEAL_WARN_PERCENT = 1;

function ok(name: string, value: string, hint?: string): StabilityCheck {
  return { name, verdict: 'ok', value, ...(hint === undefined ? {} : { hint }) };
}

function warn(name: string, value: string, why: string, hint: string): StabilityCheck {
  return { name, verdict: 'warn', value, why, hint };
}

function read(root: string, path: string): string | null {
  try {
    return readFileSync(`${root}${path}`, 'latin1').trim();
  } catch {
    return null;
  }
}

function list(root: string, path: string): string[] {
  try {
    return readdirSync(`${root}${path}`);
  } catch {
    return [];
  }
}

/** "0-3,6,8-9" → [0, 1, 2, 3, 6, 8, 9]. */
export function parseCpuList(text: string): number[] {
  const cpus: number[] = [];
  for (const part of text.trim().split(',')) {
    if (part === '') continue;
    const [from, to] = part.split('-').map(Number);
    if (from === undefined || !Number.isInteger(from)) continue;
    const end = to !== undefined && Number.isInteger(to) ? to : from;
    for (let cpu = from; cpu <= end; cpu++) cpus.push(cpu);
  }
  return cpus;
}

function cpuDirs(root: string): string[] {
  return list(root, '/sys/devices/system/cpu')
    .filter((name) => /^cpu\d+$/.test(name))
    .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
}

export function checkGovernor(root: string): StabilityCheck {
  const governors = cpuDirs(root).flatMap(
    (cpu) => read(root, `/sys/devices/system/cpu/${cpu}/cpufreq/scaling_governor`) ?? [],
  );
  if (governors.length === 0) {
    return ok(
      'cpu-governor',
      'no cpufreq here (a VM or a fixed clock)',
      'in a VM the host sets the clock: compare runs only against baselines measured in the same run',
    );
  }
  const kinds = [...new Set(governors)];
  const value = `${kinds.join(', ')} on ${governors.length} core${governors.length === 1 ? '' : 's'}`;
  if (kinds.every((kind) => kind === 'performance')) return ok('cpu-governor', value);
  return warn(
    'cpu-governor',
    value,
    'the clock follows the load: a short or lightly loaded cell runs at a lower frequency than a long, busy one, so models are compared at different clocks',
    'sudo cpupower frequency-set -g performance (or pyperf system tune)',
  );
}

export function checkTurbo(root: string): StabilityCheck {
  const noTurbo = read(root, '/sys/devices/system/cpu/intel_pstate/no_turbo');
  const boost = read(root, '/sys/devices/system/cpu/cpufreq/boost');
  const on = noTurbo === '0' || boost === '1';
  if (noTurbo === null && boost === null) {
    return ok('turbo-boost', 'not exposed (a VM or no boost)');
  }
  if (!on) return ok('turbo-boost', 'off');
  return warn(
    'turbo-boost',
    'on',
    'the boost clock drops as more cores get busy and as the chip warms: a 2-worker cell runs slower per core than the sequential baseline, so speedups read low and repetitions drift',
    noTurbo !== null
      ? 'echo 1 | sudo tee /sys/devices/system/cpu/intel_pstate/no_turbo'
      : 'echo 0 | sudo tee /sys/devices/system/cpu/cpufreq/boost',
  );
}

export function checkLoad(root: string, cores: number): StabilityCheck {
  const text = read(root, '/proc/loadavg');
  const load1 = text === null ? Number.NaN : Number(text.split(/\s+/)[0]);
  if (!Number.isFinite(load1)) return ok('load-average', 'not readable');
  const value = `${load1.toFixed(2)} (1 min) on ${cores} cores`;
  if (load1 < LOAD_WARN) return ok('load-average', value);
  return warn(
    'load-average',
    value,
    'other work is running or waiting to run: it takes CPU from the subjects (cells get machine-busy) and from the driver',
    'wait for a quiet machine; see busy-processes for who is running',
  );
}

interface ProcessCpu {
  pid: number;
  name: string;
  ticks: number;
}

/** Every process's own CPU ticks now (a process that vanishes while read is skipped). */
export function readProcessTicks(root: string): ProcessCpu[] {
  return list(root, '/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    const text = read(root, `/proc/${entry}/stat`);
    const stat = text === null ? null : parsePidStat(text);
    return stat ? [{ pid: stat.pid, name: stat.name, ticks: stat.ownTicks }] : [];
  });
}

/** The processes that used the most CPU between two readings, in % of one core, busiest first. */
export function busiestProcesses(
  before: readonly ProcessCpu[],
  after: readonly ProcessCpu[],
  elapsedMs: number,
  clockTicksPerSec: number,
  excludePid?: number,
): { pid: number; name: string; cpuPercent: number }[] {
  if (!(elapsedMs > 0)) return [];
  const earlier = new Map(before.map((process) => [process.pid, process]));
  return after
    .flatMap((process) => {
      const previous = earlier.get(process.pid);
      if (!previous || process.pid === excludePid) return [];
      const cpuPercent = ((process.ticks - previous.ticks) * 100_000) / clockTicksPerSec / elapsedMs;
      return cpuPercent > 0 ? [{ pid: process.pid, name: process.name, cpuPercent }] : [];
    })
    .sort((a, b) => b.cpuPercent - a.cpuPercent);
}

/**
 * A readable name: the command line (runtimes rename their main thread, so
 * the stat name of a node process is "MainThread"), shortened; else the stat name.
 */
export function commandName(root: string, pid: number, fallback: string): string {
  const cmdline = read(root, `/proc/${pid}/cmdline`);
  const words = cmdline === null ? [] : cmdline.split('\0').filter((word) => word !== '');
  if (words.length === 0) return fallback;
  // Paths shortened to their last part: "node prettier --check", not the whole node_modules path.
  const text = words.map((word) => (word.includes('/') ? (word.split('/').at(-1) ?? word) : word)).join(' ');
  return text.length > 32 ? `${text.slice(0, 31)}…` : text;
}

export function checkBusyProcesses(
  busiest: { pid: number; name: string; cpuPercent: number }[],
  nameOf: (pid: number, fallback: string) => string = (_pid, fallback) => fallback,
): StabilityCheck {
  const top = busiest.slice(0, 3);
  const value =
    top.length === 0
      ? 'none used CPU'
      : top.map((p) => `${nameOf(p.pid, p.name)} (${p.pid}) ${Math.round(p.cpuPercent)}%`).join(', ');
  if (!top.some((process) => process.cpuPercent >= BUSY_PROCESS_PERCENT)) return ok('busy-processes', value);
  return warn(
    'busy-processes',
    value,
    `a process using ${BUSY_PROCESS_PERCENT}% of a core or more is enough on its own to flag cells machine-busy and move a CPU-bound result on a few cores`,
    'stop it, or measure when it is done',
  );
}

/** Steal (the hypervisor ran someone else) as a share of all the cores' time between two /proc/stat readings. */
export function stealPercent(before: readonly CoreTimes[], after: readonly CoreTimes[]): number | null {
  let steal = 0;
  let total = 0;
  after.forEach((core, i) => {
    const previous = before[i];
    if (!previous) return;
    steal += core.other - previous.other;
    total += core.total - previous.total;
  });
  return total > 0 ? (steal / total) * 100 : null;
}

export function checkSteal(percent: number | null): StabilityCheck {
  if (percent === null) return ok('steal', 'not measured');
  const value = `${percent.toFixed(1)}% of the cores' time`;
  if (percent < STEAL_WARN_PERCENT) return ok('steal', value);
  return warn(
    'steal',
    value,
    "the hypervisor ran other guests on this VM's cores: the cores come and go under the subjects, and it shows as busy CPU no process used",
    'use a dedicated host or instance type; compare only within one run',
  );
}

/** The CPU quota of this process's cgroup in cores (null: no quota), and how often it was throttled. */
export function readCgroupQuota(
  root: string,
): { cores: number | null; throttled: number | null; where: string } | null {
  const membership = read(root, '/proc/self/cgroup');
  if (membership === null) return null;
  for (const line of membership.split('\n')) {
    const [, controllers = '', path = '/'] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    const cleanPath = path === '/' ? '' : path;
    if (controllers === '') {
      // cgroup v2 (or the unified part of a hybrid): cpu.max is "max 100000" or "150000 100000".
      for (const base of ['/sys/fs/cgroup', '/sys/fs/cgroup/unified']) {
        const max = read(root, `${base}${cleanPath}/cpu.max`);
        if (max === null) continue;
        const [quota, period] = max.split(/\s+/);
        const stat = read(root, `${base}${cleanPath}/cpu.stat`);
        return {
          cores: quota === 'max' || !quota || !period ? null : Number(quota) / Number(period),
          throttled: stat ? Number(/^nr_throttled (\d+)/m.exec(stat)?.[1] ?? Number.NaN) : null,
          where: `${base}${cleanPath}/cpu.max`,
        };
      }
    } else if (controllers.split(',').includes('cpu')) {
      // cgroup v1: the cpu controller's own hierarchy, named by its controller list.
      const dir = `/sys/fs/cgroup/${controllers}${cleanPath}`;
      const quota = read(root, `${dir}/cpu.cfs_quota_us`);
      const period = read(root, `${dir}/cpu.cfs_period_us`);
      if (quota === null || period === null) continue;
      const stat = read(root, `${dir}/cpu.stat`);
      return {
        cores: Number(quota) < 0 ? null : Number(quota) / Number(period),
        throttled: stat ? Number(/^nr_throttled (\d+)/m.exec(stat)?.[1] ?? Number.NaN) : null,
        where: `${dir}/cpu.cfs_quota_us`,
      };
    }
  }
  return null;
}

export function checkCgroup(root: string, cores: number): StabilityCheck {
  const quota = readCgroupQuota(root);
  if (!quota) return ok('cgroup-cpu', 'no cgroup CPU controller found');
  const throttled = quota.throttled !== null && Number.isFinite(quota.throttled) && quota.throttled > 0;
  const value = `${quota.cores === null ? 'no quota' : `quota ${quota.cores.toFixed(2)} cores`} on ${cores}${throttled ? `, throttled ${quota.throttled} times` : ''}`;
  if ((quota.cores === null || quota.cores >= cores) && !throttled) return ok('cgroup-cpu', value);
  return warn(
    'cgroup-cpu',
    value,
    'the container may use less CPU than it has cores: parallel models are throttled (paused each period), not scaled, and latency gets periodic stalls',
    `raise the quota (${quota.where}) to the cores, or run with --concurrency at most the quota`,
  );
}

/** Groups of logical CPUs that are hyperthreads of one physical core. */
export function readSiblingGroups(root: string): number[][] {
  const groups = new Map<string, number[]>();
  for (const cpu of cpuDirs(root)) {
    const text = read(root, `/sys/devices/system/cpu/${cpu}/topology/thread_siblings_list`);
    if (text === null) continue;
    const members = parseCpuList(text);
    if (members.length > 1) groups.set(members.join(','), members);
  }
  return [...groups.values()];
}

export function checkSmt(root: string): StabilityCheck {
  const groups = readSiblingGroups(root);
  if (groups.length === 0) {
    const active = read(root, '/sys/devices/system/cpu/smt/active');
    return ok('smt', active === '1' ? 'on, but no siblings listed' : 'no sibling threads');
  }
  return warn(
    'smt',
    `siblings ${groups.map((group) => group.join('+')).join(', ')}`,
    'two logical CPUs of one physical core share its execution units: two workers placed on siblings get well under 2 cores of work, which reads as poor scaling',
    'compare at most one worker per physical core, or turn SMT off: echo off | sudo tee /sys/devices/system/cpu/smt/control',
  );
}

export function checkSwap(root: string): StabilityCheck {
  const meminfo = read(root, '/proc/meminfo');
  const kib = (key: string): number | null => {
    const match = meminfo ? new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(meminfo) : null;
    return match?.[1] === undefined ? null : Number(match[1]);
  };
  const total = kib('SwapTotal');
  const free = kib('SwapFree');
  if (total === null || free === null) return ok('swap', 'not readable');
  if (total === 0) return ok('swap', 'no swap');
  const usedMiB = (total - free) / 1024;
  const value = `${usedMiB.toFixed(0)} MiB of ${(total / 1024).toFixed(0)} MiB in use`;
  if (usedMiB < 1) return ok('swap', value);
  return warn(
    'swap',
    value,
    'memory is short enough that pages went to swap: a page fault back from swap costs milliseconds, in whichever cell touches it',
    'free memory (close programs) or measure fewer, smaller cells',
  );
}

export function checkIsolation(root: string): StabilityCheck {
  const isolated = read(root, '/sys/devices/system/cpu/isolated') ?? '';
  const nohz = read(root, '/sys/devices/system/cpu/nohz_full') ?? '';
  const cmdline = read(root, '/proc/cmdline') ?? '';
  const fromCmdline = /(?:^|\s)isolcpus=(\S+)/.exec(cmdline)?.[1];
  const parts = [
    isolated !== '' ? `isolated ${isolated}` : fromCmdline ? `isolcpus=${fromCmdline}` : '',
    nohz !== '' && nohz !== '(null)' ? `nohz_full ${nohz}` : '',
  ].filter((part) => part !== '');
  // No isolation is the normal state of a machine, not a fault: ok, with how to do better.
  return parts.length > 0
    ? ok('cpu-isolation', parts.join(', '), 'pin subjects to the isolated CPUs (taskset) to use them')
    : ok(
        'cpu-isolation',
        'none',
        'for the quietest numbers: isolcpus= and nohz_full= on the kernel command line (pyperf system tune)',
      );
}

export function checkAslr(root: string): StabilityCheck {
  const value = read(root, '/proc/sys/kernel/randomize_va_space');
  if (value === null) return ok('aslr', 'not readable');
  const words: Record<string, string> = { '0': 'off', '1': 'partial (stack, mmap)', '2': 'full' };
  if (value !== '0') return ok('aslr', words[value] ?? value);
  return warn(
    'aslr',
    'off',
    'every process gets the same memory layout, so one lucky or unlucky layout (cache and TLB conflicts) is in every repetition instead of averaging out',
    'echo 2 | sudo tee /proc/sys/kernel/randomize_va_space',
  );
}

export function checkHugePages(root: string): StabilityCheck {
  const text = read(root, '/sys/kernel/mm/transparent_hugepage/enabled');
  const mode = text === null ? null : (/\[(\w+)\]/.exec(text)?.[1] ?? null);
  if (mode === null) return ok('transparent-hugepages', 'not exposed');
  if (mode !== 'always') return ok('transparent-hugepages', mode);
  return warn(
    'transparent-hugepages',
    'always',
    'the kernel may collapse or compact pages during a cell (khugepaged): memory figures jump and latency gets rare stalls',
    'echo madvise | sudo tee /sys/kernel/mm/transparent_hugepage/enabled',
  );
}

function sleepSync(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readCores(root: string): CoreTimes[] {
  const text = read(root, '/proc/stat');
  return text === null ? [] : parseProcStat(text);
}

/**
 * Every check, in a fixed order. Synchronous: the busiest processes and
 * steal are rates over `sampleMs` (default 200 ms) of blocking wait, so a
 * caller pays that once per run.
 */
export function stabilityChecks(cores: number, options: DoctorOptions = {}): StabilityCheck[] {
  const root = options.root ?? '';
  const hz = options.clockTicksPerSec ?? 100;
  const sampleMs = options.sampleMs ?? 200;
  const coresBefore = readCores(root);
  const before = readProcessTicks(root);
  const startedAt = performance.now();
  sleepSync(sampleMs);
  const after = sampleMs > 0 ? readProcessTicks(root) : before;
  const elapsedMs = sampleMs > 0 ? performance.now() - startedAt : 0;
  const coresAfter = sampleMs > 0 ? readCores(root) : coresBefore;
  return [
    checkGovernor(root),
    checkTurbo(root),
    checkLoad(root, cores),
    checkBusyProcesses(busiestProcesses(before, after, elapsedMs, hz, options.selfPid), (pid, fallback) =>
      commandName(root, pid, fallback),
    ),
    checkSteal(sampleMs > 0 ? stealPercent(coresBefore, coresAfter) : null),
    checkCgroup(root, cores),
    checkSmt(root),
    checkSwap(root),
    checkIsolation(root),
    checkAslr(root),
    checkHugePages(root),
    ...(options.cpuSpeed ? [checkCpuSpeed(options.cpuSpeed === true ? {} : options.cpuSpeed)] : []),
    ...(options.steadinessMs ? [checkSteadiness(options.steadinessMs)] : []),
  ];
}
