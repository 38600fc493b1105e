/** The bench-server terminal table: ServerCells in, a string out. */
import { fmt, renderTextTable, type Column } from '../../core/text-table.ts';
import { servedEndpoint, type ServerCell } from '../../results/record.ts';

function errorCount(cell: ServerCell): number {
  return Object.values(cell.errors).reduce((a, b) => a + (b ?? 0), 0);
}

/**
 * Verdicts, and a note when many requests were still unanswered at the end:
 * they are in the percentiles at their age then, so those are lower bounds.
 */
function okStatus(cell: ServerCell): string {
  const notes: string[] = [...cell.verdicts];
  const unfinished = cell.unfinishedRequests ?? 0;
  if (unfinished > 0 && unfinished >= cell.requests / 10)
    notes.push(`${unfinished} unanswered at end: percentiles are lower bounds`);
  return notes.length > 0 ? `ok (${notes.join('; ')})` : 'ok';
}

const columns: Column<ServerCell>[] = [
  { header: 'runtime', value: (c) => c.runtime },
  { header: 'arch', value: (c) => c.architecture },
  { header: 'w×t', value: (c) => `${c.workers}×${c.threads}`, align: 'right' },
  { header: 'endpoint', value: (c) => servedEndpoint(c) },
  {
    header: 'load',
    value: (c) => (c.rateRps === null ? `c=${c.connections ?? '-'}` : `r=${c.rateRps}/s`),
    align: 'right',
  },
  {
    header: 'req/s',
    value: (c) =>
      c.status === 'ok'
        ? `${fmt.rate(c.rps)}${c.rpsPerRep.length > 1 ? `±${fmt.rate(c.rpsStdev)}` : ''}`
        : '-',
    align: 'right',
  },
  { header: 'p50', value: (c) => (c.status === 'ok' ? fmt.latencyUs(c.latencyUs.p50) : '-'), align: 'right' },
  { header: 'p95', value: (c) => (c.status === 'ok' ? fmt.latencyUs(c.latencyUs.p95) : '-'), align: 'right' },
  { header: 'p99', value: (c) => (c.status === 'ok' ? fmt.latencyUs(c.latencyUs.p99) : '-'), align: 'right' },
  { header: 'max', value: (c) => (c.status === 'ok' ? fmt.latencyUs(c.latencyUs.max) : '-'), align: 'right' },
  { header: 'errors', value: (c) => (c.status === 'ok' ? String(errorCount(c)) : '-'), align: 'right' },
  {
    header: 'srv CPU',
    value: (c) => (c.status === 'ok' ? fmt.percent(c.serverCpuPercent) : '-'),
    align: 'right',
  },
  {
    header: 'srv RSS',
    value: (c) => (c.status === 'ok' ? fmt.bytes(c.serverPeakRssBytes) : '-'),
    align: 'right',
  },
  {
    header: 'cli CPU',
    value: (c) => (c.status === 'ok' ? fmt.percent(c.clientCpuPercent) : '-'),
    align: 'right',
  },
  {
    header: 'served by',
    value: (c) => {
      if (c.servedByPids.length === 0) return c.status === 'ok' ? 'n/a' : '-';
      const units = c.servedByUnits?.length ?? c.servedByPids.length;
      return units > c.servedByPids.length
        ? `${c.servedByPids.length} pid(s), ${units} thread(s)`
        : `${c.servedByPids.length} pid(s)`;
    },
  },
  {
    header: 'status',
    value: (c) => (c.status === 'ok' ? okStatus(c) : `${c.status}: ${c.reason ?? ''}`),
  },
];

export function renderServerTable(cells: ServerCell[]): string {
  return renderTextTable(columns, cells);
}
