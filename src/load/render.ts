/**
 * The wrk-like text summary of a LoadResult: a pure function from the result
 * to a string, so it is tested without a terminal. Warnings come first and
 * last, so they cannot be missed.
 */
import type { LatencySummaryUs } from '../stats/hdr.ts';
import { fmt } from '../core/text-table.ts';
import { shardLines } from './render-shards.ts';
import type { LoadResult } from './types.ts';

function latencyLines(title: string, latency: LatencySummaryUs, count: number): string[] {
  if (count === 0) return [`  ${title}: no successful replies`];
  const cells: [string, number][] = [
    ['p50', latency.p50],
    ['p90', latency.p90],
    ['p99', latency.p99],
    ['p99.9', latency.p999],
    ['max', latency.max],
    ['mean', latency.mean],
  ];
  return [
    `  ${title}`,
    `    ${cells.map(([name]) => name.padStart(9)).join('')}`,
    `    ${cells.map(([, value]) => fmt.latencyUs(value).padStart(9)).join('')}`,
  ];
}

function warningBlock(result: LoadResult): string[] {
  // A merge's qualifiers (a missing shard) come as details without a verdict of their own.
  const details = result.warningDetails ?? result.warnings;
  if (details.length === 0) return [];
  return details.map((detail) => `!!! WARNING ${detail}`);
}

export function renderLoadText(result: LoadResult): string {
  const o = result.options;
  const lines: string[] = [];
  lines.push(...warningBlock(result));
  const bound =
    o.durationS !== undefined && o.requests !== undefined
      ? `${o.durationS}s or ${o.requests} requests`
      : o.durationS !== undefined
        ? `${o.durationS}s`
        : `${o.requests} requests`;
  const mode = result.mode === 'open' ? `open loop at ${fmt.rate(o.rateRps)} req/s` : 'closed loop';
  lines.push(`Running ${bound} test @ ${o.target} (${result.protocol}, ${mode})`);
  const extras = [
    o.pipelining > 1 ? `pipelining ${o.pipelining}` : '',
    o.connectionPerRequest ? 'new connection per request' : '',
    o.warmupS ? `warmup ${o.warmupS}s` : '',
  ].filter((x) => x !== '');
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  lines.push(
    `  ${plural(result.threads.length || o.threads, 'thread')} and ${plural(result.shard?.connections ?? o.connections, 'connection')}${extras.length ? `, ${extras.join(', ')}` : ''}`,
  );
  lines.push(...shardLines(result));
  lines.push('');
  // Unanswered requests are in the latency at their age when the window closed (a lower bound).
  const unfinished = result.censored?.requests ?? 0;
  const withUnfinished = unfinished > 0 ? ', unanswered ones at their age: lower bounds' : '';
  if (result.mode === 'open') {
    lines.push(
      ...latencyLines(
        `Latency (corrected: from each request's scheduled send time${withUnfinished})`,
        result.latencyUs,
        result.requests + unfinished,
      ),
    );
    if (result.latencyUncorrectedUs) {
      lines.push(
        ...latencyLines(
          `Latency (uncorrected: from the actual send time${withUnfinished})`,
          result.latencyUncorrectedUs,
          result.requests + unfinished,
        ),
      );
    }
    const s = result.schedule;
    if (s) {
      lines.push(
        `  Schedule: target ${fmt.rate(s.targetRps)} req/s, achieved ${fmt.rate(s.achievedRps)} req/s, ` +
          `${s.backlogged} waited for a free connection, send lag p50 ${fmt.latencyUs(s.sendLagUs.p50)} p99 ${fmt.latencyUs(s.sendLagUs.p99)}`,
      );
    }
  } else {
    lines.push(
      ...latencyLines(
        `Latency${unfinished > 0 ? ' (unanswered requests at their age: lower bounds)' : ''}`,
        result.latencyUs,
        result.requests + unfinished,
      ),
    );
  }
  lines.push('');
  lines.push(
    `  ${result.requests} requests in ${result.durationS.toFixed(2)}s, ${fmt.bytes(result.bytesRead)} read`,
  );
  const errorKinds = Object.entries(result.errors).filter(([, n]) => n > 0);
  if (errorKinds.length === 0) {
    lines.push('  Errors: none');
  } else {
    lines.push(
      `  Errors: ${result.errorsTotal} (${errorKinds.map(([kind, n]) => `${kind} ${n}`).join(', ')})`,
    );
    for (const sample of result.errorSamples ?? []) lines.push(`    e.g. ${sample}`);
  }
  const censored = result.censored;
  if (censored !== undefined && censored.requests > 0) {
    lines.push(
      `  Unanswered when the window closed: ${censored.requests} (${(censored.share * 100).toFixed(1)}% of the measured requests; ` +
        `${censored.stalled} older than the completed p99), oldest ${fmt.latencyUs(censored.oldestAgeUs)} — in the latency at their age`,
    );
  }
  lines.push(`Requests/sec: ${result.rps.toFixed(2).padStart(12)}`);
  const transfer = result.durationS > 0 ? result.bytesRead / result.durationS : 0;
  lines.push(`Transfer/sec: ${`${fmt.bytes(transfer)}`.padStart(12)}`);
  const perThread = result.threads
    .map((t) => `t${t.threadIndex} ${fmt.percent(t.cpuPercent)}${t.cpuSource === 'elu' ? ' (est.)' : ''}`)
    .join(', ');
  lines.push(`Client CPU:   ${fmt.percent(result.clientCpuPercent).padStart(12)} of one core (${perThread})`);
  if (result.interrupted) lines.push('(interrupted: the numbers cover the part that ran)');
  const warnings = warningBlock(result);
  if (warnings.length > 0) lines.push('', ...warnings);
  return `${lines.join('\n')}\n`;
}
