/**
 * Latency histograms as an HdrHistogram log (the text format of
 * HistogramLogWriter, read by HistogramLogReader, HdrHistogramVisualizer and
 * every HdrHistogram port): a few `#[...]` header comments, the CSV column
 * line, then one line per histogram —
 *   Tag=<cell>,<start s>,<length s>,<max>,<V2 compressed base64>
 * Values are µs, so the max column (conventionally max ÷ 1000) is in ms.
 */
import { Hdr } from '../stats/hdr.ts';
import { encodeHdrV2CompressedBase64 } from '../stats/hdr-v2.ts';
import { mergeRepetitions } from './merge.ts';
import type { RunData } from './record.ts';
import type { LoadResult } from '../load/types.ts';

export interface HdrLogEntry {
  /** Names the histogram; commas and whitespace become '_' (the format splits on them). */
  tag: string;
  startS: number;
  lengthS: number;
  hdr: Hdr;
}

export function hdrLogText(entries: HdrLogEntry[], startEpochMs: number, comment: string): string {
  const lines = [
    `#[${comment.replace(/[\]\n]/g, ' ')}]`,
    '#[Histogram log format version 1.3]',
    `#[StartTime: ${(startEpochMs / 1000).toFixed(3)} (seconds since epoch), ${new Date(startEpochMs).toISOString()}]`,
    '"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"',
  ];
  for (const entry of entries) {
    const tag = entry.tag.replace(/[,\s]/g, '_');
    lines.push(
      `Tag=${tag},${entry.startS.toFixed(3)},${entry.lengthS.toFixed(3)},${(entry.hdr.max / 1000).toFixed(3)},${encodeHdrV2CompressedBase64(entry.hdr)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Every server cell of a run with its repetitions merged; batch and pipeline cells record no latency histogram. */
export function runToHdrLog(data: RunData): string {
  const startMs = Date.parse(data.run.startedAt);
  const entries: HdrLogEntry[] = [];
  for (const cell of mergeRepetitions(data.cells)) {
    if (cell.kind !== 'server' || cell.status !== 'ok' || cell.histogram === '') continue;
    const cellStartMs = Date.parse(cell.startedAt);
    entries.push({
      tag: cell.cellKey,
      startS: Number.isFinite(cellStartMs) ? Math.max(0, (cellStartMs - startMs) / 1000) : 0,
      lengthS: cell.durationS,
      hdr: Hdr.decode(cell.histogram),
    });
  }
  return hdrLogText(
    entries,
    startMs,
    `conlab run ${data.run.runId}: latency in µs, one histogram per server cell`,
  );
}

/** One load result: the corrected histogram, and the uncorrected one in open loop. */
export function loadResultToHdrLog(result: LoadResult, startEpochMs: number): string {
  const entries: HdrLogEntry[] = [
    { tag: 'latency', startS: 0, lengthS: result.durationS, hdr: Hdr.decode(result.histogram) },
  ];
  if (result.histogramUncorrected)
    entries.push({
      tag: 'latency-uncorrected',
      startS: 0,
      lengthS: result.durationS,
      hdr: Hdr.decode(result.histogramUncorrected),
    });
  return hdrLogText(entries, startEpochMs, `conlab load ${result.options.target}: latency in µs`);
}
