/**
 * A load result (`conlab merge`'s output) as a stored run, so `conlab
 * report` draws it like any other. The load hit a server conlab did not
 * start, so it becomes a server-kind cell that says so (`external`): the
 * client-side figures are real, the server-side ones were not measured.
 * The run's environment is the machine that merged; the generators' hosts
 * are in the record.
 */
import type { LoadResult } from '../load/types.ts';
import { newCellBase, type EnvironmentInfo, type ServerCell } from './record.ts';
import type { ResultStore } from './store.ts';

/** The stable key of a load: the same command gives the same key in every run. */
export function loadCellKey(result: LoadResult): string {
  const o = result.options;
  return [
    'load',
    o.target,
    result.mode,
    `c=${o.connections}`,
    `rate=${o.rateRps ?? '-'}`,
    `d=${o.durationS ?? '-'}`,
    `n=${o.requests ?? '-'}`,
    `shards=${result.merge?.shardCount ?? result.shard?.count ?? 1}`,
  ].join('|');
}

function statusOf(result: LoadResult): Pick<ServerCell, 'status' | 'reason'> {
  const missing = result.merge?.missingShards ?? [];
  if (missing.length > 0) {
    const count = result.merge?.shardCount ?? 0;
    return {
      status: 'invalid',
      reason: `shards ${missing.map((i) => `${i}/${count}`).join(', ')} missing: their share of the load is in no number`,
    };
  }
  if (result.requests === 0)
    return { status: 'failed', reason: `no request succeeded (${result.errorsTotal} errors)` };
  if (result.interrupted)
    return { status: 'invalid', reason: 'interrupted: the numbers cover the part that ran' };
  return { status: 'ok' };
}

export function loadResultRecord(result: LoadResult): ServerCell {
  const o = result.options;
  const open = result.mode === 'open';
  const startedAt = new Date(result.clock?.startEpochMs ?? Date.now()).toISOString();
  return {
    ...newCellBase(loadCellKey(result), 'unknown', startedAt),
    ...statusOf(result),
    verdicts: [...result.warnings],
    repetitions: [0],
    kind: 'server',
    architecture: 'external',
    workers: 0,
    threads: 0,
    endpoint: o.target,
    protocol: result.protocol,
    connections: open ? null : o.connections,
    rateRps: open ? (o.rateRps ?? null) : null,
    durationS: result.durationS,
    requests: result.requests,
    rpsPerRep: [result.rps],
    rps: result.rps,
    rpsStdev: 0,
    latencyUs: result.latencyUs,
    errors: result.errors,
    serverCpuPercent: 0,
    serverPeakRssBytes: 0,
    clientCpuPercent: result.clientCpuPercent,
    servedByPids: [],
    histogram: result.histogram,
    unfinishedRequests: result.unfinished ?? 0,
    // The store keeps the plain per-second view; per-second histograms stay in the JSON result.
    timeline: result.timeline.map(({ second, requests, errors, p50Us, p99Us }) => ({
      second,
      requests,
      errors,
      p50Us,
      p99Us,
    })),
    external: {
      target: o.target,
      shardCount: result.merge?.shardCount ?? result.shard?.count ?? 1,
      shardsMerged: result.merge?.shards.length ?? 1,
      missingShards: result.merge?.missingShards ?? [],
      hosts: result.merge?.hosts ?? (result.host === undefined ? [] : [result.host]),
      startSpreadMs: result.merge?.startSpreadMs ?? 0,
    },
  };
}

/** Stores a load result as a run of one cell; returns the run id. */
export function storeLoadResult(store: ResultStore, result: LoadResult, env: EnvironmentInfo): string {
  const record = loadResultRecord(result);
  const runId = store.createRun({
    suiteName: 'conlab merge',
    env,
    suite: { command: 'merge', options: result.options, mode: result.mode, merge: result.merge },
    cells: [],
    plan: [{ cellKey: record.cellKey, repetition: 0 }],
  });
  store.addCell(runId, record);
  store.markRun(runId, 'complete');
  return runId;
}
