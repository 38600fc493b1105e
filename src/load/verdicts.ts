/**
 * When the generator's own numbers cannot be trusted: pure rules from the
 * measured thread CPU, open-loop send lag and unanswered requests to the
 * result's warnings.
 */
import type { Hdr, LatencySummaryUs } from '../stats/hdr.ts';
import type { Verdict } from '../monitor/verdicts.ts';
import type { CensoredInfo, ThreadUsage } from './types.ts';
import { defaultThresholds, isThreadCpuLimited } from '../monitor/verdicts.ts';

/** Open loop: p99 send lateness above this means the generator could not keep its schedule. */
export const DRIFT_P99_US = 10_000;

export function clientVerdicts(
  threads: ThreadUsage[],
  sendLagUs: LatencySummaryUs | undefined,
): { warnings: Verdict[]; details: string[] } {
  const warnings: Verdict[] = [];
  const details: string[] = [];
  const busiest = threads.reduce((a, t) => Math.max(a, t.cpuPercent), 0);
  // A thread starved of CPU (by the server it drives, or other tenants) uses
  // little CPU and looks idle, yet it was the limit all the same.
  const starved = threads.find(
    ({ cpuPercent, runQueueWaitPercent }) =>
      runQueueWaitPercent !== undefined && isThreadCpuLimited({ cpuPercent, runQueueWaitPercent }),
  );
  // One threshold for every lab: the monitor's (a thread at ≥ 90% of a core was the bottleneck).
  if (busiest >= defaultThresholds.clientSaturatedPercent) {
    warnings.push('client-saturated');
    details.push(
      `client-saturated: a generator thread used ${Math.round(busiest)}% of a core; the client, not the server, may be the limit (add -t threads or cores)`,
    );
  } else if (starved) {
    warnings.push('client-saturated');
    details.push(
      `client-saturated: a generator thread ran ${Math.round(starved.cpuPercent)}% and waited for a CPU ${Math.round(starved.runQueueWaitPercent ?? 0)}% of the window; the client was starved of CPU and may be the limit`,
    );
  }
  if (sendLagUs !== undefined && sendLagUs.p99 > DRIFT_P99_US) {
    warnings.push('schedule-drift');
    details.push(
      `schedule-drift: p99 send lateness ${(sendLagUs.p99 / 1000).toFixed(1)} ms (limit ${DRIFT_P99_US / 1000} ms); the generator fell behind its schedule`,
    );
  }
  return { warnings, details };
}

/**
 * `stalled` above this share of the measured requests unanswered at the
 * window's end and older than the completed requests' p99. Why 1%: p99 is the
 * tail percentile every report leads with, and once more than 1% of all
 * requests are known to have waited longer than the completed ones' p99, the
 * true p99 lies among the unanswered ones, whose latency is only a lower
 * bound — the headline tail figure is no longer a measurement. A healthy
 * run stays far below: only requests in transit at the last instant are
 * unanswered, and they are younger than the p99.
 */
export const STALLED_SHARE = 0.01;

/**
 * The censored requests' figures: `censored` holds every unanswered request's
 * age (µs), `waiting` those of them with no reply at all (the rest were read
 * after the end by a generator thread that woke up late); `finished` counts
 * the completed requests (successes and errors), summarised in `completed`.
 */
export function censoredInfo(completed: Hdr, censored: Hdr, waiting: Hdr, finished: number): CensoredInfo {
  const requests = censored.totalCount;
  const total = finished + requests;
  const p99Us = completed.percentile(99);
  let stalled = 0;
  // A slot counts only when its lowest value is above the p99: never overstated.
  for (const [lowestUs, count] of waiting.entries()) if (lowestUs > p99Us) stalled += count;
  return {
    requests,
    share: total === 0 ? 0 : requests / total,
    stalled,
    stalledShare: total === 0 ? 0 : stalled / total,
    oldestAgeUs: requests === 0 ? 0 : censored.max,
  };
}

/** The `stalled` warning's text, or undefined when the share is within STALLED_SHARE. */
export function stalledVerdict(censored: CensoredInfo): string | undefined {
  if (censored.stalledShare <= STALLED_SHARE) return undefined;
  const percent = (censored.stalledShare * 100).toFixed(1);
  return `stalled: ${censored.stalled} requests (${percent}% of the measured ones, limit ${STALLED_SHARE * 100}%) were still unanswered when the window closed, older than the completed requests' p99; the oldest had waited ${(censored.oldestAgeUs / 1e6).toFixed(2)} s. Their ages are in the latency as lower bounds: the true tail is longer`;
}
