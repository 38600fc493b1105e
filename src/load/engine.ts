/**
 * One generator thread's engine: owns its connections, decides when each
 * request is sent (closed loop: as soon as a connection is free; open loop:
 * at evenly spaced scheduled times), records latencies into HDR histograms
 * and per-second timeline histograms, enforces per-request timeouts and the
 * run's end, and produces a ThreadSummary. It runs inside a worker thread
 * (src/load/worker.ts) and talks to runLoad only through messages.
 *
 * Time is performance.now() in ms; latencies are recorded in µs.
 * Closed loop: latency = reply time − send time.
 * Open loop: corrected latency = reply time − scheduled time (a request that
 * waits for a free connection keeps its scheduled time, so a stalled server
 * shows in the percentiles), uncorrected = reply time − actual send time.
 * A request still unanswered when the window closes is censored: its latency
 * is at least its age at that moment, recorded apart (censoredHist) so runLoad
 * can count it into the percentiles as the lower bound it is. Done once, at
 * the end: the per-request path does not change. Those with no reply at all
 * (waitingHist) are the stall candidates; a reply read only after the end
 * because this thread woke up late is censored too, but was answered.
 */
import { performance } from 'node:perf_hooks';
import { currentRuntimeName } from '../core/runtime-info.ts';
import type { ErrorKind } from './types.ts';
import { Connection, type ConnOwner, type ConnSpec } from './connection.ts';
import { Hdr } from '../stats/hdr.ts';
import type { SecondReport, ThreadPlan, ThreadSummary } from './messages.ts';
import { ReplyTemplate } from './reply-template.ts';
import { buildMix } from './mix.ts';
import { buildRequest, buildRequestBatches } from './request.ts';
import { readThreadCpuUs, readThreadRunQueueWaitUs } from './thread-cpu.ts';
import { httpFailureSample, httpVerifier, needsBody, statusMatcher } from './verify.ts';

const MAX_ERROR_SAMPLES = 5;
/** Samples offered (even repeats of one) after which no more are built: a server failing every reply costs no more. */
const MAX_SAMPLE_OFFERS = 64;
const READ_BUFFER_BYTES = 256 * 1024;

export interface EngineHooks {
  second(report: SecondReport): void;
  done(summary: ThreadSummary): void;
}

export class Engine implements ConnOwner {
  stopping = false;
  private readonly plan: ThreadPlan;
  private readonly hooks: EngineHooks;
  private readonly conns: Connection[] = [];
  private readonly open: boolean;
  private readonly timeoutMs: number;

  private startMs = 0;
  private measureStartMs = 0;
  /** When measuring actually began (timers fire late), for the run's clock. */
  private measureBeganMs = 0;
  private endMs = Infinity;
  private finishedAtMs = 0;

  // Closed-loop and -n bookkeeping (measured requests only).
  private issued = 0;
  private completed = 0;
  private readonly budget: number;

  private readonly hist = new Hdr();
  private readonly histUncorrected = new Hdr();
  private readonly censoredHist = new Hdr();
  private readonly waitingHist = new Hdr();
  private readonly lagHist = new Hdr();
  private readonly secondHist = new Hdr();
  private second = 0;
  private secondEndMs = Infinity;
  private secondRequests = 0;
  private secondErrors = 0;

  private requests = 0;
  private readonly errors: Partial<Record<ErrorKind, number>> = {};
  private bytes = 0;
  private readonly errorSamples = new Set<string>();
  private sampleOffers = 0;

  // Open loop: the schedule, free connections (round-robin) and requests waiting for one.
  private readonly intervalMs: number;
  private nextIndex = 0;
  private scheduled = 0;
  private backlogged = 0;
  private readonly freeQueue: Connection[] = [];
  private readonly queued = new Set<Connection>();
  private backlog: number[] = [];
  private backlogHead = 0;

  private scheduleTimer: NodeJS.Timeout | undefined;
  private endTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private measuring = false;
  private cpuStartUs: number | null = null;
  private eluStart: ReturnType<typeof performance.eventLoopUtilization> | undefined;
  private runQueueWaitStartUs: number | null = null;

