// Synthetic cell records for store, CSV, stats and compare tests: every field set, values chosen by hand.
import {
  RESULT_SCHEMA_VERSION,
  type BatchCell,
  type EnvironmentInfo,
  type PipelineCell,
  type ServerCell,
} from '../../src/results/record.ts';
import { Hdr } from '../../src/stats/hdr.ts';

export const env: EnvironmentInfo = {
  cpuModel: 'Test CPU',
  cores: 2,
  governor: null,
  memoryBytes: 8 * 2 ** 30,
  kernel: '6.0.0',
  os: 'Linux',
  runtimes: ['node@24.21.0'],
  conlabVersion: '0.1.0',
  conlabCommit: null,
  loadAverage1m: 0.5,
  hostname: 'test',
  capturedAt: '2026-11-26T12:00:00.000Z',
};

export function batchRecord(
  model: string,
  repetition: number,
  durationMs: number,
  overrides: Partial<BatchCell> = {},
): BatchCell {
  const concurrency = model === 'sequential' ? 1 : 2;
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    kind: 'batch',
    cellKey: `batch|node|cpu.sha256|{"iters":1000}|${model}|c${concurrency}`,
    runtime: 'node@24.21.0',
    status: 'ok',
    verdicts: [],
    pids: [1000 + repetition],
    startedAt: `2026-11-26T12:00:0${repetition}.000Z`,
    repetitions: [repetition],
    workload: 'cpu.sha256',
    params: { iters: 1000 },
    model,
    concurrency,
    threadsPerProcess: 1,
    itemsPerTask: 1,
    items: 16,
    durationsMs: [durationMs],
    durationMs,
    durationStdevMs: 0,
    itemsPerSec: (16 * 1000) / durationMs,
    speedup: null,
    efficiency: null,
    cpuPercent: 100 * concurrency,
    peakRssBytes: 50_000_000 + repetition,
    answer: 'abc',
    ...overrides,
  };
}

/** One `conlab pipeline` run: `concurrency` pipelines of 256 KiB buffers every 0.1 s for 2 s. */
export function pipelineRecord(
  method: string,
  concurrency: number,
  repetition: number,
  aggregateMiBps: number,
  overrides: Partial<PipelineCell> = {},
): PipelineCell {
  const elapsedS = 2.05;
  const iterations = Math.round((aggregateMiBps * elapsedS * 1024) / 256);
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    kind: 'pipeline',
    cellKey: `pipeline|${method}|n${concurrency}|d2|b256|r0.1|node`,
    runtime: 'node@24.21.0',
    status: 'ok',
    verdicts: [],
    pids: [3000 + repetition],
    startedAt: `2026-11-26T12:02:0${repetition}.000Z`,
    repetitions: [repetition],
    method,
    singleThreaded: method === 'sequential' || method === 'async',
    concurrency,
    durationS: 2,
    bufferKiB: 256,
    recvDelayS: 0.1,
    aggregateMiBpsPerRep: [aggregateMiBps],
    aggregateMiBps,
    aggregateMiBpsStdev: 0,
    perPipelineMiBps: aggregateMiBps / concurrency,
    idealMiBps: 2.5 * concurrency,
    elapsedS,
    bytesWritten: iterations * 256 * 1024,
    iterations,
    seqComputeMiBps: 3000,
    cpuPercent: 12,
    peakRssBytes: 70_000_000 + repetition,
    coreBusyMeanPercent: [20, 10],
    ...overrides,
  };
}

export function histogramOf(values: number[]): string {
  const hdr = new Hdr();
  for (const value of values) hdr.record(value);
  return hdr.encode();
}

export function serverRecord(
  architecture: string,
  repetition: number,
  rps: number,
  latenciesUs: number[],
): ServerCell {
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    kind: 'server',
    cellKey: `server|${architecture}|w2|t0|hello|c32|d2|node`,
    runtime: 'node@24.21.0',
    status: 'ok',
    verdicts: [],
    pids: [2000 + repetition],
    startedAt: `2026-11-26T12:01:0${repetition}.000Z`,
    repetitions: [repetition],
    monitor: {
      available: true,
      intervalMs: 100,
      durationMs: 2000,
      cores: 2,
      perCore: [
        {
          tMs: 100,
          userPercent: [50, 40],
          systemPercent: [5, 5],
          iowaitPercent: [0, 0],
          idlePercent: [45, 55],
        },
      ],
      tree: [{ tMs: 100, cpuPercent: 120, rssBytes: 60_000_000, processCount: 3 }],
      pids: [2000 + repetition],
      summary: {
        coreBusyMeanPercent: [55, 45],
        coreBusyMaxPercent: [60, 50],
        treeCpuPercent: 120,
        treePeakRssBytes: 60_000_000,
        outsideCpuPercent: 3,
        driverCpuPercent: 40,
      },
      eventLoop: [],
    },
    architecture,
    workers: 2,
    threads: 0,
    endpoint: 'hello',
    protocol: 'http',
    connections: 32,
    rateRps: null,
    durationS: 2,
    requests: latenciesUs.length,
    rpsPerRep: [rps],
    rps,
    rpsStdev: 0,
    latencyUs: { min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 },
    errors: { timeout: repetition },
    serverCpuPercent: 120,
    serverPeakRssBytes: 60_000_000,
    clientCpuPercent: 40,
    servedByPids: [2000 + repetition],
    histogram: histogramOf(latenciesUs),
    timeline: [{ second: 0, requests: latenciesUs.length, errors: 0, p50Us: 100, p99Us: 200 }],
  };
}
