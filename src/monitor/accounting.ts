/**
 * Where the subject's time went, per process and per thread of its tree,
 * over the measured window: user and system time, voluntary and
 * involuntary context switches, and run-queue wait (runnable, but no CPU
 * free). This is the evidence behind a model's likely cause of not scaling
 * (causes.ts).
 *
 * Read twice, not every tick: once when the window starts and once when it
 * ends, from /proc/PID/task/TID/{stat,status,schedstat}. Totals are
 * cumulative, so two readings give exact deltas, and the cost does not grow
 * with the sampling rate (a tree of 30 threads is ~90 small reads, ~2 ms,
 * outside the window). What two readings cannot see: a thread or process
 * that starts and ends inside the window. A process's own user/system time
 * (its /proc/PID/stat) still includes its threads that ended; its switches
 * and run-queue wait are summed over the threads alive at the end. A
 * process that ended inside the window is counted (exitedProcesses); its
 * CPU is in the tree's total (tree.ts), not in these rows.
 *
 * Every reader takes the /proc root so tests can point it at a fixture tree.
 */
import { closeSync, openSync, readSync, readdirSync } from 'node:fs';
import { parsePidStat } from './proc.ts';
import type { ProcessAccount, ThreadAccount, ThreadRole, TimeAccount, TreeAccounting } from './types.ts';

export type { ProcessAccount, ThreadAccount, ThreadRole, TimeAccount, TreeAccounting } from './types.ts';

/** Several threads' (or processes') time as one: sums, with the run-queue wait unknown if any is. */
export function sumTimeAccounts(accounts: readonly TimeAccount[]): TimeAccount {
  const sum = (pick: (account: TimeAccount) => number): number =>
    accounts.reduce((total, account) => total + pick(account), 0);
  return {
    cpuMs: sum((account) => account.cpuMs),
    userMs: sum((account) => account.userMs),
    systemMs: sum((account) => account.systemMs),
    runQueueWaitMs: accounts.some((account) => account.runQueueWaitMs === null)
      ? null
      : sum((account) => account.runQueueWaitMs ?? 0),
    voluntarySwitches: sum((account) => account.voluntarySwitches),
    involuntarySwitches: sum((account) => account.involuntarySwitches),
  };
}

/** One thread's cumulative counters at one instant. */
export interface TaskReading {
  tid: number;
  name: string;
  startTicks: number;
  userTicks: number;
  systemTicks: number;
  voluntarySwitches: number;
  involuntarySwitches: number;
  /** schedstat: ns on a CPU and ns runnable waiting for one; null where the kernel lacks schedstat. */
  runNs: number | null;
  waitNs: number | null;
}

/** One process's counters (its stat includes its ended threads) and its live threads. */
export interface ProcessReading {
  pid: number;
  name: string;
  startTicks: number;
  userTicks: number;
  systemTicks: number;
  tasks: TaskReading[];
}

export interface TreeSnapshot {
  /** Seconds since boot in clock ticks when taken: a thread started after this ran only inside the window. */
  bootTicks: number;
  processes: ProcessReading[];
}

/** voluntary_ctxt_switches and nonvoluntary_ctxt_switches of a /proc/…/status text; null if either is missing. */
export function parseTaskStatus(text: string): { voluntary: number; involuntary: number } | null {
  const voluntary = /^voluntary_ctxt_switches:\s*(\d+)/m.exec(text)?.[1];
  const involuntary = /^nonvoluntary_ctxt_switches:\s*(\d+)/m.exec(text)?.[1];
  if (voluntary === undefined || involuntary === undefined) return null;
  return { voluntary: Number(voluntary), involuntary: Number(involuntary) };
}

/** A /proc/…/schedstat text: ns running, ns waiting on a run queue, timeslices. */
export function parseSchedstat(text: string): { runNs: number; waitNs: number; timeslices: number } | null {
  const [run, wait, slices] = text.trim().split(/\s+/).map(Number);
  if (run === undefined || wait === undefined || !Number.isFinite(run) || !Number.isFinite(wait)) return null;
  return { runNs: run, waitNs: wait, timeslices: Number.isFinite(slices) ? (slices ?? 0) : 0 };
}

