/**
 * The one builder of an empty server-cell record (nothing measured yet):
 * runServerCell starts from it, and the suite runner builds its failed
 * records with it, so both agree on every field.
 */
import { newCellBase, type ServerCell } from '../../results/record.ts';
import { endpointProtocol, type CellEndpoint } from './endpoints.ts';

export interface ServerCellIdentity {
  architecture: string;
  workers: number;
  threads: number;
  endpoint: CellEndpoint;
  /** The connections the load uses; the record keeps them only for closed loop (rateRps null). */
  connections: number;
  /** Open-loop target rate; null for closed loop. */
  rateRps: number | null;
  durationS: number;
}

export function emptyServerCell(
  cell: ServerCellIdentity,
  cellKey: string,
  runtime: string,
  startedAt?: string,
): ServerCell {
  return {
    ...newCellBase(cellKey, runtime, startedAt),
    kind: 'server',
    architecture: cell.architecture,
    workers: cell.workers,
    threads: cell.threads,
    endpoint: cell.endpoint,
    protocol: endpointProtocol(cell.endpoint),
    connections: cell.rateRps === null ? cell.connections : null,
    rateRps: cell.rateRps,
    durationS: cell.durationS,
    requests: 0,
    rpsPerRep: [],
    rps: 0,
    rpsStdev: 0,
    latencyUs: { min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 },
    errors: {},
    serverCpuPercent: 0,
    serverPeakRssBytes: 0,
    clientCpuPercent: 0,
    servedByPids: [],
    histogram: '',
  };
}
