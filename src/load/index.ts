/**
 * runLoad: the load generator's one programmatic entry point (the CLI, the
 * server lab and suites all call it). It validates and resolves the options,
 * splits connections / requests / rate among generator threads (worker
 * threads, never losing a remainder), starts them at one shared instant,
 * merges their per-second and final HDR histograms losslessly, and returns a
 * LoadResult. It never prints, and every thread and socket is gone when the
 * promise settles.
 */
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { ErrorCodes, LabError, errorText } from '../core/errors.ts';
import type { ErrorKind } from './types.ts';
import { HDR_PRECISION, Hdr, summarizeLatency } from '../stats/hdr.ts';
import type { FromThread, SecondReport, ThreadPlan, ThreadSummary, ToThread } from './messages.ts';
import { resolveLoadOptions, splitEvenly, splitProportional, type ResolvedLoadOptions } from './options.ts';
import { checkStartAt, planShare, planStart, type LoadShare, type StartPlan } from './shard.ts';
import { parseTarget, resolveTarget } from './target.ts';
import type { LoadHooks, LoadOptions, LoadResult, ThreadUsage, TimelinePoint } from './types.ts';
import { censoredInfo, clientVerdicts, stalledVerdict } from './verdicts.ts';

export type { LoadHooks, LoadOptions, LoadResult } from './types.ts';
export { Hdr, summarizeLatency } from '../stats/hdr.ts';
export { STALLED_SHARE } from './verdicts.ts';

const READY_TIMEOUT_MS = 20_000;
/** Slack beyond the planned end before the threads are told to stop, then terminated. */
const OVERRUN_GRACE_MS = 5_000;

const workerUrl = new URL('./worker.ts', import.meta.url);

export async function runLoad(options: LoadOptions, hooks: LoadHooks = {}): Promise<LoadResult> {
  const protocol = parseTarget(options.target).protocol;
  const resolved = resolveLoadOptions(options, protocol);
  if (resolved.startAtEpochMs !== undefined) checkStartAt(resolved.startAtEpochMs, Date.now());
  const share = planShare(resolved);
  const target = await resolveTarget(resolved.target, resolved.allowRemote);
  const plans = planThreads(resolved, share, target);
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const run = await runThreads(plans, resolved, share.shard !== undefined, hooks);
  const processCpuUs = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - wallBefore;
  return buildResult(
    resolved,
    share,
    protocol,
    run,
    ((processCpuUs.user + processCpuUs.system) / 1000 / wallMs) * 100,
  );
}

/** Divides this process's share of the load (all of it, or its shard's) among its threads. */
function planThreads(
  options: ResolvedLoadOptions,
  share: LoadShare,
  target: ThreadPlan['target'],
): ThreadPlan[] {
  const connections = splitEvenly(share.connections, options.threads);
  const requests = share.requests === undefined ? undefined : splitProportional(share.requests, connections);
  const rate = share.rateRps;
  return connections.map((threadShare, threadIndex) => ({
    threadIndex,
    options,
    target,
    connections: threadShare,
    requests: requests?.[threadIndex],
    rateRps: rate === undefined ? undefined : (rate * threadShare) / share.connections,
    // Thread i starts i/R later, so with equal shares the threads' sends interleave evenly (and shards' too: see planShare).
    phaseMs: rate === undefined ? 0 : share.phaseMs + (threadIndex * 1000) / rate,
  }));
}

function abortedError(): LabError {
  return new LabError(ErrorCodes.ABORTED, 'the load run was stopped before it started measuring', {
    hint: 'nothing was measured; run it again',
    exitCode: 130,
  });
}

interface ThreadsOutcome {
  summaries: ThreadSummary[];
  timeline: TimelinePoint[];
  interrupted: boolean;
  start: StartPlan;
}

/** Merges per-second reports from all threads; a second is final when every thread has reported it. */
class TimelineMerger {
  private readonly pending = new Map<
    number,
    { hist: Hdr; requests: number; errors: number; reports: number }
  >();
  readonly points: TimelinePoint[] = [];
  private readonly threads: number;
  private readonly onPoint: ((point: TimelinePoint) => void) | undefined;
  /** Shards keep each second's histogram, so a merge can compute true per-second percentiles. */
  private readonly keepHistograms: boolean;

  constructor(
    threads: number,
    onPoint: ((point: TimelinePoint) => void) | undefined,
    keepHistograms = false,
  ) {
    this.threads = threads;
    this.onPoint = onPoint;
    this.keepHistograms = keepHistograms;
  }

  add(report: SecondReport): void {
    let entry = this.pending.get(report.second);
    if (entry === undefined) {
      entry = { hist: new Hdr(), requests: 0, errors: 0, reports: 0 };
      this.pending.set(report.second, entry);
    }
    entry.hist.merge(Hdr.decode(report.histogram));
    entry.requests += report.requests;
    entry.errors += report.errors;
    entry.reports++;
    if (entry.reports === this.threads) this.emit(report.second);
  }