/** One buffer for every read: /proc files are generated on read, and these are small (status ~1.5 KB). */
let buffer = Buffer.allocUnsafe(4096);

/** open + read + close into the shared buffer (readFileSync adds an fstat and an allocation per file). */
function readText(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, 0);
      if (n < buffer.length) return buffer.toString('latin1', 0, n);
      buffer = Buffer.allocUnsafe(buffer.length * 2);
    }
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** One thread's counters; null once it is gone (a thread that ended between listing and reading). */
export function readTask(pid: number, tid: number, procRoot = '/proc'): TaskReading | null {
  const dir = `${procRoot}/${pid}/task/${tid}`;
  const statText = readText(`${dir}/stat`);
  const stat = statText === null ? null : parsePidStat(statText);
  const statusText = readText(`${dir}/status`);
  const switches = statusText === null ? null : parseTaskStatus(statusText);
  if (!stat || !switches) return null;
  const schedText = readText(`${dir}/schedstat`);
  const sched = schedText === null ? null : parseSchedstat(schedText);
  return {
    tid,
    name: stat.name,
    startTicks: stat.startTicks,
    userTicks: stat.userTicks,
    systemTicks: stat.systemTicks,
    voluntarySwitches: switches.voluntary,
    involuntarySwitches: switches.involuntary,
    runNs: sched?.runNs ?? null,
    waitNs: sched?.waitNs ?? null,
  };
}

/** A process and every thread it has now; null if it is gone. */
export function readProcess(pid: number, procRoot = '/proc'): ProcessReading | null {
  const statText = readText(`${procRoot}/${pid}/stat`);
  const stat = statText === null ? null : parsePidStat(statText);
  if (!stat) return null;
  let tids: number[];
  try {
    tids = readdirSync(`${procRoot}/${pid}/task`)
      .map(Number)
      .filter((tid) => tid > 0);
  } catch {
    return null;
  }
  const tasks = tids.flatMap((tid) => readTask(pid, tid, procRoot) ?? []);
  return {
    pid,
    name: stat.name,
    startTicks: stat.startTicks,
    userTicks: stat.userTicks,
    systemTicks: stat.systemTicks,
    tasks: tasks.sort((a, b) => a.tid - b.tid),
  };
}

export function snapshotTree(pids: Iterable<number>, bootTicks: number, procRoot = '/proc'): TreeSnapshot {
  const processes: ProcessReading[] = [];
  for (const pid of pids) {
    const reading = readProcess(pid, procRoot);
    if (reading) processes.push(reading);
  }
  return { bootTicks, processes: processes.sort((a, b) => a.pid - b.pid) };
}

/**
 * Thread names of the JavaScript worker threads each runtime starts
 * (worker_threads / Web Workers), as the kernel shows them: Node
 * "WorkerThread", Bun "Worker", Deno "worker-N". Checked on Node 24, Bun 1.4
 * and Deno 2.9; other threads of a runtime (V8Worker, HeapHelper, JITWorker,
 * libuv-worker, tokio-runtime-w, …) are its helpers: GC, compilers, I/O.
 */
const jsWorkerName = /^(WorkerThread|Worker|worker-\d+)$/;

/**
 * A thread's part in a model: `main` is the event loop that dispatches work
 * (the root process's, and a child's that runs worker threads of its own);
 * `worker` runs the items (a JS worker thread, or a child process's main
 * thread when it has none); `helper` is the runtime's own (GC, JIT, I/O).
 */
export function threadRole(
  thread: { pid: number; tid: number; name: string },
  rootPid: number,
  processHasWorkerThreads: boolean,
): ThreadRole {
  if (thread.tid === thread.pid) return thread.pid === rootPid || processHasWorkerThreads ? 'main' : 'worker';
  return jsWorkerName.test(thread.name) ? 'worker' : 'helper';
}

const ms = (ticks: number, clockTicksPerSec: number): number => (ticks / clockTicksPerSec) * 1000;
const round2 = (value: number): number => Math.round(value * 100) / 100;

