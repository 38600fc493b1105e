/**
 * Runs seed 001's pipeline: for each run, a temporary directory, a fresh
 * subject process of the chosen runtime (its own process group, so one kill
 * ends it and every child it started), the subject's measurement, a check of
 * that measurement against the files on disk, and removal of the directory,
 * also on Ctrl-C, on a timeout and when the subject crashes. A SIGKILLed
 * driver cleans nothing, so the directory is named after its owner
 * (src/core/owned-temp.ts) and the next run removes those of dead owners.
 */
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuntimeSpec } from '../../runtimes/registry.ts';
import { errorText } from '../../core/errors.ts';
import { makeOwnedDir, sweepOrphans } from '../../core/owned-temp.ts';
import { whileRunning } from '../../core/subject/exit-hook.ts';
import { launchSubject } from '../../core/subject/launcher.ts';
import { startMonitor, type MonitorHandle } from '../../monitor/index.ts';
import type { MonitorReport } from '../../monitor/types.ts';
import {
  idealPipelineMiBps,
  pipelineFileName,
  type PipelineMeasurement,
  type PipelineOptions,
} from './options.ts';
import { isFromPipelineSubject, type FromPipelineSubject, type ToPipelineSubject } from './protocol.ts';

const subjectEntry = fileURLToPath(new URL('./subject/main.ts', import.meta.url));
const MIB = 1024 * 1024;
/** Each run's directory: `conlab-pipeline-p<pid>s<start>-XXXXXX` in the temp root. */
export const PIPELINE_DIR_PREFIX = 'conlab-pipeline-';

export interface PipelineRunResult {
  status: 'ok' | 'failed' | 'skipped';
  /** Why the run failed or was skipped. */
  reason?: string;
  options: PipelineOptions;
  runtime: string;
  measurement: PipelineMeasurement | null;
  /** Derived from the measurement; null when the run did not complete. */
  mibTransferred: number | null;
  aggregateMiBps: number | null;
  perPipelineMiBps: number | null;
  /** The bound set by the receive delay: concurrency × buffer ÷ delay. */
  idealMiBps: number;
  /** aggregate ÷ ideal: how much of the receive-delay bound the method reached. */
  ofIdeal: number | null;
  /**
   * The subject's whole process tree (threads and child processes included)
   * from the barrier to the end, by the monitor: CPU in % of one core, peak
   * RSS, mean busy % per core, every PID seen. Null when the monitor could
   * not run (no /proc) or the run did not complete.
   */
  subjectCpuPercent: number | null;
  subjectPeakRssBytes: number | null;
  coreBusyMeanPercent: number[] | null;
  monitorPids: number[];
  /** The monitor's whole report (per-core timeline, verdict inputs) for the stored record; null as above. */
  monitor: MonitorReport | null;
}

export interface PipelineRunEnvironment {
  runtime: RuntimeSpec;
  /** Directory in which each run's temporary directory is made. */
  tmpRoot: string;
}

export async function runPipeline(
  options: PipelineOptions,
  environment: PipelineRunEnvironment,
): Promise<PipelineRunResult> {
  const base = {
    options,
    runtime: environment.runtime.label,
    idealMiBps: idealPipelineMiBps(options) * options.concurrency,
  };
  sweepOrphans(environment.tmpRoot, PIPELINE_DIR_PREFIX);
  const dir = makeOwnedDir(environment.tmpRoot, PIPELINE_DIR_PREFIX);
  const removeDir = whileRunning(() => rmSync(dir, { recursive: true, force: true }));
  try {
    const { message, monitor } = await runSubject(options, dir, environment.runtime);
    if (message.t === 'error') {
      return {
        ...base,
        status: message.unsupported ? 'skipped' : 'failed',
        reason: message.reason,
        ...noNumbers(),
      };
    }
    const measurement = message.measurement;
    verifyAgainstDisk(options, dir, measurement);
    const mibTransferred = measurement.bytesWritten / MIB;
    const aggregateMiBps = mibTransferred / measurement.elapsedS;
    return {
      ...base,
      status: 'ok',
      measurement,
      mibTransferred,
      aggregateMiBps,
      perPipelineMiBps: aggregateMiBps / options.concurrency,
      ofIdeal: aggregateMiBps / base.idealMiBps,
      ...monitorFigures(monitor),
    };
  } catch (error) {
    return { ...base, status: 'failed', reason: errorText(error), ...noNumbers() };
  } finally {
    removeDir();
  }
}

/** The fields of a run that did not complete (a function, so no two results share one array). */
function noNumbers(): Omit<PipelineRunResult, 'status' | 'reason' | 'options' | 'runtime' | 'idealMiBps'> {
  return {
    measurement: null,
    mibTransferred: null,
    aggregateMiBps: null,
    perPipelineMiBps: null,
    ofIdeal: null,
    subjectCpuPercent: null,
    subjectPeakRssBytes: null,
    coreBusyMeanPercent: null,
    monitorPids: [],
    monitor: null,
  };
}

