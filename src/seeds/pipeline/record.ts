/**
 * A pipeline run as a result record (`kind: pipeline`, src/results/record.ts):
 * the key it is stored under, the empty record a run that never measured is
 * built from, and the record of a finished run. Units are converted here,
 * once; the seed's own formats (format.ts) keep reading the run result.
 */
import { cellVerdicts } from '../../monitor/verdicts.ts';
import { newCellBase, type PipelineCell } from '../../results/record.ts';
import type { PipelineRunResult } from './driver.ts';
import { idealPipelineMiBps, methodIsSingleThreaded, type PipelineOptions } from './options.ts';

/** Stable across runs and runtime updates (the runtime by the name the user gave), like every cell key. */
export function pipelineCellKey(options: PipelineOptions, runtimeName: string): string {
  return `pipeline|${options.method}|n${options.concurrency}|d${options.durationS}|b${options.bufferKiB}|r${options.recvDelayS}|${runtimeName}`;
}

export function emptyPipelineCell(
  options: PipelineOptions,
  cellKey: string,
  runtime: string,
  startedAt?: string,
): PipelineCell {
  return {
    ...newCellBase(cellKey, runtime, startedAt),
    kind: 'pipeline',
    method: options.method,
    singleThreaded: methodIsSingleThreaded(options.method),
    concurrency: options.concurrency,
    durationS: options.durationS,
    bufferKiB: options.bufferKiB,
    recvDelayS: options.recvDelayS,
    aggregateMiBpsPerRep: [],
    aggregateMiBps: 0,
    aggregateMiBpsStdev: 0,
    perPipelineMiBps: 0,
    idealMiBps: idealPipelineMiBps(options) * options.concurrency,
    elapsedS: 0,
    bytesWritten: 0,
    iterations: 0,
    seqComputeMiBps: 0,
    cpuPercent: null,
    peakRssBytes: null,
    coreBusyMeanPercent: null,
  };
}

/** The record of one pipeline run: ok with its figures, or failed/skipped with the reason and no numbers. */
export function pipelineCellOf(result: PipelineRunResult, cellKey: string, startedAt: string): PipelineCell {
  const empty = emptyPipelineCell(result.options, cellKey, result.runtime, startedAt);
  const { measurement, aggregateMiBps } = result;
  if (result.status !== 'ok' || measurement === null || aggregateMiBps === null) {
    return { ...empty, status: result.status, reason: result.reason ?? 'no measurement' };
  }
  return {
    ...empty,
    verdicts: result.monitor ? cellVerdicts({ monitor: result.monitor }) : [],
    pids: [...new Set([...measurement.pids, ...result.monitorPids])].sort((a, b) => a - b),
    repetitions: [0],
    ...(result.monitor ? { monitor: result.monitor, measuredOffsetMs: 0 } : {}),
    aggregateMiBpsPerRep: [aggregateMiBps],
    aggregateMiBps,
    perPipelineMiBps: result.perPipelineMiBps ?? 0,
    elapsedS: measurement.elapsedS,
    bytesWritten: measurement.bytesWritten,
    iterations: measurement.pipelines.reduce((sum, tally) => sum + tally.iterations, 0),
    seqComputeMiBps: measurement.seqComputeMiBps,
    cpuPercent: result.subjectCpuPercent,
    peakRssBytes: result.subjectPeakRssBytes,
    coreBusyMeanPercent: result.coreBusyMeanPercent,
  };
}
