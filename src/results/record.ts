/**
 * The result record: one per measured cell, as written to the store and to
 * `--json`. Units are in the field names. Every producer (batch lab, server
 * lab, suites) and every consumer (store, stats, report) uses these types.
 */
import type { MonitorReport } from '../monitor/types.ts';
import type { Verdict } from '../monitor/verdicts.ts';
import type { EnvironmentInfo } from '../monitor/environment.ts';
import type { LikelyCause } from '../monitor/causes.ts';
import type { ErrorKind } from '../load/types.ts';
import type { LatencySummaryUs } from '../stats/hdr.ts';
import type { AdaptiveRule } from '../stats/precision.ts';

// Re-exported: these types belong to the layer that produces them; the record composes them.
export type { Verdict, EnvironmentInfo, ErrorKind, LatencySummaryUs, AdaptiveRule, LikelyCause };

/**
 * Version of the record format. 2 added the `pipeline` kind (seed 001's
 * runs); a version-1 record is a valid version-2 record, and the store's
 * migration to schema 3 rewrites stored records to 2. A reader that knows
 * only batch and server cells must check this before switching on `kind`.
 */
export const RESULT_SCHEMA_VERSION = 2;

export type CellStatus = 'ok' | 'failed' | 'skipped' | 'invalid';

export interface CellBase {
  schemaVersion: typeof RESULT_SCHEMA_VERSION;
  /** Stable key of the cell's parameters (same cell in two runs → same key); used to match cells in comparisons. */
  cellKey: string;
  runtime: string; // name@version
  status: CellStatus;
  /** Why a cell is failed, skipped (e.g. "unsupported on bun@1.4.5 (reusePort)") or invalid. */
  reason?: string;
  verdicts: Verdict[];
  /** Real PIDs of the processes measured (subject tree). */
  pids: number[];
  startedAt: string; // ISO 8601
  /**
   * Which repetitions this record holds. A suite stores one record per
   * repetition (each a fresh process, interleaved with other cells) and
   * merges records with the same cellKey for display; `conlab batch` (not
   * stored) runs all repetitions of a cell and returns them merged ([0, 1, 2]).
   */
  repetitions: number[];
  /** Monitor output of the last repetition (timelines are large; one is enough to show what the cores did). */
  monitor?: MonitorReport;
  /**
   * Milliseconds from the start of the monitor window to t=0 of the cell's own
   * timeline (ServerCell.timeline / BatchCell.progress) in the same repetition,
   * so the report can align throughput with the per-core CPU heat map. Absent:
   * the report assumes both start together and says the alignment is approximate.
   */
  measuredOffsetMs?: number;
  /**
   * Present when the cell was measured with `repetitions: auto`: the rule
   * it was measured under (at least min, then more until the 95% interval
   * of the primary metric is within ±targetPercent, at most max, within
   * the cell's share of the time budget). Absent: a fixed count.
   */
  adaptive?: AdaptiveRule;
  /**
   * Half-width of the 95% interval of the cell's primary metric (batch:
   * durationMs, server: rps, pipeline: aggregateMiBps), in % of its mean,
   * over the ok repetitions measured so far, this one included (a stored
   * record holds one repetition: the last one's value is the cell's). null
   * below 2 repetitions. Optional: older records lack it.
   */
  precisionPercent?: number | null;
}

/**
 * The common fields of a new record: status ok, nothing measured yet. Each
 * lab's builder (emptyBatchCell in src/batch/run-cell.ts, emptyServerCell in
 * src/servers/driver/record.ts) adds its own, so every empty, failed or
 * skipped record of a kind is made in one place.
 */
export function newCellBase(
  cellKey: string,
  runtime: string,
  startedAt = new Date().toISOString(),
): CellBase {
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    cellKey,
    runtime,
    status: 'ok',
    verdicts: [],
    pids: [],
    startedAt,
    repetitions: [],
  };
}

