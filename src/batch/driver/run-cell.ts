/**
 * runBatchCell: the programmatic entry for one batch cell (the CLI and the
 * suite runner both call it). Each repetition is a fresh subject process;
 * the monitor samples its process tree while only run() is timed. A failing
 * repetition makes a `failed` cell with the reason; this never throws for a
 * cell failure (only for an invalid spec, as a LabError).
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { errorText } from '../../core/errors.ts';
import { launchSubject, SubjectFailure } from '../../core/subject/launcher.ts';
import { findUnsupported } from '../../core/subject/protocol.ts';
import { startMonitor } from '../../monitor/index.ts';
// One set of verdict rules and thresholds for every lab (the monitor engineer's, with their reasons).
import { cellVerdicts, isWindowShort } from '../../monitor/verdicts.ts';
import type { MonitorReport } from '../../monitor/types.ts';
import type { BatchCell, BatchProgressPoint, Verdict } from '../../results/record.ts';
import { newCellBase } from '../../results/record.ts';
import type { RuntimeSpec } from '../../runtimes/registry.ts';
import { mean, stdev } from '../../stats/descriptive.ts';
import { adaptiveDecision, precisionPercent } from '../../stats/precision.ts';
import { getWorkload } from '../../workloads/index.ts';
import type { ItemAnswer } from '../../workloads/types.ts';
import { isFromSubject, type FromSubject, type SubjectDone, type ToSubject } from '../protocol.ts';
import {
  batchCellKey,
  batchIdentityOf,
  resolveBatchSpec,
  type BatchCellIdentity,
  type BatchCellSpec,
  type ResolvedBatchSpec,
} from '../spec.ts';

export interface RunCellOptions {
  /** A line of text about what is happening now (the CLI prints it on stderr). */
  onProgress?(text: string): void;
  /** Monitor sampling interval; default chosen from expectedWindowMs (src/monitor/window.ts). */
  monitorIntervalMs?: number;
  /** How long a repetition's timed section is expected to last (calibration); default: the previous repetition's. */
  expectedWindowMs?: number;
  /** Time for a subject to start and warm its pools; default 120 s. */
  startTimeoutMs?: number;
}

const STOP_GRACE_MS = 5000;
const subjectScriptPath = fileURLToPath(new URL('../subject/main.ts', import.meta.url));

/** A repetition that could not run because the runtime lacks something: the cell is a named skip. */
class Unsupported extends Error {}

interface Repetition {
  done: SubjectDone;
  monitor: MonitorReport;
  subjectPid: number;
  /** Where the timed section started in the monitor window (CellBase.measuredOffsetMs). */
  measuredOffsetMs: number;
}

/** Epoch ms at sub-ms resolution: the one clock the driver and a subject (any runtime) share. */
const epochNowMs = (): number => performance.timeOrigin + performance.now();

/**
 * Where the subject's timed section began, in ms after the monitor's t=0.
 * The subject's own reading is the estimate; it cannot be before the driver
 * sent go nor after the reply arrived minus the section's length, so it is
 * kept inside those bounds (a subject clock that disagreed would otherwise
 * shift the heat map).
 */
export function timedSectionOffsetMs(times: {
  monitorStartEpochMs: number;
  goSentEpochMs: number;
  doneReceivedEpochMs: number;
  subjectStartEpochMs: number;
  durationMs: number;
}): number {
  const lower = times.goSentEpochMs - times.monitorStartEpochMs;
  const upper = Math.max(lower, times.doneReceivedEpochMs - times.durationMs - times.monitorStartEpochMs);
  const estimate = times.subjectStartEpochMs - times.monitorStartEpochMs;
  return Math.round(Math.min(upper, Math.max(lower, estimate)) * 1000) / 1000;
}