function monitorFigures(
  report: MonitorReport | null,
): Pick<
  PipelineRunResult,
  'subjectCpuPercent' | 'subjectPeakRssBytes' | 'coreBusyMeanPercent' | 'monitorPids' | 'monitor'
> {
  if (report === null || !report.available) {
    return {
      subjectCpuPercent: null,
      subjectPeakRssBytes: null,
      coreBusyMeanPercent: null,
      monitorPids: [],
      monitor: report,
    };
  }
  return {
    subjectCpuPercent: report.summary.treeCpuPercent,
    subjectPeakRssBytes: report.summary.treePeakRssBytes,
    coreBusyMeanPercent: report.summary.coreBusyMeanPercent,
    monitorPids: report.pids,
    monitor: report,
  };
}

/** Generous: start-up of many processes on a busy 2-core machine, the run, and the fsyncs in flight. */
function subjectTimeoutMs(options: PipelineOptions): number {
  return 30_000 + options.concurrency * 1000 + options.durationS * 2000;
}

/** The subject's last word: its result or why it has none. */
type SubjectFinalMessage = Exclude<FromPipelineSubject, { t: 'progress' }>;

interface SubjectOutcome {
  message: SubjectFinalMessage;
  /** The monitor's window runs from the subject's clock-start message to its exit. */
  monitor: MonitorReport | null;
}

async function runSubject(
  options: PipelineOptions,
  dir: string,
  runtime: RuntimeSpec,
): Promise<SubjectOutcome> {
  const subject = launchSubject<FromPipelineSubject, ToPipelineSubject>({
    command: runtime.binPath,
    args: runtime.scriptArgs(subjectEntry, [JSON.stringify({ options, dir })]),
    label: 'the pipeline subject',
    accepts: isFromPipelineSubject,
  });
  let monitor: MonitorHandle | null = null;
  const stopMonitor = (): MonitorReport | null => {
    const report = monitor?.stop() ?? null;
    monitor = null;
    return report;
  };
  const deadline = Date.now() + subjectTimeoutMs(options);
  const next = (): Promise<FromPipelineSubject> =>
    subject.next(
      Math.max(0, deadline - Date.now()),
      `the pipeline subject to finish (${subjectTimeoutMs(options)} ms)`,
    );
  try {
    let message = await next();
    if (message.t === 'progress') {
      // The pipelines run for durationS: the interval is chosen for that window (src/monitor/window.ts).
      monitor = startMonitor({ rootPid: subject.pid, expectedWindowMs: options.durationS * 1000 });
      message = await next();
    }
    if (message.t === 'progress') throw new Error(`the pipeline subject said progress twice`);
    // The subject exits by itself after its last word; the monitor's window includes its exit.
    await Promise.race([subject.exited, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    return { message, monitor: stopMonitor() };
  } finally {
    stopMonitor();
    // Whatever the subject left behind (a child stuck in fsync) goes with its group.
    await subject.stop({ graceMs: 2000 });
  }
}

/**
 * A measurement is only believed when the files say the same: one file per
 * pipeline, each as long as the bytes that pipeline claims, each claim a
 * whole number of buffers.
 */
export function verifyAgainstDisk(
  options: PipelineOptions,
  dir: string,
  measurement: PipelineMeasurement,
): void {
  const bufferBytes = options.bufferKiB * 1024;
  if (measurement.pipelines.length !== options.concurrency) {
    throw new Error(
      `verification: ${measurement.pipelines.length} pipelines reported, ${options.concurrency} expected`,
    );
  }
  let total = 0;
  for (const tally of measurement.pipelines) {
    // Every concurrent pipeline starts at least one iteration; sequential ones take turns on one
    // thread, so with N × delay above the duration the last ones never get a turn (a true result).
    if (tally.iterations < 1 && options.method !== 'sequential') {
      throw new Error(
        `verification: pipeline ${tally.index} finished no iteration (is --duration too short?)`,
      );
    }
    if (tally.bytesWritten !== tally.iterations * bufferBytes) {
      throw new Error(
        `verification: pipeline ${tally.index} reports ${tally.bytesWritten} bytes for ${tally.iterations} buffers`,
      );
    }
    const onDisk = statSync(join(dir, pipelineFileName(tally.index))).size;
    if (onDisk !== tally.bytesWritten) {
      throw new Error(
        `verification: pipeline ${tally.index} file has ${onDisk} bytes, it reported ${tally.bytesWritten}`,
      );
    }
    total += onDisk;
  }
  if (total !== measurement.bytesWritten) {
    throw new Error(
      `verification: files hold ${total} bytes, the subject reported ${measurement.bytesWritten}`,
    );
  }
}
