/**
 * Runs INSIDE a subject (Node, Bun or Deno; main thread or worker thread):
 * measures the calling thread's event-loop utilization and event-loop delay
 * over a window, for the subject to send to the driver. Only node: APIs the
 * three runtimes share; a figure a runtime cannot measure is null with the
 * reason, never a made-up number.
 *
 * What each runtime does (checked by the capability probe, src/runtimes/capabilities.ts):
 * - Node: both native APIs measure.
 * - Bun: monitorEventLoopDelay measures; eventLoopUtilization returns zeros.
 * - Deno: eventLoopUtilization returns zeros; monitorEventLoopDelay exists but
 *   does not grow when the loop is blocked (a 300 ms block reads as ~20 µs),
 *   so delay is measured here with a timer-lateness sampler instead (the same
 *   principle libuv's histogram uses, at a coarser 20 ms resolution).
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { threadId } from 'node:worker_threads';
import type { EventLoopStats } from './types.ts';
import { currentRuntimeLabel, currentRuntimeName } from '../core/runtime-info.ts';

export interface EventLoopProbe {
  /** Ends the window and returns what the calling thread's event loop did. Idempotent. */
  stop(): EventLoopStats;
}

export interface EventLoopProbeOptions {
  /** Sampling resolution of the delay histogram; default 10 ms (native) / 20 ms (timer sampler). */
  resolutionMs?: number;
}

interface DelayProbe {
  /** Percentiles in ms, or a reason why they cannot be had. */
  stop(): { p50: number; p99: number; max: number } | { unsupported: string };
}

type EluSnapshot = ReturnType<typeof performance.eventLoopUtilization>;

/** Runtimes whose native monitorEventLoopDelay is known not to measure (see header). */
const nativeDelayBroken = new Set(['deno']);
/**
 * Node's histogram records the whole time between its timer's firings
 * (resolution + lateness: an idle loop reads ~10 ms at resolution 10); Bun's
 * records the lateness alone. Lateness is what "delay" means and what the
 * other runtimes report, so Node's figures are shifted by the resolution.
 */
const nativeDelayIncludesResolution = new Set(['node']);

/** How the probe measures event-loop delay on a runtime: its native histogram, or timer lateness. */
export function delayMethodFor(runtime: string): 'native' | 'timer' {
  return nativeDelayBroken.has(runtime) ? 'timer' : 'native';
}

export function startEventLoopProbe(options: EventLoopProbeOptions = {}): EventLoopProbe {
  const label = currentRuntimeLabel();
  const startedAt = performance.now();
  const eluStart = startElu();
  const delay =
    delayMethodFor(currentRuntimeName()) === 'timer'
      ? startTimerDelay(options.resolutionMs ?? 20)
      : startNativeDelay(
          options.resolutionMs ?? 10,
          label,
          nativeDelayIncludesResolution.has(currentRuntimeName()),
        );
  let result: EventLoopStats | undefined;
  return {
    stop() {
      if (result) return result;
      const durationMs = performance.now() - startedAt;
      const reasons: string[] = [];
      const utilization = stopElu(eluStart, label, reasons);
      const delayResult = delay.stop();
      if ('unsupported' in delayResult) reasons.push(delayResult.unsupported);
      result = {
        pid: process.pid,
        threadId: typeof threadId === 'number' ? threadId : 0,
        runtime: label,
        durationMs: round3(durationMs),
        utilization,
        delayP50Ms: 'unsupported' in delayResult ? null : round3(delayResult.p50),
        delayP99Ms: 'unsupported' in delayResult ? null : round3(delayResult.p99),
        delayMaxMs: 'unsupported' in delayResult ? null : round3(delayResult.max),
      };
      if (reasons.length > 0) result.unsupportedReason = reasons.join('; ');
      return result;
    },
  };
}

function startElu(): EluSnapshot | string {
  try {
    if (typeof performance.eventLoopUtilization !== 'function')
      return 'performance.eventLoopUtilization is missing';
    return performance.eventLoopUtilization();
  } catch (error) {
    return `performance.eventLoopUtilization threw (${String(error)})`;
  }
}

function stopElu(start: EluSnapshot | string, label: string, reasons: string[]): number | null {
  if (typeof start === 'string') {
    reasons.push(`eventLoopUtilization unsupported on ${label} (${start})`);
    return null;
  }
  try {
    const delta = performance.eventLoopUtilization(start);
    // A stub answers zeros for both; a real loop always spends some time idle or active.
    if (!(delta.idle + delta.active > 0) || !Number.isFinite(delta.utilization)) {
      reasons.push(`eventLoopUtilization unsupported on ${label} (it reports no idle or active time)`);
      return null;
    }
    return round3(delta.utilization);
  } catch (error) {
    reasons.push(`eventLoopUtilization unsupported on ${label} (${String(error)})`);
    return null;
  }
}

function startNativeDelay(resolutionMs: number, label: string, includesResolution: boolean): DelayProbe {
  const resolution = Math.max(1, Math.round(resolutionMs));
  const offsetMs = includesResolution ? resolution : 0;
  let histogram: ReturnType<typeof monitorEventLoopDelay>;
  try {
    histogram = monitorEventLoopDelay({ resolution });
    histogram.enable();
  } catch (error) {
    const unsupported = `monitorEventLoopDelay unsupported on ${label} (${String(error)})`;
    return { stop: () => ({ unsupported }) };
  }
  const startedAt = performance.now();
  return {
    stop() {
      histogram.disable();
      // The histogram records nanoseconds and gets a sample only when its timer fires.
      if (histogram.count === 0) {
        const elapsedMs = performance.now() - startedAt;
        // No firing in a window longer than the resolution means the loop was blocked
        // throughout (e.g. sync work inside async functions): its one tick is that late.
        if (elapsedMs > resolution) {
          const blockedMs = elapsedMs - resolution;
          return { p50: blockedMs, p99: blockedMs, max: blockedMs };
        }
        return {
          unsupported: `event-loop delay not measured on ${label} (window shorter than ${resolutionMs} ms)`,
        };
      }
      const lateness = (ns: number): number => Math.max(0, ns / 1e6 - offsetMs);
      return {
        p50: lateness(histogram.percentile(50)),
        p99: lateness(histogram.percentile(99)),
        max: lateness(histogram.max),
      };
    },
  };
}

/**
 * Event-loop delay from timer lateness: a timer asks to fire every
 * resolution ms; how late it fires is how long the loop was busy with
 * something else. Samples are kept whole (one double per tick: 20 ms
 * resolution is 3 000 samples a minute) so percentiles are exact.
 */
function startTimerDelay(resolutionMs: number): DelayProbe {
  const lateness: number[] = [];
  let expected = performance.now() + resolutionMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (): void => {
    timer = setTimeout(() => {
      const now = performance.now();
      lateness.push(Math.max(0, now - expected));
      expected = now + resolutionMs;
      arm();
    }, resolutionMs);
    // The probe must never keep a subject alive.
    timer.unref?.();
  };
  arm();
  return {
    stop() {
      if (timer !== undefined) clearTimeout(timer);
      // The pending tick's lateness so far counts too: a loop blocked right up to stop() was delayed.
      const pending = performance.now() - expected;
      if (pending > 0) lateness.push(pending);
      const sorted = lateness.sort((a, b) => a - b);
      return {
        p50: percentileOfSorted(sorted, 50),
        p99: percentileOfSorted(sorted, 99),
        max: sorted[sorted.length - 1] ?? 0,
      };
    },
  };
}

/** Nearest-rank percentile of ascending samples. */
function percentileOfSorted(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? 0;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
