/**
 * Synthetic shard results with known latencies, for the merge's tests and
 * its benchmark: every value recorded is known, so a test can build the one
 * histogram of all of them independently and compare.
 */
import { HDR_PRECISION, Hdr, summarizeLatency } from '../../src/stats/hdr.ts';
import type { LoadResult, TimelinePoint } from '../../src/load/types.ts';

export interface SyntheticShard {
  index: number;
  count: number;
  /** Latencies (µs) recorded in each second of the window: valuesPerSecond[s] lands in second s. */
  valuesPerSecond: number[][];
  startEpochMs: number;
  target?: string;
  connections?: number;
  errors?: Partial<Record<'timeout' | 'reset', number>>;
  host?: string;
  warnings?: LoadResult['warnings'];
  /** Open loop at this total rate. */
  rateRps?: number;
}

export function syntheticShard(spec: SyntheticShard): LoadResult {
  const total = new Hdr();
  const timeline: TimelinePoint[] = spec.valuesPerSecond.map((values, second) => {
    const hist = new Hdr();
    for (const value of values) hist.record(value);
    total.merge(hist);
    return {
      second,
      requests: values.length,
      errors: 0,
      p50Us: hist.percentile(50),
      p99Us: hist.percentile(99),
      atEpochMs: spec.startEpochMs + second * 1000,
      histogram: hist.encode(),
    };
  });
  const durationS = spec.valuesPerSecond.length;
  const requests = total.totalCount;
  const errors = spec.errors ?? {};
  const errorsTotal = Object.values(errors).reduce((a, b) => a + b, 0);
  const connections = spec.connections ?? 8;
  const open = spec.rateRps !== undefined;
  const result: LoadResult = {
    options: {
      target: spec.target ?? 'http://127.0.0.1:8080/',
      connections,
      pipelining: 1,
      threads: 1,
      timeoutMs: 10_000,
      durationS,
      ...(open ? { rateRps: spec.rateRps } : {}),
      shard: { index: spec.index, count: spec.count },
    },
    mode: open ? 'open' : 'closed',
    protocol: 'http',
    durationS,
    requests,
    rps: requests / durationS,
    bytesRead: requests * 100,
    errors,
    errorsTotal,
    latencyUs: summarizeLatency(total),
    histogram: total.encode(),
    timeline,
    threads: [{ threadIndex: 0, cpuPercent: 30, requests, cpuSource: 'thread' }],
    clientCpuPercent: 30,
    warnings: spec.warnings ?? [],
    host: spec.host ?? 'host-a',
    clock: {
      startEpochMs: spec.startEpochMs,
      endEpochMs: spec.startEpochMs + durationS * 1000,
      startLateMs: 0,
      beganEpochMs: spec.startEpochMs,
    },
    histogramPrecision: { ...HDR_PRECISION },
    shard: { index: spec.index, count: spec.count, connections: Math.floor(connections / spec.count) },
  };
  if (open) {
    const lag = new Hdr();
    lag.record(500);
    result.histogramUncorrected = total.encode();
    result.latencyUncorrectedUs = summarizeLatency(total);
    result.schedule = {
      targetRps: spec.rateRps ?? 0,
      scheduled: requests,
      achievedRps: requests / durationS,
      backlogged: 1,
      sendLagUs: summarizeLatency(lag),
      sendLagHistogram: lag.encode(),
    };
  }
  return result;
}