  /** At the end: seconds some thread did not report (e.g. a partial last second) are final too. */
  flush(): void {
    for (const second of [...this.pending.keys()].sort((a, b) => a - b)) this.emit(second);
    this.points.sort((a, b) => a.second - b.second);
  }

  private emit(second: number): void {
    const entry = this.pending.get(second);
    if (entry === undefined) return;
    this.pending.delete(second);
    const point: TimelinePoint = {
      second,
      requests: entry.requests,
      errors: entry.errors,
      p50Us: entry.hist.percentile(50),
      p99Us: entry.hist.percentile(99),
    };
    if (this.keepHistograms) point.histogram = entry.hist.encode();
    this.points.push(point);
    this.onPoint?.(point);
  }
}

function runThreads(
  plans: ThreadPlan[],
  options: ResolvedLoadOptions,
  sharded: boolean,
  hooks: LoadHooks,
): Promise<ThreadsOutcome> {
  return new Promise<ThreadsOutcome>((resolve, reject) => {
    const workers: Worker[] = [];
    const summaries: (ThreadSummary | undefined)[] = plans.map(() => undefined);
    const timeline = new TimelineMerger(plans.length, (point) => hooks.onProgress?.(point), sharded);
    let ready = 0;
    let settled = false;
    let started = false;
    let interrupted = false;
    let startPlan: StartPlan | undefined;
    const timers: { ready?: NodeJS.Timeout; overrun?: NodeJS.Timeout; kill?: NodeJS.Timeout } = {};

    const send = (message: ToThread): void => {
      for (const worker of workers) worker.postMessage(message);
    };
    const cleanup = async (): Promise<void> => {
      clearTimeout(timers.ready);
      clearTimeout(timers.overrun);
      clearTimeout(timers.kill);
      hooks.signal?.removeEventListener('abort', onAbort);
      await Promise.allSettled(workers.map((worker) => worker.terminate()));
    };
    const fail = (error: LabError): void => {
      if (settled) return;
      settled = true;
      void cleanup().then(() => reject(error));
    };
    const stopAll = (): void => {
      send({ t: 'stop' });
      // A thread that cannot answer a stop (blocked) is terminated; the run fails rather than hangs.
      timers.kill ??= setTimeout(
        () => fail(new LabError(ErrorCodes.INTERNAL, 'a generator thread did not stop', { exitCode: 1 })),
        OVERRUN_GRACE_MS,
      );
    };
    function onAbort(): void {
      interrupted = true;
      if (started) stopAll();
      else fail(abortedError());
    }

    const startAll = (): void => {
      clearTimeout(timers.ready);
      started = true;
      const nowEpochMs = performance.timeOrigin + performance.now();
      startPlan = planStart(options, nowEpochMs);
      send({ t: 'start', startAtEpochMs: startPlan.threadsStartEpochMs });
      if (options.durationS !== undefined) {
        const plannedMs =
          startPlan.threadsStartEpochMs - nowEpochMs + (options.warmupS + options.durationS) * 1000;
        timers.overrun = setTimeout(stopAll, plannedMs + OVERRUN_GRACE_MS);
      }
    };

    const onMessage = (message: FromThread): void => {
      if (settled) return;
      switch (message.t) {
        case 'ready':
          if (++ready === plans.length) startAll();
          break;
        case 'second':
          timeline.add(message);
          break;
        case 'done':
          summaries[message.summary.threadIndex] = message.summary;
          if (summaries.every((s) => s !== undefined) && startPlan !== undefined) {
            settled = true;
            timeline.flush();
            const all = summaries;
            const start = startPlan;
            void cleanup().then(() =>
              resolve({ summaries: all, timeline: timeline.points, interrupted, start }),
            );
          }
          break;
        case 'error':
          fail(
            new LabError(
              ErrorCodes.INTERNAL,
              `generator thread ${message.threadIndex} failed: ${message.reason}`,
              { exitCode: 1 },
            ),
          );
          break;
      }
    };

    if (hooks.signal?.aborted) {
      reject(abortedError());
      return;
    }
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    for (const plan of plans) {
      const worker = new Worker(workerUrl, { workerData: plan });
      worker.on('message', onMessage);
      worker.on('error', (error: unknown) =>
        fail(
          new LabError(
            ErrorCodes.INTERNAL,
            `generator thread ${plan.threadIndex} crashed: ${errorText(error)}`,
            {
              exitCode: 1,
              cause: error,
            },
          ),
        ),
      );
      worker.on('exit', (code) => {
        if (!settled)
          fail(
            new LabError(
              ErrorCodes.INTERNAL,
              `generator thread ${plan.threadIndex} exited early (code ${code})`,
              { exitCode: 1 },
            ),
          );
      });
      workers.push(worker);
    }
    timers.ready = setTimeout(
      () =>
        fail(
          new LabError(ErrorCodes.INTERNAL, 'generator threads did not start within 20 s', { exitCode: 1 }),
        ),
      READY_TIMEOUT_MS,
    );
  });
}

function effectiveOptions(options: ResolvedLoadOptions): LoadResult['options'] {
  const { body, ...rest } = options;
  return { ...rest, ...(body === undefined ? {} : { body: Buffer.from(body).toString('utf8') }) };
}