export interface BatchCell extends CellBase {
  kind: 'batch';
  workload: string;
  /** Workload params as resolved, defaults filled in. */
  params: Record<string, unknown>;
  model: string;
  /** Workers (threads, processes) or in-flight items (async). For hybrid: processes. */
  concurrency: number;
  /** Threads per process (hybrid only), else 1. */
  threadsPerProcess: number;
  itemsPerTask: number;
  items: number;
  /**
   * Per repetition, the time of one pass over the `items` items: the
   * measured window ÷ sizing.rounds (the window runs the same items that
   * many times, so a short batch is timed over at least the minimum
   * window). With one round, the window itself. Comparable across runs and
   * runtimes whatever the rounds.
   */
  durationsMs: number[];
  durationMs: number; // mean
  durationStdevMs: number;
  itemsPerSec: number;
  /** Sequential mean duration ÷ this mean duration, same workload & params & runtime in the same run; null without a baseline. */
  speedup: number | null;
  /** speedup ÷ the cores the model declares (its registry entry's cores()), null without a baseline or for an unknown model. */
  efficiency: number | null;
  cpuPercent: number; // process tree user+sys over wall, % of one core
  peakRssBytes: number;
  answer: string | number | null;
  /**
   * Why the model fell short of its workers (speedup below 85% of them),
   * decided against the baseline cell by src/monitor/causes.ts; absent when it
   * did not fall short or has no baseline. Filled with speedup (fillBatchSpeedups).
   */
  likelyCause?: LikelyCause;
  /** Items completed per time slice during the last repetition, when the batch driver records it; the report aligns it with the per-core CPU timeline. Optional: older records lack it. */
  progress?: BatchProgressPoint[];
  /** How the window was sized (calibration, docs/architecture/batch.md). Optional: older records lack it (one round). */
  sizing?: BatchSizing;
  /** Per repetition, the measured window (every round), ms. Optional: older records lack it (equal to durationsMs). */
  windowsMs?: number[];
}

/**
 * The size of a batch cell's measured window: `rounds` passes over the same
 * items, chosen once per group (runtime × workload × params × items) from a
 * calibration pass, so that every model of the group does the same work as
 * its sequential baseline and the group's fastest model still fills the
 * minimum window.
 */
export interface BatchSizing {
  rounds: number;
  /** The minimum window the group was sized for, ms. */
  minWindowMs: number;
  /** Per-pass time of the group's fastest model in the calibration pass, ms; null: nothing calibrated (rounds 1). */
  fastestRoundMs: number | null;
  /** Which cell set the rounds ("processes c=2"); null: nothing calibrated. */
  fastest: string | null;
  /** True when the cell's time share allowed fewer rounds than the minimum window asked for. */
  capped: boolean;
}

export interface BatchProgressPoint {
  /** Milliseconds since the timed section started (end of the slice). */
  tMs: number;
  /** Items completed since the previous point. */
  items: number;
}

export interface ServerCell extends CellBase {
  kind: 'server';
  architecture: string;
  workers: number;
  threads: number;
  endpoint: string; // hello | cpu | io | whoami | tcp-echo | tcp-compute, or app (see `app`)
  protocol: 'http' | 'tcp';
  /** Closed loop: connections; open loop: null. */
  connections: number | null;
  /** Open loop target rate; null for closed loop. */
  rateRps: number | null;
  durationS: number;
  requests: number;
  rpsPerRep: number[];
  rps: number; // mean over reps
  rpsStdev: number;
  /** Latency of the last repetition; open loop: corrected for coordinated omission. */
  latencyUs: LatencySummaryUs;
  errors: Partial<Record<ErrorKind, number>>;
  serverCpuPercent: number;
  serverPeakRssBytes: number;
  clientCpuPercent: number;
  /** Distinct PIDs seen in /whoami answers (sampled after the measured window, or during it: see servedBySampledDuringLoad). */
  servedByPids: number[];
  /** Encoded HDR histogram of latency (µs), mergeable. */
  histogram: string;
  /** Distinct serving units seen in /whoami answers, as "pid/thread" (thread 0 = main thread); tells threads apart where servedByPids cannot. Optional: older records lack it. */
  servedByUnits?: string[];
  /** How many /whoami answers servedByPids/servedByUnits come from. Optional: older records lack it. */
  servedBySamples?: number;
  /** True when /whoami was asked (one request at a time, fresh connections) while the load ran, as seed 004 counts who served; absent or false: sampled after the window. */
  servedBySampledDuringLoad?: boolean;
  /**
   * Requests still unanswered when the measured window closed (last repetition). Their age then is in
   * the histogram and percentiles as a lower bound of their latency (records before the `stalled`
   * verdict existed left them out). Optional: older records lack it.
   */
  unfinishedRequests?: number;
  /** The server lab's resolved parameters (server config, endpoint work size, load threads); optional: older records lack it. */
  serverParams?: Record<string, unknown>;
  /** Per-second throughput and latency of the last repetition (the load generator's LoadResult.timeline); the report aligns it with the per-core CPU timeline. Optional: older records lack it. */
  timeline?: ServerTimelinePoint[];
  /** Open loop: how late the generator sent the requests that found a free connection (its own drift), µs. Optional: older records lack it. */
  sendLagUs?: LatencySummaryUs;
  /** Present when the cell is one step of a capacity search (`conlab capacity`, a suite's `capacity:` experiment). */
  capacity?: CapacityStepInfo;
  /**
   * Present when the record was made from a `conlab merge` result: load
   * driven at a server conlab did not start (src/results/load-record.ts).
   * Nothing of that server was measured: architecture is 'external',
   * runtime 'unknown', workers/threads 0, and serverCpuPercent,
   * serverPeakRssBytes and servedBy* are 0/empty placeholders the report
   * shows as '-'.
   */
  external?: ExternalLoadInfo;
  /** Present when the cell served a user's app (endpoint 'app'): the module, the handler found in it, the requests sent. */
  app?: ServerAppInfo;
  /** Serving units (processes, threads) that died during the cell and were replaced, over its repetitions; > 0 gives the verdict unit-restarted. Optional: older records lack it. */
  unitRestarts?: number;
  /** Pool threads (offload, prefork) that died and were replaced, over the cell's repetitions; > 0 gives unit-restarted too. Optional: older records lack it. */
  poolThreadRestarts?: number;
}

