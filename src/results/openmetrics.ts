/**
 * OpenMetrics / Prometheus text exposition of a stored run or one load
 * result, for a node_exporter textfile collector, a Pushgateway or any
 * OpenMetrics scraper. Every metric is a gauge (a measurement, not a
 * counter that grows), in base units (seconds, bytes), with `# HELP` and
 * `# TYPE` before its samples, each family's samples together, and `# EOF`
 * last (OpenMetrics requires it; the Prometheus text format reads it as a
 * comment). Labels: run, cell, kind, architecture, runtime, model, workload
 * and, for latency, percentile.
 */
import type { LoadResult } from '../load/types.ts';
import type { LatencySummaryUs } from '../stats/hdr.ts';
import { mergeRepetitions } from './merge.ts';
import type { CellRecord, RunData } from './record.ts';

type Labels = Record<string, string>;

interface Sample {
  labels: Labels;
  value: number;
}

interface Family {
  name: string;
  help: string;
  samples: Sample[];
}

/** Percentile label value → the summary field holding it. */
const percentileFields: [string, keyof LatencySummaryUs][] = [
  ['50', 'p50'],
  ['90', 'p90'],
  ['95', 'p95'],
  ['99', 'p99'],
  ['99.9', 'p999'],
  ['100', 'max'],
];

function escapeLabelValue(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function sampleLine(name: string, sample: Sample): string {
  const labels = Object.entries(sample.labels)
    .filter(([, value]) => value !== '')
    .map(([key, value]) => `${key}="${escapeLabelValue(value)}"`);
  return `${name}${labels.length > 0 ? `{${labels.join(',')}}` : ''} ${formatValue(sample.value)}`;
}

/** Collects samples per family in first-seen order, so each family prints as one block. */
class Exposition {
  private readonly families = new Map<string, Family>();

  add(name: string, help: string, labels: Labels, value: number | null | undefined): void {
    if (value === null || value === undefined) return;
    let family = this.families.get(name);
    if (!family) {
      family = { name, help, samples: [] };
      this.families.set(name, family);
    }
    family.samples.push({ labels, value });
  }

  latency(name: string, help: string, labels: Labels, summary: LatencySummaryUs): void {
    for (const [percentile, field] of percentileFields)
      this.add(name, help, { ...labels, percentile }, summary[field] / 1e6);
  }

  text(): string {
    const lines: string[] = [];
    for (const family of this.families.values()) {
      lines.push(`# HELP ${family.name} ${family.help.replaceAll('\\', '\\\\').replaceAll('\n', '\\n')}`);
      lines.push(`# TYPE ${family.name} gauge`);
      for (const sample of family.samples) lines.push(sampleLine(family.name, sample));
    }
    lines.push('# EOF');
    return `${lines.join('\n')}\n`;
  }
}

function cellLabels(runId: string, cell: CellRecord): Labels {
  const base = { run: runId, cell: cell.cellKey, kind: cell.kind, runtime: cell.runtime };
  switch (cell.kind) {
    case 'server':
      return { ...base, architecture: cell.architecture, model: '', workload: cell.endpoint };
    case 'batch':
      return { ...base, architecture: '', model: cell.model, workload: cell.workload };
    case 'pipeline':
      return { ...base, architecture: '', model: cell.method, workload: 'pipeline' };
  }
}

/** CPU and peak memory of the measured process tree, which every kind of cell records. */
function addTreeUsage(
  out: Exposition,
  labels: Labels,
  cpuPercent: number | null,
  rssBytes: number | null,
): void {
  out.add('conlab_cell_cpu_percent', 'CPU of the measured process tree, % of one core', labels, cpuPercent);
  out.add(
    'conlab_cell_peak_rss_bytes',
    'Peak resident memory of the measured process tree',
    labels,
    rssBytes,
  );
}

function addCell(out: Exposition, labels: Labels, cell: CellRecord): void {
  out.add(
    'conlab_cell_ok',
    'Whether the cell measured (1) or failed, was skipped or invalid (0)',
    labels,
    cell.status === 'ok' ? 1 : 0,
  );
  if (cell.status !== 'ok') return;
  switch (cell.kind) {
    case 'server':
      out.add(
        'conlab_cell_requests_per_second',
        'Verified replies per second (mean over repetitions)',
        labels,
        cell.rps,
      );
      out.latency(
        'conlab_cell_latency_seconds',
        'Latency at a percentile (open loop: corrected for coordinated omission)',
        labels,
        cell.latencyUs,
      );
      out.add(
        'conlab_cell_errors',
        'Failed or wrong replies in the measured window',
        labels,
        Object.values(cell.errors).reduce((a, b) => a + (b ?? 0), 0),
      );
      addTreeUsage(out, labels, cell.serverCpuPercent, cell.serverPeakRssBytes);
      return;
    case 'batch':
      out.add(
        'conlab_cell_duration_seconds',
        'Mean wall time of the timed section',
        labels,
        cell.durationMs / 1000,
      );
      out.add('conlab_cell_items_per_second', 'Work items completed per second', labels, cell.itemsPerSec);
      out.add('conlab_cell_speedup', 'Sequential duration divided by this duration', labels, cell.speedup);
      addTreeUsage(out, labels, cell.cpuPercent, cell.peakRssBytes);
      return;
    case 'pipeline':
      out.add(
        'conlab_cell_bytes_per_second',
        'Aggregate pipeline throughput',
        labels,
        cell.aggregateMiBps * 1024 * 1024,
      );
      addTreeUsage(out, labels, cell.cpuPercent, cell.peakRssBytes);
  }
}

/** A stored run: one sample per cell and metric (repetitions merged, as every table shows them). */
export function runToOpenMetrics(data: RunData): string {
  const out = new Exposition();
  const runId = data.run.runId;
  out.add(
    'conlab_run_info',
    'A conlab run (value always 1; the labels carry the facts)',
    { run: runId, suite: data.run.suiteName, status: data.run.status },
    1,
  );
  for (const cell of mergeRepetitions(data.cells)) addCell(out, cellLabels(runId, cell), cell);
  return out.text();
}

/**
 * One `conlab load` result. `labels` adds what only the caller knows (say
 * architecture or runtime of the server under test); the target and mode
 * are always there.
 */
export function loadResultToOpenMetrics(result: LoadResult, labels: Labels = {}): string {
  const out = new Exposition();
  const base = { target: result.options.target, mode: result.mode, protocol: result.protocol, ...labels };
  out.add(
    'conlab_load_requests_per_second',
    'Verified replies per second over the measured window',
    base,
    result.rps,
  );
  out.add('conlab_load_requests', 'Verified replies in the measured window', base, result.requests);
  out.add('conlab_load_errors', 'Failed or wrong replies in the measured window', base, result.errorsTotal);
  out.add('conlab_load_duration_seconds', 'Length of the measured window', base, result.durationS);
  out.latency(
    'conlab_load_latency_seconds',
    'Latency at a percentile (open loop: corrected for coordinated omission)',
    base,
    result.latencyUs,
  );
  if (result.latencyUncorrectedUs)
    out.latency(
      'conlab_load_latency_uncorrected_seconds',
      'Latency at a percentile from each actual send time',
      base,
      result.latencyUncorrectedUs,
    );
  out.add(
    'conlab_load_client_cpu_percent',
    'Load generator CPU, % of one core',
    base,
    result.clientCpuPercent,
  );
  return out.text();
}
