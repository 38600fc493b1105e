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
  /** Ticks that failed to read /proc (skipped, not guessed). */
  sampleErrors?: number;
  eventLoop: EventLoopStats[];
}
