/**
 * The load generator's programmatic contract: `runLoad(options)` in
 * src/load/index.ts takes LoadOptions and resolves to a LoadResult; the CLI
 * (`conlab load`), the server lab and suites all use exactly this.
 */
import type { HdrPrecision, LatencySummaryUs } from '../stats/hdr.ts';
import type { Verdict } from '../monitor/verdicts.ts';

/** How a request failed; counted per kind, never as a success. */
export type ErrorKind =
  'connect' | 'refused' | 'reset' | 'timeout' | 'status' | 'body' | 'short-read' | 'other';

export interface LoadOptions {
  /** http://127.0.0.1:PORT/path or tcp://127.0.0.1:PORT */
  target: string;
  /** HTTP method, headers and body (ignored for tcp). */
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Closed loop: number of connections. */
  connections: number;
  /** Open loop: requests per second across all connections; closed loop when undefined. */
  rateRps?: number;
  /** Stop after this many seconds ... */
  durationS?: number;
  /** ... or after this many requests (whichever first). */
  requests?: number;
  /** Requests in flight per connection (HTTP pipelining), default 1. */
  pipelining?: number;
  /** Generator threads, default 1. */
  threads?: number;
  /** TCP: a new connection per request (seed 000 client) instead of persistent connections. */
  connectionPerRequest?: boolean;
  /** TCP: bytes to send per request (default "ping") and the reply expected (default = echo of the request). */
  tcpPayload?: string;
  tcpExpect?: string;
  /** Verification: expected HTTP status class (default 2), exact body or body regex. */
  expectStatus?: number;
  expectBody?: string;
  expectBodyRegex?: string;
  /**
   * HTTP: several different requests instead of one, each with its own
   * expectation, sent in a fixed weighted round-robin (see LoadRequest.weight);
   * the target URL then gives only the host and port. Replaces method,
   * headers, body and the expect* options above. One entry is the same as
   * giving it through those options.
   */
  mix?: LoadRequest[];
  /** Per-request timeout, default 10 s. */
  timeoutMs?: number;
  /** Warmup seconds before measuring (not recorded). */
  warmupS?: number;
  /** Permit targets outside 127.0.0.0/8 and ::1. */
  allowRemote?: boolean;
  /**
   * Run as one shard of a load spread over several processes or machines:
   * this run takes its exact share of `connections`, `rateRps` and
   * `requests` (the split the generator threads use), and its result
   * carries what `conlab merge` needs. The options name the whole load.
   */
  shard?: ShardSpec;
  /**
   * Wall-clock instant (epoch ms) at which the measured window begins (the
   * warm-up, if any, runs before it). Already past when the threads are
   * ready: the run starts at once and `clock.startLateMs` says how late.
   */
  startAtEpochMs?: number;
}

/** One request of a mix (LoadOptions.mix): what to send and what a good reply is. */
export interface LoadRequest {
  /** Default GET. */
  method?: string;
  /** Path and query (origin form: starts with /). */
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /**
   * Relative share of the mix, a whole number (default 1). Requests are
   * dealt in a fixed smooth weighted round-robin per generator thread
   * (weights 3 and 1 send A A B A, A A B A, ...), not at random, so a short
   * run sends exactly the proportions asked for and two runs send the same.
   */
  weight?: number;
  /** 2 = any 2xx (default), or an exact status. */
  expectStatus?: number;
  expectBody?: string;
  expectBodyRegex?: string;
}

/** Shard `index` of `count`, 1-based (`--shard 2/4`). */
export interface ShardSpec {
  index: number;
  count: number;
}

/** A shard's exact share of the whole load (every share of every shard sums to the whole). */
export interface ShardShare extends ShardSpec {
  connections: number;
  /** Open loop: this shard's part of the rate. */
  rateRps?: number;
  /** -n: this shard's part of the request budget. */
  requests?: number;
}

/** When the measured window ran, by the clock of the host that ran it. */
export interface RunClock {
  /** `startAtEpochMs` as asked for (absent when the run started as soon as it was ready). */
  requestedStartEpochMs?: number;
  /** Start of the measured window as planned (epoch ms): the requested instant, or the moment the threads were ready when that had passed. Timeline seconds count from here. */
  startEpochMs: number;
  /** End of the measured window (epoch ms). */
  endEpochMs: number;
  /** startEpochMs − requestedStartEpochMs (ms): how late the window began because the requested instant had passed; 0 when on time. */
  startLateMs: number;
  /** When the last generator thread actually began measuring (epoch ms); minus startEpochMs, it is the timer's own lateness. */
  beganEpochMs?: number;
}

/** One shard as `conlab merge` saw it. */
export interface MergedShard extends ShardShare {
  host: string;
  requests: number;
  errorsTotal: number;
  rps: number;
  clientCpuPercent: number;
  warnings: Verdict[];
  startEpochMs: number;
  beganEpochMs: number;
  startLateMs: number;
  durationS: number;
}

/** What qualifies a merged result (present only on the output of `conlab merge`). */
export interface MergeInfo {
  /** N of --shard I/N: how many shards the load was split into. */
  shardCount: number;
  /** The shards merged, by index. */
  shards: MergedShard[];
  /** Indices (1-based) of shards whose result was not given: their share of the load is in no number. */
  missingShards: number[];
  /**
   * Latest minus earliest shard start (`beganEpochMs`), ms, as each host's
   * clock stamped it: start lateness plus timer lateness. Skew between the
   * hosts' clocks is not visible in stamps taken by those same clocks.
   */
  startSpreadMs: number;
  hosts: string[];
  /** 'none' when every shard ran on one host (one clock); else 'unmeasured': the clocks' disagreement adds to the real spread. */
  clockSkew: 'none' | 'unmeasured';
  /** Shards whose generator was client-saturated (their share may have been sent slower than asked). */
  clientSaturatedShards: number[];
}

