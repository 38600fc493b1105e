/**
 * The report's view of a run: one row per cell (records with the same
 * cellKey, i.e. the repetitions of one cell, grouped together). Every
 * renderer (terminal table, HTML table, charts) reads these rows, so they
 * all show the same numbers. The statistics themselves (interval of a mean,
 * ratio of means, merging repetitions) come from src/stats; this file
 * only picks what the renderers show.
 */
import type {
  BatchCell,
  BatchProgressPoint,
  CellKind,
  LikelyCause,
  CellRecord,
  CellStatus,
  LatencySummaryUs,
  PipelineCell,
  RunData,
  ServerCell,
  ServerTimelinePoint,
  Verdict,
} from '../results/record.ts';
import { servedEndpoint } from '../results/record.ts';
import type { MonitorReport } from '../monitor/types.ts';
import { meanInterval, ratioOfMeans, type MeanInterval } from '../stats/inference.ts';
import { mean } from '../stats/descriptive.ts';
import { precisionPercent } from '../stats/precision.ts';
import { primaryMetric } from '../results/primary.ts';
import { speedupGroupKey, workersUsed } from '../results/speedup.ts';
import { mergeRepetitions } from '../results/merge.ts';
import { baselineModel } from '../models/registry.ts';
import { workloadLabel } from '../workloads/index.ts';
import { baselineArchitecture } from '../servers/subject/arch/registry.ts';

/** The baseline of each table and chart (sequential, single) first: every other row is read against it. */
export const baselineFirst = (row: Pick<ReportRow, 'subject'>): number =>
  row.subject === baselineModel.name || row.subject === baselineArchitecture.name ? 0 : 1;

export interface ReportRow {
  cellKey: string;
  kind: CellKind;
  /** Model (batch), server architecture with its shape ("hybrid 2x2", "cluster x2") or pipeline method. */
  subject: string;
  /** Workload (batch), endpoint/protocol (server) or the pipeline's buffer, delay and duration. */
  workload: string;
  runtime: string;
  /** Concurrency (batch), connections (closed loop), target rate (open loop) or pipelines at once. */
  level: number;
  levelLabel: string;
  /** Workers that can run JavaScript at once: the denominator of parallel efficiency (null: a model this build does not know). */
  workers: number | null;
  /** As merged by src/stats: failed when any repetition failed. */
  status: CellStatus;
  okReps: number;
  totalReps: number;
  reasons: string[];
  /** Items/s (batch), verified requests/s (server) or MiB/s written (pipeline), over the ok repetitions. */
  throughput: MeanInterval;
  /**
   * Half-width of the 95% interval of the cell's primary metric (batch:
   * time per pass; server: req/s; pipeline: MiB/s), in % of its mean: the
   * "±3%" of the table; null below 2 ok repetitions.
   */
  precisionPercent: number | null;
  /** repetitions: auto — the target it was measured against; null: a fixed count. */
  precisionTargetPercent: number | null;
  /** Batch: items in one pass; null for other kinds. */
  items: number | null;
  /** Batch: passes over the items in each measured window (1 for older records); null for other kinds. */
  rounds: number | null;
  /** Batch: mean measured window (all passes), ms; null for other kinds or when nothing was measured. */
  windowMs: number | null;
  throughputUnit: 'items/s' | 'req/s' | 'MiB/s';
  durationMs: number | null;
  /** Server only: percentiles of the merged histogram of the ok repetitions (never averaged). */
  latencyUs: LatencySummaryUs | null;
  errorsTotal: number;
  cpuPercent: number | null;
  peakRssBytes: number | null;
  speedup: number | null;
  speedupLow: number | null;
  speedupHigh: number | null;
  efficiency: number | null;
  /** Batch: why the model fell short of its workers (src/monitor/causes.ts); null when it did not. */
  likelyCause: LikelyCause | null;
  verdicts: Verdict[];
  pids: number[];
  /** Monitor of the last repetition that has one. */
  monitor: MonitorReport | undefined;
  /** Server: per-second timeline of the last repetition. */
  serverTimeline: ServerTimelinePoint[] | undefined;
  /** Batch: items completed per slice of the last repetition. */
  batchProgress: BatchProgressPoint[] | undefined;
  /** Where the timeline's t=0 sits in the monitor window (ms); null when the record does not say. */
  timelineOffsetMs: number | null;
}

/**
 * The heat map and the throughput under it must come from the same
 * repetition: the last ok one that has a monitor (else the last with one).
 */
type TimelineSource = Pick<ReportRow, 'monitor' | 'serverTimeline' | 'batchProgress' | 'timelineOffsetMs'>;

