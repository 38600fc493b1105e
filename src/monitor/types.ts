/**
 * What the monitor reports for one measured window. Produced in the driver
 * (never inside the subject) from /proc; the subject adds its own
 * event-loop figures through the subject protocol.
 */
export interface CoreSample {
  /** Milliseconds since the window started. */
  tMs: number;
  /** One entry per core, each a percentage 0..100 of that core's time in the interval. */
  userPercent: number[];
  systemPercent: number[];
  iowaitPercent: number[];
  idlePercent: number[];
}

export interface TreeSample {
  tMs: number;
  /** CPU of the subject's whole process tree over the interval, in % of one core (200 = two cores busy). */
  cpuPercent: number;
  rssBytes: number;
  processCount: number;
  /** Threads summed over the tree's processes (worker threads show up here). */
  threadCount?: number;
}

/** What the driver and everything outside the experiment used in one interval, in % of one core. */
export interface MachineSample {
  tMs: number;
  driverCpuPercent: number;
  outsideCpuPercent: number;
  /** Every core's busy time summed (200 = two cores busy): whether the machine had a core to spare. Optional: older records lack it. */
  busyPercent?: number;
}

export interface EventLoopStats {
  pid: number;
  /** Worker thread id inside that process; 0 for the main thread. */
  threadId: number;
  /** Runtime that produced these figures (name@version). */
  runtime?: string;
  /** Length of the probed window. */
  durationMs?: number;
  /**
   * Event-loop utilization 0..1 over the window; null when the runtime cannot
   * measure it (see unsupportedReason): a missing figure, never a made-up 0.
   */
  utilization: number | null;
  /** Event-loop delay percentiles (monitorEventLoopDelay); null when unsupported. */
  delayP50Ms: number | null;
  delayP99Ms: number | null;
  delayMaxMs: number | null;
  /** "unsupported on RUNTIME@VERSION (reason)" for each figure that is null. */
  unsupportedReason?: string;
}

/** What the monitor saw inside the measured window. Percentages are of one core (200 = two cores busy). */
export interface MeasuredWindow {
  offsetMs: number;
  durationMs: number;
  intervalMs: number;
  /** Samples' worth of evidence inside the window (two half samples count one). */
  samples: number;
  /** Milliseconds of the window that samples cover (less than durationMs only if the monitor stopped early). */
  coveredMs: number;
  /** The subject's process tree. */
  treeCpuPercent: number;
  /** Everything that is neither the tree nor the driver. */
  outsideCpuPercent: number;
  /**
   * The part of outsideCpuPercent used while the machine had no core to
   * spare (every core at least COMPETING_BUSY_SHARE busy in that sample):
   * CPU that other processes could have taken from the experiment. The
   * input of machine-busy. Optional: older records lack it (then the
   * outside CPU counts whole).
   */
  competingCpuPercent?: number;
  driverCpuPercent: number;
  /** Fewer than MIN_WINDOW_SAMPLES samples: too short to call the machine busy or quiet. */
  tooShort: boolean;
}

/** A thread's part in the model (accounting.ts threadRole): the dispatching event loop, a worker, or a runtime helper (GC, JIT, I/O). */
export type ThreadRole = 'main' | 'worker' | 'helper';

/** Where a thread's (or a process's) time went over the measured window. Times in ms; switches are counts. */
export interface TimeAccount {
  /** On a CPU (schedstat, ns precision; else user + system at clock-tick precision). */
  cpuMs: number;
  userMs: number;
  systemMs: number;
  /** Runnable but waiting for a CPU (schedstat); null where the kernel does not keep it. */
  runQueueWaitMs: number | null;
  /** Gave up the CPU itself: blocked on a lock (futex), I/O, a timer or a message. */
  voluntarySwitches: number;
  /** Taken off the CPU by the scheduler: its slice ended while others wanted the core. */
  involuntarySwitches: number;
}

/** One thread over the measured window. */
export interface ThreadAccount extends TimeAccount {
  pid: number;
  tid: number;
  /** As the kernel names it: MainThread, WorkerThread, V8Worker, … (15 bytes at most). */
  name: string;
  role: ThreadRole;
}

/**
 * One process of the tree over the window: user/system (and so cpuMs) from
 * its own stat, ended threads included; the rest summed over its live threads.
 */
export interface ProcessAccount extends TimeAccount {
  pid: number;
  name: string;
  role: 'root' | 'child';
  /** Threads alive at the end of the window. */
  threads: number;
}

/** Per process and per thread of the subject's tree over the measured window (accounting.ts). */
export interface TreeAccounting {
  windowMs: number;
  processes: ProcessAccount[];
  threads: ThreadAccount[];
  /** Processes alive when the window started and gone at its end (their CPU is in the tree's total, not in these rows). */
  exitedProcesses: number;
  /** Threads of the listed processes that ended inside the window (in their process's user/system time only). */
  exitedThreads: number;
}

/**
 * When `available` is false the timelines are empty and the summary figures
 * other than driverCpuPercent are 0 placeholders, not measurements: check
 * `available` (and the `monitor-unavailable` verdict) before showing them.
 */
export interface MonitorReport {
  available: boolean;
  /** Why the monitor could not run (e.g. no /proc), when available is false. */
  unavailableReason?: string;
  intervalMs: number;
  durationMs: number;
  cores: number;
  perCore: CoreSample[];
  tree: TreeSample[];
  /** Driver and outside-the-experiment CPU per interval. */
  machine?: MachineSample[];
  /** Every PID seen in the subject's process tree during the window. */
  pids: number[];
  summary: {
    /** Mean and max busy % (100 - idle - iowait) per core. */
    coreBusyMeanPercent: number[];
    coreBusyMaxPercent: number[];
    treeCpuPercent: number;
    treePeakRssBytes: number;
    /** CPU used during the window by processes outside the subject tree and the driver, in % of one core. */
    outsideCpuPercent: number;
    /** The driver/load generator's own CPU over the window, in % of one core. */
    driverCpuPercent: number;
    /** All cores' busy time summed over the window, in % of one core (200 = both of two cores busy). */
    machineBusyPercent?: number;
    /** Most threads seen in the tree at one sample. */
    treePeakThreads?: number;
  };
  /**
   * The cell's measured window inside the monitor's (placed by the driver,
   * window.ts): figures from overlap-weighted samples, and whether it held
   * enough samples to judge. Absent: the whole monitor window is judged.
   */
  window?: MeasuredWindow;
  /** Per process and per thread of the tree over the measured window (accounting.ts). Absent: older records, no /proc. */
  accounting?: TreeAccounting;
  /** Ticks that failed to read /proc (skipped, not guessed). */
  sampleErrors?: number;
  eventLoop: EventLoopStats[];
}

/** One check of `conlab doctor` (doctor.ts, cpu-speed.ts, steadiness.ts), stored with every run's environment (all but speed-steadiness). */
export type CheckVerdict = 'ok' | 'warn';

export interface StabilityCheck {
  /** Stable id: cpu-governor, turbo-boost, load-average, busy-processes, steal, cgroup-cpu, smt, swap, cpu-isolation, aslr, transparent-hugepages, cpu-speed, speed-steadiness. */
  name: string;
  verdict: CheckVerdict;
  /** What was found, e.g. "performance on 2 cores", "1.5 cores of 2". */
  value: string;
  /** Why a warning matters for the numbers (absent when ok). */
  why?: string;
  /** What to do about it, or how to do better. */
  hint?: string;
}
