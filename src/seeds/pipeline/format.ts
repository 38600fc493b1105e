/**
 * Renderers for pipeline results: functions from results to strings.
 * `seed-tsv` is seed 001's own result format (PROTOCOL.md §3), so its plotter
 * can read our runs: per run a `#` header line, then one line of 11
 * tab-separated columns; the plotter reads columns 2, 3, 4 and 11.
 */
import { fmt, renderTextTable, type Column } from '../../core/text-table.ts';
import { methodIsSingleThreaded } from './options.ts';
import type { PipelineRunResult } from './driver.ts';

export const pipelineFormats = ['table', 'json', 'seed-tsv'] as const;
export type PipelineFormat = (typeof pipelineFormats)[number];

export const SEED_TSV_COLUMNS = [
  'runtime_version',
  'gil_enabled',
  'method',
  'concurrency',
  'duration_s',
  'buffer_kib',
  'recv_delay_s',
  'mib_transferred',
  'seq_compute_mibps',
  'elapsed_s',
  'aggregate_mibps',
] as const;

/** Up to `digits` decimals without trailing zeros, as Python prints short floats. */
function decimal(value: number, digits: number): string {
  return String(Number(value.toFixed(digits)));
}

/**
 * One run in the seed's format. A run that did not complete keeps its header
 * and states why in a second comment line, so the plotter (which skips `#`
 * lines) never plots a number that was not measured.
 */
export function renderSeedTsv(result: PipelineRunResult): string {
  const header = `# ${SEED_TSV_COLUMNS.join('\t')}\n`;
  const { options, measurement } = result;
  if (result.status !== 'ok' || measurement === null) {
    return `${header}# ${result.status}: ${options.method} concurrency ${options.concurrency}: ${result.reason ?? 'no result'}\n`;
  }
  const columns = [
    measurement.runtime,
    methodIsSingleThreaded(options.method) ? 'True' : 'False',
    options.method,
    String(options.concurrency),
    decimal(options.durationS, 3),
    decimal(options.bufferKiB, 3),
    decimal(options.recvDelayS, 6),
    decimal(result.mibTransferred ?? 0, 3),
    decimal(measurement.seqComputeMiBps, 3),
    decimal(measurement.elapsedS, 6),
    decimal(result.aggregateMiBps ?? 0, 3),
  ];
  return `${header}${columns.join('\t')}\n`;
}

export function renderPipelineTable(results: PipelineRunResult[]): string {
  // Scaling is stated against concurrency 1 of the same method and runtime, measured in the same run.
  const baseline = new Map<string, number>();
  for (const result of results) {
    if (result.status === 'ok' && result.options.concurrency === 1 && result.aggregateMiBps !== null) {
      baseline.set(`${result.runtime} ${result.options.method}`, result.aggregateMiBps);
    }
  }
  const columns: Column<PipelineRunResult>[] = [
    { header: 'method', value: (r) => r.options.method },
    { header: 'runtime', value: (r) => r.runtime },
    { header: 'pipelines', value: (r) => String(r.options.concurrency), align: 'right' },
    {
      header: 'elapsed',
      value: (r) => fmt.durationMs((r.measurement?.elapsedS ?? Number.NaN) * 1000),
      align: 'right',
    },
    { header: 'MiB', value: (r) => fmt.fixed(r.mibTransferred, 1), align: 'right' },
    { header: 'MiB/s', value: (r) => fmt.fixed(r.aggregateMiBps, 2), align: 'right' },
    { header: 'per pipeline', value: (r) => fmt.fixed(r.perPipelineMiBps, 2), align: 'right' },
    {
      header: 'of bound',
      value: (r) => fmt.percent(r.ofIdeal === null ? null : r.ofIdeal * 100),
      align: 'right',
    },
    {
      header: 'vs 1 pipeline',
      value: (r) => {
        const one = baseline.get(`${r.runtime} ${r.options.method}`);
        return one === undefined || r.aggregateMiBps === null
          ? '-'
          : `${fmt.fixed(r.aggregateMiBps / one, 2)}x`;
      },
      align: 'right',
    },
    { header: 'compute MiB/s', value: (r) => fmt.rate(r.measurement?.seqComputeMiBps), align: 'right' },
    { header: 'CPU', value: (r) => fmt.percent(r.subjectCpuPercent), align: 'right' },
    {
      header: 'cores busy',
      value: (r) =>
        r.coreBusyMeanPercent ? r.coreBusyMeanPercent.map((p) => fmt.percent(p)).join('/') : '-',
      align: 'right',
    },
    { header: 'memory', value: (r) => fmt.bytes(r.subjectPeakRssBytes), align: 'right' },
    { header: 'status', value: (r) => (r.status === 'ok' ? 'ok' : `${r.status}: ${r.reason ?? ''}`) },
  ];
  const notes = [
    '',
    'CPU and memory: the subject process tree (threads and child processes) from the barrier to the end; CPU in % of one core,',
    'cores busy = mean busy % of each core over the same window (whole machine, other tenants included).',
    `bound = pipelines × buffer ÷ receive delay (${fmt.fixed(results[0]?.options.bufferKiB ?? 256, 0)} KiB per ${fmt.fixed(results[0]?.options.recvDelayS ?? 0.1, 3)} s per pipeline)`,
  ];
  return `${renderTextTable(columns, results)}${notes.join('\n')}\n`;
}

/** JSON: every run with its resolved options, raw measurement and derived rates (the monitor's timelines are in the store). */
export function renderPipelineJson(results: PipelineRunResult[]): string {
  const runs = results.map(({ monitor: _monitor, ...run }) => run);
  return `${JSON.stringify({ kind: 'pipeline', schemaVersion: 1, runs }, null, 2)}\n`;
}