/**
 * The window's accounting from a snapshot at its start and one at its end.
 * A thread or process matched by id and start time gives its difference; one
 * that started after the first snapshot counts in full (all of it ran in the
 * window); one that was not in the first snapshot but is older than it (never
 * happens when the tree was known at the start) is left out rather than
 * counted with its whole life.
 */
export function accountTree(
  before: TreeSnapshot,
  after: TreeSnapshot,
  rootPid: number,
  clockTicksPerSec: number,
  windowMs: number,
): TreeAccounting {
  const earlier = new Map(before.processes.map((process) => [process.pid, process]));
  const processes: ProcessAccount[] = [];
  const threads: ThreadAccount[] = [];
  let exitedThreads = 0;
  for (const process of after.processes) {
    const previous = earlier.get(process.pid);
    const matched = previous !== undefined && previous.startTicks === process.startTicks ? previous : null;
    if (!matched && process.startTicks < before.bootTicks) continue;
    const previousTasks = new Map((matched?.tasks ?? []).map((task) => [task.tid, task]));
    const liveTids = new Set(process.tasks.map((task) => task.tid));
    exitedThreads += (matched?.tasks ?? []).filter((task) => !liveTids.has(task.tid)).length;
    const hasWorkerThreads = process.tasks.some(
      (task) => task.tid !== process.pid && jsWorkerName.test(task.name),
    );
    const processThreads: ThreadAccount[] = [];
    for (const task of process.tasks) {
      const old = previousTasks.get(task.tid);
      const base = old !== undefined && old.startTicks === task.startTicks ? old : null;
      if (!base && task.startTicks < before.bootTicks) continue;
      const userTicks = task.userTicks - (base?.userTicks ?? 0);
      const systemTicks = task.systemTicks - (base?.systemTicks ?? 0);
      const runNs = task.runNs === null ? null : task.runNs - (base ? (base.runNs ?? 0) : 0);
      const waitNs = task.waitNs === null ? null : task.waitNs - (base ? (base.waitNs ?? 0) : 0);
      processThreads.push({
        pid: process.pid,
        tid: task.tid,
        name: task.name,
        role: threadRole({ pid: process.pid, tid: task.tid, name: task.name }, rootPid, hasWorkerThreads),
        // schedstat's ns are exact; utime + stime are rounded to clock ticks (and split by sampling).
        cpuMs: round2(runNs === null ? ms(userTicks + systemTicks, clockTicksPerSec) : runNs / 1e6),
        userMs: round2(ms(userTicks, clockTicksPerSec)),
        systemMs: round2(ms(systemTicks, clockTicksPerSec)),
        runQueueWaitMs: waitNs === null ? null : round2(waitNs / 1e6),
        voluntarySwitches: task.voluntarySwitches - (base?.voluntarySwitches ?? 0),
        involuntarySwitches: task.involuntarySwitches - (base?.involuntarySwitches ?? 0),
      });
    }
    const userMs = ms(process.userTicks - (matched?.userTicks ?? 0), clockTicksPerSec);
    const systemMs = ms(process.systemTicks - (matched?.systemTicks ?? 0), clockTicksPerSec);
    const summed = sumTimeAccounts(processThreads);
    processes.push({
      pid: process.pid,
      name: process.name,
      role: process.pid === rootPid ? 'root' : 'child',
      // Times from the process's own stat: it keeps the threads that ended inside the window.
      cpuMs: round2(userMs + systemMs),
      userMs: round2(userMs),
      systemMs: round2(systemMs),
      runQueueWaitMs: summed.runQueueWaitMs === null ? null : round2(summed.runQueueWaitMs),
      voluntarySwitches: summed.voluntarySwitches,
      involuntarySwitches: summed.involuntarySwitches,
      threads: processThreads.length,
    });
    threads.push(...processThreads);
  }
  const live = new Set(after.processes.map((process) => process.pid));
  return {
    windowMs: round2(windowMs),
    processes,
    threads,
    exitedProcesses: before.processes.filter((process) => !live.has(process.pid)).length,
    exitedThreads,
  };
}