export interface ThreadUsage {
  threadIndex: number;
  /** Merged results: the shard (1-based) that ran this thread. */
  shard?: number;
  /** CPU used by this generator thread over the run, in % of one core. */
  cpuPercent: number;
  requests: number;
  /** Connections this thread drove (the split of -c, none lost to rounding). */
  connections?: number;
  errors?: number;
  /** Share of the window the thread's event loop was busy (0..1). */
  eventLoopUtilization?: number;
  /** 'thread': the thread's own CPU clock; 'elu': no thread clock available, cpuPercent estimated from event-loop utilization. */
  cpuSource?: 'thread' | 'elu';
  /**
   * Share of the window the thread was runnable but waiting for a CPU, in %
   * (Linux schedstat). cpuPercent + this is the thread's CPU demand: near
   * 100 means it was CPU-bound, whether it got the CPU or was starved of it.
   */
  runQueueWaitPercent?: number;
}

/** Open loop only: how the send schedule was kept. */
export interface ScheduleInfo {
  targetRps: number;
  /** Requests scheduled inside the measured window. */
  scheduled: number;
  /** Requests (successes + errors) per second completed in the window. */
  achievedRps: number;
  /** Requests that found no free connection at their scheduled time and waited (their corrected latency includes the wait). */
  backlogged: number;
  /** Lateness of sends that found a free connection: the generator's own drift. */
  sendLagUs: LatencySummaryUs;
  /** Shard results: the encoded send-lag histogram, so a merge can merge it. */
  sendLagHistogram?: string;
}

/**
 * Requests still unanswered when the measured window closed. Each has waited
 * at least its age at that moment, and that age is counted in `latencyUs`,
 * `histogram` (and, for requests that were sent, the uncorrected latency) as
 * a lower bound — so a stalled server shows in the percentiles and the max.
 */
export interface CensoredInfo {
  requests: number;
  /** requests ÷ all measured requests (successes + errors + these). */
  share: number;
  /** Of these, requests older than the p99 of the requests that did complete: waiting, not merely in transit. */
  stalled: number;
  /** stalled ÷ all measured requests; above STALLED_SHARE the result gets the `stalled` warning and `conlab load` exits 1. */
  stalledShare: number;
  /** Age of the oldest when the window closed, µs. */
  oldestAgeUs: number;
}

export interface TimelinePoint {
  /** Seconds since the measured window started. */
  second: number;
  requests: number;
  errors: number;
  p50Us: number;
  p99Us: number;
  /** Shard results: wall-clock start of this second (epoch ms, the host's clock), to align shards. */
  atEpochMs?: number;
  /** Shard results: the encoded histogram of this second's latencies, so merged seconds have true percentiles. */
  histogram?: string;
}

export interface LoadResult {
  /** Effective options after defaults. */
  options: Required<Pick<LoadOptions, 'target' | 'connections' | 'pipelining' | 'threads' | 'timeoutMs'>> &
    LoadOptions;
  mode: 'closed' | 'open';
  protocol: 'http' | 'tcp';
  durationS: number;
  /** Successful (verified) responses. */
  requests: number;
  rps: number;
  bytesRead: number;
  /** Errors by kind; a wrong reply is an error, never a success. */
  errors: Partial<Record<ErrorKind, number>>;
  errorsTotal: number;
  /**
   * Latency in microseconds. Open loop: from each request's scheduled send time (coordinated omission
   * corrected). Unfinished requests are in it at their age when the window closed (see `censored`).
   */
  latencyUs: LatencySummaryUs;
  /** Open loop only: latency from the actual send time (uncorrected). */
  latencyUncorrectedUs?: LatencySummaryUs;
  /** Encoded HDR histograms (see src/load/hdr.ts), mergeable. */
  histogram: string;
  histogramUncorrected?: string;
  timeline: TimelinePoint[];
  threads: ThreadUsage[];
  /** The generator's total CPU, in % of one core. */
  clientCpuPercent: number;
  warnings: Verdict[];
  /** Why each warning was given, in words. */
  warningDetails?: string[];
  /** Whole-process CPU over the run (includes the main thread and GC), in % of one core. */
  processCpuPercent?: number;
  /** Open loop only. */
  schedule?: ScheduleInfo;
  /** Measured requests in flight (or waiting for a connection) when the window closed: `censored.requests`. */
  unfinished?: number;
  /** Those requests, whose latency is known only as a lower bound (their age when the window closed). */
  censored?: CensoredInfo;
  /** A few distinct error messages, to say what went wrong. */
  errorSamples?: string[];
  /** True when the run was stopped early by its AbortSignal. */
  interrupted?: boolean;
  /** Name of the host that ran the generator (a pod's name on Kubernetes). Merged results: see merge.hosts. */
  host?: string;
  /** When the measured window ran, by this host's clock (merged: earliest start, latest end). */
  clock?: RunClock;
  /** What the encoded histograms mean; a merge refuses histograms of another precision. */
  histogramPrecision?: HdrPrecision;
  /** Shard results: which shard this is and its share of the load. */
  shard?: ShardShare;
  /** Merged results: how many shards, which are missing, how far apart they started. */
  merge?: MergeInfo;
}

/** One finished second of the measured window, as the run goes. */
export type LoadProgress = TimelinePoint;

export interface LoadHooks {
  onProgress?(point: LoadProgress): void;
  signal?: AbortSignal;
}