  constructor(plan: ThreadPlan, hooks: EngineHooks) {
    this.plan = plan;
    this.hooks = hooks;
    const { options, target } = plan;
    this.open = plan.rateRps !== undefined;
    this.timeoutMs = options.timeoutMs;
    this.budget = plan.requests ?? Infinity;
    this.intervalMs = plan.rateRps === undefined ? 0 : 1000 / plan.rateRps;
    const spec: ConnSpec = {
      protocol: target.protocol,
      address: target.address,
      family: target.family,
      port: target.port,
      perRequest: options.connectionPerRequest,
      pipelining: options.pipelining,
      requests: buildRequestBatches(buildRequest(options, target), options.pipelining),
      headRequest: options.method === 'HEAD',
      keepBody: needsBody(options) || (options.mix?.some(needsBody) ?? false),
      verify: httpVerifier(options),
      failureSample: httpFailureSample(options),
      statusOk: statusMatcher(options.expectStatus),
      // A mix has no template: a reply verified for one of its requests must not pass as another's.
      template: target.protocol === 'http' && options.mix === undefined ? new ReplyTemplate() : undefined,
      mix: buildMix(options, target),
      tcpExpect: Buffer.from(options.tcpExpect, 'utf8'),
      readBuffer: currentRuntimeName() === 'node' ? Buffer.allocUnsafe(READ_BUFFER_BYTES) : undefined,
      directWrite: currentRuntimeName() === 'node',
    };
    for (let i = 0; i < plan.connections; i++) this.conns.push(new Connection(this, spec));
  }

  now(): number {
    return performance.now();
  }

  /** Starts at a wall-clock instant shared by all threads (epoch ms). */
  start(startAtEpochMs: number): void {
    const { options } = this.plan;
    this.startMs = startAtEpochMs - performance.timeOrigin;
    this.measureStartMs = this.startMs + options.warmupS * 1000;
    if (options.durationS !== undefined) this.endMs = this.measureStartMs + options.durationS * 1000;
    const delay = Math.max(0, this.startMs - this.now());
    setTimeout(() => this.begin(), delay);
  }

  /** Ends the run now (abort). */
  stop(): void {
    if (this.stopping) return;
    this.endMs = Math.min(this.endMs, this.now());
    this.finish();
  }

  private begin(): void {
    if (this.stopping) return;
    const measureIn = this.measureStartMs - this.now();
    if (measureIn <= 0) this.beginMeasuring();
    else setTimeout(() => this.beginMeasuring(), measureIn);
    if (this.endMs !== Infinity)
      // setImmediate: replies already in the socket buffers (a thread that woke up late, on a busy
      // machine) are read first, in this turn's poll phase, so they do not look unanswered.
      this.endTimer = setTimeout(
        () => setImmediate(() => this.finish()),
        Math.max(0, this.endMs - this.now()),
      );
    const tick = Math.max(5, Math.min(100, this.timeoutMs / 4));
    this.watchdog = setInterval(() => this.checkTimeouts(), tick);
    for (const conn of this.conns) conn.start();
    if (this.open) this.scheduleTick();
  }

  private beginMeasuring(): void {
    if (this.stopping) return;
    this.measuring = true;
    this.measureBeganMs = this.now();
    this.cpuStartUs = readThreadCpuUs();
    this.runQueueWaitStartUs = readThreadRunQueueWaitUs();
    this.eluStart = performance.eventLoopUtilization();
    this.second = 0;
    this.secondEndMs = this.measureStartMs + 1000;
    // A thread whose share of -n is zero (fewer requests than threads) has nothing to measure.
    if (this.budget === 0) this.finish();
  }

  // ---- ConnOwner -------------------------------------------------------

  complete(kind: ErrorKind | null, scheduledMs: number, sentMs: number): void {
    if (this.stopping) return;
    const now = this.now();
    if (scheduledMs < this.measureStartMs) {
      this.afterCompletion();
      return;
    }
    if (now > this.endMs) {
      // Answered after the window closed (its end timer is about to fire): unfinished at the end.
      this.censor(scheduledMs, sentMs, this.endMs, true);
      return;
    }
    if (now >= this.secondEndMs) this.flushSeconds(now);
    this.completed++;
    if (kind === null) {
      const latencyUs = (now - scheduledMs) * 1000;
      this.requests++;
      this.secondRequests++;
      this.hist.record(latencyUs);
      this.secondHist.record(latencyUs);
      if (this.open) this.histUncorrected.record((now - sentMs) * 1000);
    } else {
      this.errors[kind] = (this.errors[kind] ?? 0) + 1;
      this.secondErrors++;
    }
    this.afterCompletion();
  }