function buildResult(
  options: ResolvedLoadOptions,
  share: LoadShare,
  protocol: 'http' | 'tcp',
  run: ThreadsOutcome,
  processCpuPercent: number,
): LoadResult {
  const { summaries } = run;
  const completed = Hdr.mergeEncoded(summaries.map((s) => s.histogram));
  const censoredHist = Hdr.mergeEncoded(summaries.map((s) => s.censoredHistogram));
  const waitingHist = Hdr.mergeEncoded(summaries.map((s) => s.waitingHistogram));
  const open = options.rateRps !== undefined;
  const measuredMs = Math.max(0, ...summaries.map((s) => s.measuredMs));
  const durationS = measuredMs / 1000;
  const errors: Partial<Record<ErrorKind, number>> = {};
  for (const summary of summaries) {
    for (const [kind, count] of Object.entries(summary.errors) as [ErrorKind, number][]) {
      errors[kind] = (errors[kind] ?? 0) + count;
    }
  }
  const errorsTotal = Object.values(errors).reduce((a, b) => a + b, 0);
  const requests = summaries.reduce((a, s) => a + s.requests, 0);

  const threads: ThreadUsage[] = summaries.map((s) => {
    const viaThreadClock = s.cpuUs !== null && s.measuredMs > 0;
    return {
      threadIndex: s.threadIndex,
      cpuPercent: viaThreadClock
        ? ((s.cpuUs ?? 0) / (s.measuredMs * 1000)) * 100
        : s.eventLoopUtilization * 100,
      cpuSource: viaThreadClock ? 'thread' : 'elu',
      requests: s.requests,
      errors: Object.values(s.errors).reduce((a, b) => a + b, 0),
      connections: s.connections,
      eventLoopUtilization: s.eventLoopUtilization,
      ...(s.runQueueWaitUs !== null && s.measuredMs > 0
        ? { runQueueWaitPercent: (s.runQueueWaitUs / (s.measuredMs * 1000)) * 100 }
        : {}),
    };
  });

  const censored = censoredInfo(completed, censoredHist, waitingHist, requests + errorsTotal);
  // The latency counts unfinished requests at their age: a lower bound, never left out.
  const hist = completed.merge(censoredHist);

  const lag = open ? Hdr.mergeEncoded(summaries.flatMap((s) => s.sendLagHistogram ?? [])) : undefined;
  const lagUs = lag === undefined ? undefined : summarizeLatency(lag);
  const began = summaries.flatMap((s) => s.measureBeganEpochMs ?? []);
  const verdicts = clientVerdicts(threads, lagUs);
  const stall = stalledVerdict(censored);
  if (stall !== undefined) {
    verdicts.warnings.push('stalled');
    verdicts.details.push(stall);
  }

  const result: LoadResult = {
    options: effectiveOptions(options),
    mode: open ? 'open' : 'closed',
    protocol,
    durationS,
    requests,
    rps: durationS > 0 ? requests / durationS : 0,
    bytesRead: summaries.reduce((a, s) => a + s.bytesRead, 0),
    errors,
    errorsTotal,
    latencyUs: summarizeLatency(hist),
    histogram: hist.encode(),
    timeline: run.timeline,
    threads,
    clientCpuPercent: threads.reduce((a, t) => a + t.cpuPercent, 0),
    warnings: verdicts.warnings,
    warningDetails: verdicts.details,
    processCpuPercent,
    unfinished: censored.requests,
    censored,
    errorSamples: [...new Set(summaries.flatMap((s) => s.errorSamples))].slice(0, 10),
    interrupted: run.interrupted,
    host: hostname(),
    clock: {
      ...run.start.clock,
      endEpochMs: run.start.clock.startEpochMs + measuredMs,
      ...(began.length > 0 ? { beganEpochMs: Math.max(...began) } : {}),
    },
    histogramPrecision: { ...HDR_PRECISION },
  };
  if (share.shard !== undefined) {
    // What a merge needs beyond a plain result: the share, seconds stamped in wall-clock time.
    result.shard = share.shard;
    for (const point of result.timeline) point.atEpochMs = run.start.clock.startEpochMs + point.second * 1000;
  }

  if (open) {
    const uncorrected = Hdr.mergeEncoded(summaries.flatMap((s) => s.histogramUncorrected ?? []));
    result.latencyUncorrectedUs = summarizeLatency(uncorrected);
    result.histogramUncorrected = uncorrected.encode();
    result.schedule = {
      targetRps: options.rateRps ?? 0,
      scheduled: summaries.reduce((a, s) => a + s.scheduled, 0),
      achievedRps: durationS > 0 ? (requests + errorsTotal) / durationS : 0,
      backlogged: summaries.reduce((a, s) => a + s.backlogged, 0),
      sendLagUs: lagUs ?? summarizeLatency(new Hdr()),
      ...(share.shard !== undefined && lag !== undefined ? { sendLagHistogram: lag.encode() } : {}),
    };
  }
  return result;
}