/** The user's app a server cell served (conlab bench-server --app, a suite's `app:`). */
export interface ServerAppInfo {
  /** Absolute path of the module. */
  path: string;
  /** fetch: `export default { fetch }`; listener: a Node (req, res) listener. */
  kind: 'fetch' | 'listener';
  /** Which export: "default export" or "named export 'listener'". */
  from: string;
  /** The requests sent (one, or a weighted mix): method, path, headers, body size and SHA-256, weight, expectation. */
  requests: Record<string, unknown>[];
  /** The listener that served it in the last repetition: 'Bun.serve' / 'Deno.serve' (a fetch app on Bun or Deno, except under cluster) or 'node:http'. */
  front?: string;
}

/** What a server cell measured, for tables and grouping: its endpoint, or for a user's app "app.ts GET /a + POST /b". */
export function servedEndpoint(cell: Pick<ServerCell, 'endpoint' | 'app'>): string {
  if (!cell.app) return cell.endpoint;
  const file = cell.app.path.split('/').pop() ?? cell.app.path;
  const requests = cell.app.requests.map((request) => `${String(request.method)} ${String(request.path)}`);
  return `${file} ${requests.length > 2 ? `${requests[0] ?? ''} +${requests.length - 1} more` : requests.join(' + ')}`;
}

/** A capacity search's steps: idle (a low rate: is the target reachable at all?), probe (closed loop: the most it serves), ramp (geometric steps up), bisect. */
export type CapacityPhase = 'idle' | 'probe' | 'ramp' | 'bisect';

/** What a capacity search knows after a step, and what it does next (null: it ended at this step, see `result`). */
export interface CapacityProgress {
  /** Steps done, this one included. */
  steps: number;
  /** Wall time of the search's own steps so far (server start, verification, warm-up, measurement), s. */
  spentS: number;
  /** The chosen percentile at the idle rate, µs. */
  idleUs: number | null;
  /** Throughput of the closed-loop probe, verified req/s; null without a probe (--max-rate given). */
  probeRps: number | null;
  /** The highest rate the search offers (twice the probe's throughput, or --max-rate). */
  ceilingRps: number | null;
  /** The highest offered rate that passed, and the lowest that failed: the capacity's interval. */
  lastPassRps: number | null;
  firstFailRps: number | null;
  next: { phase: CapacityPhase; rateRps: number | null } | null;
}

export const capacityStatuses = [
  'found',
  'at-ceiling',
  'step-limit',
  'time-budget',
  'idle-fails',
  'generator-limited',
  'server-failed',
  'unsupported',
] as const;
export type CapacityStatus = (typeof capacityStatuses)[number];

/** How a capacity search ended (on its last step's record). */
export interface CapacityResult {
  /**
   * found: the interval is within the resolution; at-ceiling: it passed at the
   * highest rate offered (the capacity is at least that); step-limit,
   * time-budget: a bound stopped it (the interval is wider than asked);
   * idle-fails: even the idle rate misses the target; generator-limited: a
   * failure came from the load generator falling behind, not the server;
   * server-failed: a step's cell failed (the server died, ...);
   * unsupported: the architecture cannot run on the runtime.
   */
  status: CapacityStatus;
  /** The highest passing offered rate, req/s; null when none passed. */
  capacityRps: number | null;
  reason: string;
}