async function runRepetition(
  spec: ResolvedBatchSpec,
  runtime: RuntimeSpec,
  options: RunCellOptions,
  /** Every PID this repetition started, filled as they become known, so a failed cell still records them. */
  seenPids: Set<number>,
): Promise<Repetition> {
  const subject = launchSubject<FromSubject, ToSubject>({
    command: runtime.binPath,
    args: runtime.scriptArgs(subjectScriptPath),
    label: 'subject',
    accepts: isFromSubject,
  });
  seenPids.add(subject.pid);
  try {
    subject.send({
      t: 'start',
      spec: {
        ...batchIdentityOf(spec),
        inFlightPerWorker: spec.inFlightPerWorker,
        rounds: spec.sizing?.rounds ?? 1,
      },
    });
    const ready = await subject.waitReady(options.startTimeoutMs ?? 120_000).catch((error: unknown) => {
      if (error instanceof SubjectFailure && error.unsupported) throw new Unsupported(error.message);
      throw new Error(`start failed: ${errorText(error)}`);
    });
    for (const pid of ready.pids) seenPids.add(pid);
    // Read just before the monitor takes its first sample: its t=0 (the heat map's) to well under a ms.
    const monitorStartEpochMs = epochNowMs();
    const monitor = startMonitor({
      rootPid: subject.pid,
      ...(options.monitorIntervalMs === undefined ? {} : { intervalMs: options.monitorIntervalMs }),
      ...(options.expectedWindowMs === undefined ? {} : { expectedWindowMs: options.expectedWindowMs }),
    });
    let reply: FromSubject;
    let report: MonitorReport;
    let measuredOffsetMs = 0;
    let window: { offsetMs: number; durationMs: number } | undefined;
    try {
      const goSentEpochMs = epochNowMs();
      subject.send({ t: 'go' });
      reply = await subject.next(spec.timeoutMs, `the run to finish (timeout ${spec.timeoutMs} ms)`);
      if (reply.t === 'done') {
        measuredOffsetMs = timedSectionOffsetMs({
          monitorStartEpochMs,
          goSentEpochMs,
          doneReceivedEpochMs: epochNowMs(),
          subjectStartEpochMs: reply.startedAtEpochMs,
          durationMs: reply.windowMs,
        });
        window = { offsetMs: measuredOffsetMs, durationMs: reply.windowMs };
        // Before stop(): the report (and so the record's monitor) carries the subject's event-loop figures.
        monitor.addEventLoopStats([reply.eventLoop]);
      }
    } finally {
      // Stopped on failure too: the monitor's sampling timer must not outlive the repetition.
      // The timed section's place in the monitor window: its figures, and its verdicts, come from that window alone.
      report = monitor.stop(window);
      for (const pid of report.pids) seenPids.add(pid);
    }
    if (reply.t === 'error')
      throw reply.unsupported ? new Unsupported(reply.reason) : new Error(reply.reason);
    if (reply.t !== 'done') throw new Error(`subject said '${reply.t}' instead of done`);
    return { done: reply, monitor: report, subjectPid: subject.pid, measuredOffsetMs };
  } finally {
    await subject.stop({ message: { t: 'stop' }, graceMs: STOP_GRACE_MS });
  }
}

function sameAnswer(a: ItemAnswer, b: ItemAnswer): boolean {
  return a === b;
}

/** A batch record with nothing measured yet; also what a failed or skipped cell is built from (the suite runner too). */
export function emptyBatchCell(
  cell: BatchCellIdentity,
  cellKey: string,
  runtime: string,
  startedAt?: string,
): BatchCell {
  return {
    ...newCellBase(cellKey, runtime, startedAt),
    kind: 'batch',
    ...batchIdentityOf(cell),
    durationsMs: [],
    durationMs: 0,
    durationStdevMs: 0,
    itemsPerSec: 0,
    speedup: null,
    efficiency: null,
    cpuPercent: 0,
    peakRssBytes: 0,
    answer: null,
  };
}

/** What the monitor saw, or the subject's own figures (without its child processes) when /proc is unavailable. */
function resourceFigures(rep: Repetition): { cpuPercent: number; peakRssBytes: number; pids: number[] } {
  if (rep.monitor.available) {
    return {
      cpuPercent: rep.monitor.window?.treeCpuPercent ?? rep.monitor.summary.treeCpuPercent,
      peakRssBytes: rep.monitor.summary.treePeakRssBytes,
      pids: rep.monitor.pids,
    };
  }
  return {
    cpuPercent: rep.done.windowMs > 0 ? (rep.done.selfCpuUs / 1000 / rep.done.windowMs) * 100 : 0,
    peakRssBytes: rep.done.selfRssBytes,
    pids: [rep.subjectPid, ...rep.done.pids],
  };
}

/** A failure that means "this runtime cannot do that" rather than "the model is broken". */
function unsupportedReason(error: unknown, reason: string, runtime: RuntimeSpec): string | undefined {
  // Said by the subject (typed), or wrapped in a worker's failure on its way up (text).
  const named = findUnsupported(reason);
  if (named) return named;
  if (error instanceof Unsupported) return reason;
  if (/ERR_UNKNOWN_FILE_EXTENSION/.test(reason)) {
    return `unsupported on ${runtime.label} (cannot run TypeScript subjects: needs node >= 22.18, bun or deno)`;
  }
  return undefined;
}