  connectFailed(kind: ErrorKind): void {
    if (this.stopping) return;
    const now = this.now();
    if (this.open) {
      // The request that would have used this connection fails with it.
      if (this.backlogHead < this.backlog.length) {
        const scheduledMs = this.backlog[this.backlogHead++] ?? now;
        this.complete(kind, scheduledMs, now);
      }
      return;
    }
    // Closed loop: a failed connect is one failed request attempt.
    if (now < this.measureStartMs) return;
    if (this.issued >= this.budget) return;
    this.issued++;
    this.complete(kind, now, now);
  }

  free(conn: Connection): void {
    if (this.stopping) return;
    if (this.open) {
      while (conn.available() && this.backlogHead < this.backlog.length) {
        conn.send(this.backlog[this.backlogHead++] ?? 0, this.now());
      }
      this.compactBacklog();
      if (conn.available() && !this.queued.has(conn)) {
        this.queued.add(conn);
        this.freeQueue.push(conn);
      }
      return;
    }
    const now = this.now();
    if (now >= this.endMs) return;
    // Closed loop: fill the connection's pipeline in one go (one write for the batch).
    let count = conn.room();
    if (now >= this.measureStartMs) {
      count = Math.min(count, this.budget - this.issued);
      this.issued += count;
    }
    if (count > 0) conn.sendNow(count, now);
  }

  requeue(scheduledMs: number): void {
    if (this.open) {
      // Put it back at the front: it keeps its scheduled time.
      if (this.backlogHead > 0) this.backlog[--this.backlogHead] = scheduledMs;
      else this.backlog.unshift(scheduledMs);
    } else if (scheduledMs >= this.measureStartMs) {
      this.issued--;
    }
  }

  bytesRead(count: number): void {
    if (this.measuring) this.bytes += count;
  }

  note(message: string): void {
    this.sampleOffers++;
    if (this.errorSamples.size < MAX_ERROR_SAMPLES) this.errorSamples.add(message);
  }

  wantsSample(): boolean {
    return this.errorSamples.size < MAX_ERROR_SAMPLES && this.sampleOffers < MAX_SAMPLE_OFFERS;
  }

  // ---- scheduling ------------------------------------------------------

  private afterCompletion(): void {
    if (this.budget !== Infinity && this.completed >= this.budget) this.finish();
  }

  private scheduleTick(): void {
    this.scheduleTimer = undefined;
    if (this.stopping) return;
    const now = this.now();
    const base = this.startMs + this.plan.phaseMs;
    for (;;) {
      const at = base + this.nextIndex * this.intervalMs;
      if (at > now) break;
      if (at >= this.endMs) return;
      if (at >= this.measureStartMs) {
        if (this.issued >= this.budget) return;
        this.issued++;
        this.scheduled++;
      }
      this.nextIndex++;
      this.dispatch(at, this.now());
      if (this.stopping) return;
    }
    const next = base + this.nextIndex * this.intervalMs;
    this.scheduleTimer = setTimeout(() => this.scheduleTick(), Math.max(0, next - this.now()));
  }

  private dispatch(scheduledMs: number, now: number): void {
    while (this.freeQueue.length > 0) {
      const conn = this.freeQueue.shift() as Connection;
      this.queued.delete(conn);
      if (!conn.available()) continue;
      if (scheduledMs >= this.measureStartMs) this.lagHist.record((now - scheduledMs) * 1000);
      conn.send(scheduledMs, now);
      // Round-robin: a connection with pipeline room goes to the back of the queue.
      if (conn.available()) {
        this.queued.add(conn);
        this.freeQueue.push(conn);
      }
      return;
    }
    if (scheduledMs >= this.measureStartMs) this.backlogged++;
    this.backlog.push(scheduledMs);
  }

  private compactBacklog(): void {
    if (this.backlogHead > 1024 && this.backlogHead * 2 > this.backlog.length) {
      this.backlog = this.backlog.slice(this.backlogHead);
      this.backlogHead = 0;
    }
  }

  private checkTimeouts(): void {
    const now = this.now();
    for (const conn of this.conns) conn.checkTimeout(now, this.timeoutMs);
    // A request that waited for a connection longer than the timeout is a timeout too; this bounds the backlog.
    while (
      this.backlogHead < this.backlog.length &&
      now - (this.backlog[this.backlogHead] ?? now) > this.timeoutMs
    ) {
      const scheduledMs = this.backlog[this.backlogHead++] ?? now;
      this.complete('timeout', scheduledMs, now);
      if (this.stopping) return;
    }
    this.compactBacklog();
    if (now >= this.secondEndMs && now <= this.endMs) this.flushSeconds(now);
  }