export interface CapacityStepInfo extends CapacityProgress {
  /** The same for every step of one search: architecture, counts, endpoint, connections, duration, runtime, target. */
  search: string;
  phase: CapacityPhase;
  /** The open-loop rate offered; null for the closed-loop probe. */
  offeredRps: number | null;
  /** The latency percentile the target is on (p50 … p999, max, mean) and the target, µs. */
  percentile: string;
  targetUs: number;
  /** The error rate a step may have, as a fraction (0.001 = 0.1%). */
  maxErrorRate: number;
  /** This step's value of the percentile (corrected for coordinated omission), µs. */
  valueUs: number;
  /** errors ÷ (verified replies + errors). */
  errorRate: number;
  /** null for the probe (closed loop: not judged). */
  passed: boolean | null;
  /** Why it did not pass (or why its failure is not the server's), in words. */
  why: string[];
  /** Set on the step the search ended at. */
  result?: CapacityResult;
}

/** Where the load of an external-server record came from. */
export interface ExternalLoadInfo {
  target: string;
  /** N of the load's split, and the shards merged and missing (1-based). */
  shardCount: number;
  shardsMerged: number;
  missingShards: number[];
  /** Generator hosts (pod names on Kubernetes). */
  hosts: string[];
  /** Latest minus earliest shard start, ms, by the hosts' own clocks. */
  startSpreadMs: number;
}

/** Same shape as the load generator's TimelinePoint (src/load/types.ts), declared here so the record stays self-contained. */
export interface ServerTimelinePoint {
  /** Seconds since the measured window started. */
  second: number;
  requests: number;
  errors: number;
  p50Us: number;
  p99Us: number;
}

/**
 * One run of seed 001's I/O pipeline (`conlab pipeline`): N pipelines, each
 * looping recv (a fixed delay) → compute (touch every 8th byte) → write +
 * fsync, for a fixed time. Not a batch cell: the work is not fixed (the
 * pipelines run until the time is up), so the headline is the aggregate
 * rate written, higher is better, not the time of a fixed batch.
 */
export interface PipelineCell extends CellBase {
  kind: 'pipeline';
  /** sequential | async | threads | processes */
  method: string;
  /** True when the method runs every pipeline's JavaScript on one thread (the seed's "GIL enabled" column). */
  singleThreaded: boolean;
  /** Pipelines running at once. */
  concurrency: number;
  /** A pipeline starts a new iteration while less than this has passed since the barrier. */
  durationS: number;
  bufferKiB: number;
  recvDelayS: number;
  /** Per repetition: MiB written ÷ seconds from the barrier to the last pipeline done. */
  aggregateMiBpsPerRep: number[];
  aggregateMiBps: number; // mean
  aggregateMiBpsStdev: number;
  /** aggregateMiBps ÷ concurrency. */
  perPipelineMiBps: number;
  /** The bound the receive delay sets: concurrency × buffer ÷ delay. */
  idealMiBps: number;
  /** Seconds from the barrier to the last pipeline done (last repetition). */
  elapsedS: number;
  /** Bytes written by every pipeline, checked against the files on disk (last repetition). */
  bytesWritten: number;
  /** Buffers written by every pipeline (last repetition). */
  iterations: number;
  /** The compute stage alone on one thread, MiB/s (the seed's "sequential compute throughput"). */
  seqComputeMiBps: number;
  /** Subject process tree (threads and children) from the barrier to the end, % of one core; null: no monitor. */
  cpuPercent: number | null;
  peakRssBytes: number | null;
  /** Mean busy % of each core over the same window (whole machine); null: no monitor. */
  coreBusyMeanPercent: number[] | null;
}

export type CellRecord = BatchCell | ServerCell | PipelineCell;
export type CellKind = CellRecord['kind'];

/**
 * The command that made a run. Only `run` (a suite) can be resumed; the
 * others store the same records so that results, compare and report work on
 * them, and their suiteName says which preset or command it was.
 */
export const runCommands = ['run', 'preset', 'pipeline', 'batch', 'capacity'] as const;
export type RunCommand = (typeof runCommands)[number];

/** A run as the store keeps it and the report reads it. */
export interface RunInfo {
  runId: string;
  /** The suite's name, or what made the run: `preset seed004`, `pipeline`, `batch seed003-io`. */
  suiteName: string;
  command: RunCommand;
  status: 'running' | 'complete' | 'interrupted';
  startedAt: string;
  endedAt: string | null;
  env: EnvironmentInfo;
  /** The suite as resolved (every default filled in); for other commands, their resolved settings. */
  suite: unknown;
}

export interface RunData {
  run: RunInfo;
  /** One record per cell and repetition as stored; merge with stats before display. */
  cells: CellRecord[];
}
