/**
 * The lines a shard or a merged result adds to the text summary
 * (render.ts): which share of the load a shard ran, and what qualifies a
 * merge (shards present and missing, hosts, start spread).
 */
import type { LoadResult } from './types.ts';

function rateText(rateRps: number | undefined, total: number | undefined): string {
  return rateRps === undefined || total === undefined ? '' : `, ${rateRps.toFixed(1)} of ${total} req/s`;
}

export function shardLines(result: LoadResult): string[] {
  const lines: string[] = [];
  const late = result.clock?.startLateMs ?? 0;
  const { shard, merge } = result;
  if (shard !== undefined) {
    lines.push(
      `  Shard ${shard.index}/${shard.count}: ${shard.connections} of ${result.options.connections} connections${rateText(shard.rateRps, result.options.rateRps)}${result.host === undefined ? '' : ` on ${result.host}`}`,
    );
  }
  if (merge !== undefined) {
    const hosts = merge.hosts.length === 1 ? 'one host' : `${merge.hosts.length} hosts`;
    const skew = merge.clockSkew === 'none' ? 'one clock' : 'clock skew between hosts not measured, add it';
    lines.push(
      `  Merged ${merge.shards.length} of ${merge.shardCount} shards from ${hosts}; start spread ${merge.startSpreadMs.toFixed(1)} ms (${skew})`,
    );
  }
  if (late > 0) lines.push(`  Started ${late.toFixed(0)} ms after the requested --start-at (it had passed)`);
  return lines;
}
