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
}

export interface EventLoopStats {
  pid: number;
  /** Worker thread id inside that process; 0 for the main thread. */
  threadId: number;
  /** Event-loop utilization 0..1 over the window. */
  utilization: number;
  delayP50Ms: number;
  delayP99Ms: number;
  delayMaxMs: number;
}

export interface MonitorReport {
  available: boolean;
  /** Why the monitor could not run (e.g. no /proc), when available is false. */
  unavailableReason?: string;
  intervalMs: number;
  durationMs: number;
  cores: number;
  perCore: CoreSample[];
  tree: TreeSample[];
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
  };
  eventLoop: EventLoopStats[];
}