/**
 * Repetitions of one cell, each a fresh subject: `spec.repetitions` of
 * them, or with `spec.adaptive` at least its minimum and then more until
 * the per-pass durations are precise enough or its maximum is reached.
 */
export async function runBatchCell(
  input: BatchCellSpec | ResolvedBatchSpec,
  runtime: RuntimeSpec,
  options: RunCellOptions = {},
): Promise<BatchCell> {
  const spec = resolveBatchSpec(input);
  const workload = getWorkload(spec.workload);
  const cell = emptyBatchCell(spec, batchCellKey(spec, runtime.label), runtime.label);
  if (spec.sizing) cell.sizing = spec.sizing;
  if (spec.adaptive) cell.adaptive = spec.adaptive;
  const windowsMs: number[] = [];
  const expected = workload.expected?.(spec.params, spec.items);
  const cpu: number[] = [];
  const pids = new Set<number>();
  let progress: BatchProgressPoint[] | undefined;
  const verdicts = new Set<Verdict>();
  const more = (done: number): boolean =>
    spec.adaptive
      ? done < spec.repetitions && adaptiveDecision(cell.durationsMs, spec.adaptive).more
      : done < spec.repetitions;
  for (let r = 0; more(r); r++) {
    options.onProgress?.(
      `repetition ${r + 1}/${spec.adaptive ? `auto ≤${spec.repetitions}` : spec.repetitions}`,
    );
    let rep: Repetition;
    try {
      // The interval is chosen for a window like the last one (window.ts): enough samples, least cost.
      const expectedWindowMs = options.expectedWindowMs ?? cell.durationsMs.at(-1);
      rep = await runRepetition(
        spec,
        runtime,
        { ...options, ...(expectedWindowMs === undefined ? {} : { expectedWindowMs }) },
        pids,
      );
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // A runtime that lacks a capability is a named skip, not a broken model.
      const unsupported = unsupportedReason(error, reason, runtime);
      cell.status = unsupported ? 'skipped' : 'failed';
      cell.reason = unsupported ?? `repetition ${r + 1}: ${reason}`;
      break;
    }
    const answer = rep.done.answer;
    if (expected !== undefined && !sameAnswer(answer, expected)) {
      cell.status = 'failed';
      cell.reason = `wrong answer: ${String(answer)}, expected ${String(expected)}`;
      cell.answer = answer;
      break;
    }
    if (cell.answer !== null && !sameAnswer(answer, cell.answer)) {
      cell.status = 'failed';
      cell.reason = `repetition ${r + 1} answered ${String(answer)}, earlier ones ${String(cell.answer)}`;
      break;
    }
    cell.answer = answer;
    cell.repetitions.push(r);
    // One pass's time: the window ran `rounds` passes over the same items.
    cell.durationsMs.push(rep.done.windowMs / rep.done.rounds);
    windowsMs.push(rep.done.windowMs);
    const figures = resourceFigures(rep);
    cpu.push(figures.cpuPercent);
    cell.peakRssBytes = Math.max(cell.peakRssBytes, figures.peakRssBytes);
    for (const pid of figures.pids) pids.add(pid);
    for (const pid of rep.done.pids) pids.add(pid);
    // The monitor, the progress and the offset between them all come from the same (last) repetition.
    cell.monitor = rep.monitor;
    cell.measuredOffsetMs = rep.measuredOffsetMs;
    progress = rep.done.progress;
    // machine-busy or monitor-unavailable in any repetition qualifies the cell's mean.
    for (const verdict of cellVerdicts({ monitor: rep.monitor })) verdicts.add(verdict);
  }
  cell.pids = [...pids];
  if (cell.durationsMs.length > 0) {
    cell.windowsMs = windowsMs;
    cell.durationMs = mean(cell.durationsMs);
    cell.durationStdevMs = stdev(cell.durationsMs);
    cell.itemsPerSec = cell.durationMs > 0 ? (spec.items * 1000) / cell.durationMs : 0;
    cell.cpuPercent = mean(cpu);
    cell.precisionPercent = precisionPercent(cell.durationsMs);
    for (const verdict of cellVerdicts({ monitor: cell.monitor, repetitionValues: cell.durationsMs }))
      verdicts.add(verdict);
    if (isWindowShort(windowsMs, spec.sizing?.minWindowMs)) verdicts.add('window-short');
  }
  if (progress) cell.progress = progress;
  cell.verdicts = [...verdicts];
  return cell;
}