  private flushSeconds(now: number): void {
    while (now >= this.secondEndMs) {
      this.hooks.second({
        t: 'second',
        threadIndex: this.plan.threadIndex,
        second: this.second,
        requests: this.secondRequests,
        errors: this.secondErrors,
        histogram: this.secondHist.encode(),
      });
      this.secondHist.reset();
      this.secondRequests = 0;
      this.secondErrors = 0;
      this.second++;
      this.secondEndMs += 1000;
    }
  }

  /**
   * A measured request unanswered when the window closed at `closedAtMs` (`answered`: its reply
   * was read only after that): its age then goes in as a lower bound (corrected: from the
   * scheduled time; uncorrected: from the send, when it was sent at all).
   */
  private censor(
    scheduledMs: number,
    sentMs: number | undefined,
    closedAtMs: number,
    answered = false,
  ): void {
    if (!this.measuring || scheduledMs < this.measureStartMs || scheduledMs >= closedAtMs) return;
    this.censoredHist.record((closedAtMs - scheduledMs) * 1000);
    if (!answered) this.waitingHist.record((closedAtMs - scheduledMs) * 1000);
    if (this.open && sentMs !== undefined) this.histUncorrected.record((closedAtMs - sentMs) * 1000);
  }

  private finish(): void {
    if (this.stopping) return;
    this.stopping = true;
    const now = this.now();
    this.finishedAtMs = Math.min(now, this.endMs);
    if (this.scheduleTimer !== undefined) clearTimeout(this.scheduleTimer);
    if (this.endTimer !== undefined) clearTimeout(this.endTimer);
    if (this.watchdog !== undefined) clearInterval(this.watchdog);
    // Unfinished requests of the measured window: censored at their age when it closed.
    const closedAtMs = this.finishedAtMs;
    for (let i = this.backlogHead; i < this.backlog.length; i++) {
      const scheduledMs = this.backlog[i] ?? closedAtMs;
      this.censor(scheduledMs, undefined, closedAtMs);
    }
    for (const conn of this.conns) {
      conn.forEachInFlight((scheduledMs, sentMs) => this.censor(scheduledMs, sentMs, closedAtMs));
      conn.destroy();
    }
    const measuring = this.measuring;
    const measuredMs = measuring ? Math.max(0, this.finishedAtMs - this.measureStartMs) : 0;
    if (measuring) {
      this.flushSeconds(this.finishedAtMs);
      // The last, partial second is reported if it holds anything.
      if (this.secondRequests > 0 || this.secondErrors > 0) {
        this.secondEndMs = this.finishedAtMs;
        this.flushSeconds(this.finishedAtMs);
      }
    }
    const cpuEnd = readThreadCpuUs();
    const cpuUs = this.cpuStartUs !== null && cpuEnd !== null ? cpuEnd - this.cpuStartUs : null;
    const elu = this.eluStart !== undefined ? performance.eventLoopUtilization(this.eluStart).utilization : 0;
    const waitEnd = readThreadRunQueueWaitUs();
    const runQueueWaitUs =
      this.runQueueWaitStartUs !== null && waitEnd !== null ? waitEnd - this.runQueueWaitStartUs : null;
    this.hooks.done({
      threadIndex: this.plan.threadIndex,
      connections: this.plan.connections,
      requests: this.requests,
      errors: this.errors,
      bytesRead: this.bytes,
      measuredMs,
      histogram: this.hist.encode(),
      histogramUncorrected: this.open ? this.histUncorrected.encode() : undefined,
      sendLagHistogram: this.open ? this.lagHist.encode() : undefined,
      scheduled: this.scheduled,
      backlogged: this.backlogged,
      unfinished: this.censoredHist.totalCount,
      censoredHistogram: this.censoredHist.encode(),
      waitingHistogram: this.waitingHist.encode(),
      cpuUs,
      cpuSource: cpuUs === null ? 'none' : 'thread',
      eventLoopUtilization: elu,
      runQueueWaitUs,
      errorSamples: [...this.errorSamples],
      ...(measuring ? { measureBeganEpochMs: performance.timeOrigin + this.measureBeganMs } : {}),
    });
  }
}