function timelineSources(cells: readonly CellRecord[]): Map<string, TimelineSource> {
  const sources = new Map<string, { record: CellRecord; ok: boolean }>();
  for (const cell of cells) {
    if (!cell.monitor) continue;
    const ok = cell.status === 'ok';
    const current = sources.get(cell.cellKey);
    // Later records win, but an ok repetition is never replaced by a failed one.
    if (!current || ok || !current.ok) sources.set(cell.cellKey, { record: cell, ok });
  }
  return new Map(
    [...sources].map(([key, { record }]) => [
      key,
      {
        monitor: record.monitor,
        serverTimeline: record.kind === 'server' ? record.timeline : undefined,
        batchProgress: record.kind === 'batch' ? record.progress : undefined,
        timelineOffsetMs: record.measuredOffsetMs ?? null,
      },
    ]),
  );
}

function unique<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

/** Repetition counts come from the stored records: a merged record no longer says which repetitions failed. */
function repetitionCounts(cells: readonly CellRecord[]): Map<string, { ok: number; total: number }> {
  const counts = new Map<string, { ok: number; total: number }>();
  for (const cell of cells) {
    const count = counts.get(cell.cellKey) ?? { ok: 0, total: 0 };
    const reps = Math.max(1, cell.repetitions.length);
    count.total += reps;
    if (cell.status === 'ok') count.ok += reps;
    counts.set(cell.cellKey, count);
  }
  return counts;
}

function common(cell: CellRecord, counts: { ok: number; total: number }) {
  return {
    precisionPercent: counts.ok > 0 ? precisionPercent(primaryMetric(cell).values) : null,
    precisionTargetPercent: cell.adaptive?.targetPercent ?? null,
    items: null,
    rounds: null,
    windowMs: null,
    cellKey: cell.cellKey,
    runtime: cell.runtime,
    status: cell.status,
    okReps: counts.ok,
    totalReps: counts.total,
    reasons: cell.reason ? [cell.reason] : [],
    verdicts: unique(cell.verdicts),
    pids: cell.pids,
    monitor: cell.monitor,
  };
}

function batchSubject(cell: BatchCell): string {
  return cell.threadsPerProcess > 1
    ? `${cell.model} ${cell.concurrency}x${cell.threadsPerProcess}`
    : cell.model;
}

function batchRow(
  cell: BatchCell,
  counts: { ok: number; total: number },
  baselines: Map<string, number[]>,
): ReportRow {
  const ok = counts.ok > 0;
  const durations = ok ? cell.durationsMs : [];
  const baseline = baselines.get(speedupGroupKey(cell));
  // The interval of the speedup: ratio of mean durations, sequential over this cell. The baseline itself has
  // speedup 1 by definition; an interval of a sample against itself would mean nothing.
  const comparable =
    baseline !== undefined &&
    durations.length > 0 &&
    cell.speedup !== null &&
    cell.model !== baselineModel.name;
  const ratio = comparable ? ratioOfMeans(durations, baseline) : null;
  return {
    ...common(cell, counts),
    kind: 'batch',
    items: cell.items,
    rounds: cell.sizing?.rounds ?? 1,
    windowMs: ok ? mean(cell.windowsMs ?? cell.durationsMs) : null,
    subject: batchSubject(cell),
    // A workload module by its file name, not its resolved path and hash (those stay in the record).
    workload: workloadLabel(cell.workload),
    level: cell.concurrency,
    levelLabel: `c=${cell.concurrency}`,
    workers: workersUsed(cell),
    throughput: meanInterval(durations.map((ms) => (cell.items * 1000) / ms)),
    throughputUnit: 'items/s',
    durationMs: ok ? cell.durationMs : null,
    latencyUs: null,
    errorsTotal: 0,
    cpuPercent: ok ? cell.cpuPercent : null,
    peakRssBytes: ok ? cell.peakRssBytes : null,
    speedup: cell.speedup,
    speedupLow: ratio?.low ?? null,
    speedupHigh: ratio?.high ?? null,
    efficiency: cell.efficiency,
    likelyCause: cell.likelyCause ?? null,
    serverTimeline: undefined,
    batchProgress: cell.progress,
    timelineOffsetMs: null,
  };
}

function serverSubject(cell: ServerCell): string {
  if (cell.architecture === baselineArchitecture.name || cell.external) return cell.architecture;
  return cell.threads > 1
    ? `${cell.architecture} ${cell.workers}x${cell.threads}`
    : `${cell.architecture} x${cell.workers}`;
}

