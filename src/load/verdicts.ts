/**
 * When the generator's own numbers cannot be trusted: pure rules from the
 * measured thread CPU and open-loop send lag to the result's warnings.
 */
import type { LatencySummaryUs } from '../stats/hdr.ts';
import type { Verdict } from '../monitor/verdicts.ts';
import type { ThreadUsage } from './types.ts';
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