function serverRow(cell: ServerCell, counts: { ok: number; total: number }): ReportRow {
  const ok = counts.ok > 0;
  const open = cell.rateRps !== null;
  // A server conlab did not start (conlab merge --store): its CPU and memory were not measured.
  const serverMeasured = ok && cell.external === undefined;
  return {
    ...common(cell, counts),
    kind: 'server',
    subject: serverSubject(cell),
    workload: cell.protocol === 'tcp' ? cell.endpoint : `${cell.protocol} ${servedEndpoint(cell)}`,
    level: (open ? cell.rateRps : cell.connections) ?? 0,
    levelLabel: open ? `rate=${cell.rateRps}/s` : `conn=${cell.connections}`,
    workers: Math.max(1, cell.workers) * Math.max(1, cell.threads),
    throughput: meanInterval(ok ? cell.rpsPerRep : []),
    throughputUnit: 'req/s',
    durationMs: ok ? cell.durationS * 1000 : null,
    latencyUs: ok ? cell.latencyUs : null,
    errorsTotal: Object.values(cell.errors).reduce((sum, n) => sum + (n ?? 0), 0),
    cpuPercent: serverMeasured ? cell.serverCpuPercent : null,
    peakRssBytes: serverMeasured ? cell.serverPeakRssBytes : null,
    speedup: null,
    speedupLow: null,
    speedupHigh: null,
    efficiency: null,
    likelyCause: null,
    serverTimeline: cell.timeline,
    batchProgress: undefined,
    timelineOffsetMs: null,
  };
}

function pipelineRow(cell: PipelineCell, counts: { ok: number; total: number }): ReportRow {
  const ok = counts.ok > 0;
  return {
    ...common(cell, counts),
    kind: 'pipeline',
    subject: cell.method,
    // Runs with another buffer, delay or duration are other experiments: the label keeps them in other charts.
    workload: `pipeline ${cell.bufferKiB} KiB, recv ${cell.recvDelayS} s, ${cell.durationS} s`,
    level: cell.concurrency,
    levelLabel: `pipelines=${cell.concurrency}`,
    workers: cell.singleThreaded ? 1 : cell.concurrency,
    throughput: meanInterval(ok ? cell.aggregateMiBpsPerRep : []),
    throughputUnit: 'MiB/s',
    durationMs: ok ? cell.elapsedS * 1000 : null,
    latencyUs: null,
    errorsTotal: 0,
    cpuPercent: ok ? cell.cpuPercent : null,
    peakRssBytes: ok ? cell.peakRssBytes : null,
    speedup: null,
    speedupLow: null,
    speedupHigh: null,
    efficiency: null,
    likelyCause: null,
    serverTimeline: undefined,
    batchProgress: undefined,
    timelineOffsetMs: null,
  };
}

function rowOf(cell: CellRecord, count: { ok: number; total: number }, baselines: Map<string, number[]>) {
  switch (cell.kind) {
    case 'batch':
      return batchRow(cell, count, baselines);
    case 'server':
      return serverRow(cell, count);
    case 'pipeline':
      return pipelineRow(cell, count);
  }
}

/**
 * Two batch cells of one workload with different params or item counts are
 * different experiments: when a run has both, the workload label carries
 * the parameters, so that charts (grouped by label) never put them together.
 */
function distinguishWorkloads(rows: ReportRow[], merged: readonly CellRecord[]): void {
  const configOf = new Map<string, string>();
  const configsPerWorkload = new Map<string, Set<string>>();
  for (const cell of merged) {
    if (cell.kind !== 'batch') continue;
    const params = Object.entries(cell.params)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    const config = `${params}${params ? ' ' : ''}items=${cell.items}`;
    configOf.set(cell.cellKey, config);
    const label = workloadLabel(cell.workload);
    const set = configsPerWorkload.get(label) ?? new Set<string>();
    set.add(config);
    configsPerWorkload.set(label, set);
  }
  for (const row of rows) {
    const config = configOf.get(row.cellKey);
    if (config !== undefined && (configsPerWorkload.get(row.workload)?.size ?? 0) > 1) {
      row.workload = `${row.workload} ${config}`;
    }
  }
}

/** One row per cell of the run (repetitions merged by src/stats), by kind (batch, pipeline, server), in a stable order. */
export function reportRows(run: RunData): ReportRow[] {
  const counts = repetitionCounts(run.cells);
  const merged = mergeRepetitions(run.cells);
  const baselines = new Map<string, number[]>();
  for (const cell of merged) {
    if (cell.kind === 'batch' && cell.model === baselineModel.name && cell.status === 'ok') {
      baselines.set(speedupGroupKey(cell), cell.durationsMs);
    }
  }
  const sources = timelineSources(run.cells);
  const noSource: TimelineSource = {
    monitor: undefined,
    serverTimeline: undefined,
    batchProgress: undefined,
    timelineOffsetMs: null,
  };
  const rows = merged.map((cell) => {
    const count = counts.get(cell.cellKey) ?? { ok: 0, total: 0 };
    const row = rowOf(cell, count, baselines);
    return { ...row, ...(sources.get(cell.cellKey) ?? noSource) };
  });
  distinguishWorkloads(rows, merged);
  return rows.toSorted(
    (a, b) =>
      a.kind.localeCompare(b.kind) ||
      a.workload.localeCompare(b.workload) ||
      a.runtime.localeCompare(b.runtime) ||
      baselineFirst(a) - baselineFirst(b) ||
      a.subject.localeCompare(b.subject) ||
      a.level - b.level,
  );
}
