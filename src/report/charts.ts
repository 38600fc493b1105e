/**
 * Chart specifications (Vega-Lite) built from report rows. Pure functions:
 * rows in, specs out; src/report/svg.ts renders them. Each chart is one
 * group of comparable cells (same kind, workload and runtime), so no chart
 * mixes numbers that must not be compared. Colours are fixed per model or
 * architecture across every chart of a report.
 */
import type { TopLevelSpec } from 'vega-lite';
import { baselineFirst, type ReportRow } from './rows.ts';

export interface ChartSpec {
  /** Stable, file-name-safe identifier (the figure's file name). */
  id: string;
  title: string;
  /** One or two sentences under the chart: what it shows and how to read it. */
  caption: string;
  /** Which section of the report it belongs to. */
  section: 'capacity' | 'throughput' | 'latency' | 'scaling' | 'cpu' | 'memory';
  spec: TopLevelSpec;
}

/** Tableau 10, yellow moved last: it is hard to see on white. */
export const palette = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#b07aa1',
  '#9c755f',
  '#ff9da7',
  '#bab0ac',
  '#edc948',
];

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

const font = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';

export const config = {
  font,
  background: 'white',
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start' as const },
  header: { labelFontSize: 12, titleFontSize: 12 },
  view: { stroke: '#cccccc' },
};

export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

type Kind = ReportRow['kind'];

/** What each kind's throughput is counted in, what its level is and what its subjects are called. */
const kindWords: Record<Kind, { unit: string; level: string; subject: string }> = {
  batch: { unit: 'items/s', level: 'concurrency', subject: 'model' },
  server: { unit: 'verified req/s', level: 'connections', subject: 'architecture' },
  pipeline: { unit: 'MiB/s written', level: 'pipelines', subject: 'method' },
};

interface Group {
  kind: Kind;
  workload: string;
  runtime: string;
  rows: ReportRow[];
}

/** Cells that may share a chart: same kind, workload and runtime, with at least one ok repetition. */
export function chartGroups(rows: readonly ReportRow[]): Group[] {
  const groups = new Map<string, Group>();
  for (const row of rows) {
    if (row.okReps === 0) continue;
    const key = `${row.kind}|${row.workload}|${row.runtime}`;
    const group = groups.get(key) ?? {
      kind: row.kind,
      workload: row.workload,
      runtime: row.runtime,
      rows: [],
    };
    group.rows.push(row);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** Model/architecture → colour, the same in every chart of one report. */
export function colourScale(rows: readonly ReportRow[]) {
  const domain = [...new Set(rows.map((row) => row.subject))].sort();
  return { domain, range: domain.map((_, i) => palette[i % palette.length] ?? '#333333') };
}

type Scale = ReturnType<typeof colourScale>;

/** The global colours, with the legend listing only the subjects this chart shows. */
function colourFor(scale: Scale, subjects: readonly string[], title: string) {
  return {
    field: 'subject',
    type: 'nominal' as const,
    title,
    scale,
    legend: { values: scale.domain.filter((subject) => subjects.includes(subject)) },
  };
}

function subjectsOf(rows: readonly ReportRow[]): string[] {
  return [...new Set(rows.map((row) => row.subject))].sort();
}

function groupTitle(group: Group): string {
  return `${group.workload} on ${group.runtime}`;
}

/** The mean throughput and its interval, as a bar and its whisker show them. */
function clippedThroughput(row: ReportRow): { mean: number; low: number | null; high: number | null } {
  return {
    mean: row.throughput.mean,
    // A throughput cannot be negative; a t interval from 2-3 noisy repetitions can. Clip the whisker, not the number.
    low: row.throughput.low === null ? null : Math.max(0, row.throughput.low),
    high: row.throughput.high,
  };
}

/** A bar of the mean per data point with its interval as an error bar (drawn only where there is one). */
function barsWithWhiskers(
  unit: string,
  whisker: { ticks: { size: number }; color?: string; thickness: number },
) {
  return [
    {
      mark: { type: 'bar' as const, tooltip: true },
      encoding: { y: { field: 'mean', type: 'quantitative' as const, title: unit } },
    },
    {
      transform: [{ filter: 'datum.low != null && datum.high != null' }],
      mark: { type: 'errorbar' as const, ...whisker },
      encoding: { y: { field: 'low', type: 'quantitative' as const, title: unit }, y2: { field: 'high' } },
    },
  ];
}

function throughputChart(group: Group, scale: Scale): ChartSpec {
  const words = kindWords[group.kind];
  const values = group.rows.map((row) => ({
    subject: row.subject,
    level: row.level,
    ...clippedThroughput(row),
    reps: row.okReps,
  }));
  const subjects = subjectsOf(group.rows);
  const levelTitle = group.rows[0]?.levelLabel.startsWith('rate') ? 'target rate (req/s)' : words.level;
  const unit = words.unit;
  return {
    id: `throughput-${group.kind}-${slug(group.workload)}-${slug(group.runtime)}`,
    title: `Throughput vs ${levelTitle}: ${groupTitle(group)}`,
    caption: `Mean ${unit} over the ok repetitions; whiskers are the 95% confidence interval of the mean (none with one repetition; clipped at 0).`,
    section: 'throughput',
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      config,
      title: `Throughput vs ${levelTitle}`,
      data: { values },
      // With xOffset the step is per bar, not per level.
      width: { step: 18 },
      height: 260,
      encoding: {
        x: { field: 'level', type: 'ordinal', title: levelTitle, axis: { labelAngle: 0 } },
        xOffset: { field: 'subject', type: 'nominal', scale: { domain: subjects } },
        color: colourFor(scale, subjects, words.subject),
      },
      layer: barsWithWhiskers(unit, { ticks: { size: 6 }, color: '#222222', thickness: 1.2 }),
    },
  };
}

const runtimePalette = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#b07aa1'];

/**
 * The runtime question on one axis: for a workload measured on several
 * runtimes, each configuration (model/architecture at a level) with one bar
 * per runtime. Separate per-runtime charts would have separate y scales.
 */
function runtimeChart(kind: Kind, workload: string, rows: ReportRow[]): ChartSpec | null {
  const runtimes = [...new Set(rows.map((row) => row.runtime))].sort();
  if (runtimes.length < 2) return null;
  const words = kindWords[kind];
  const values = rows.map((row) => ({
    config: `${row.subject} ${row.levelLabel}`,
    runtime: row.runtime,
    ...clippedThroughput(row),
  }));
  const configs = [
    ...new Set(
      rows
        .toSorted(
          (a, b) =>
            baselineFirst(a) - baselineFirst(b) || a.subject.localeCompare(b.subject) || a.level - b.level,
        )
        .map((row) => `${row.subject} ${row.levelLabel}`),
    ),
  ];
  const unit = words.unit;
  return {
    id: `runtimes-${kind}-${slug(workload)}`,
    title: `Runtimes compared: ${workload}`,
    caption: `Mean ${unit} of each ${words.subject} on each runtime, same workload, same run; whiskers are 95% intervals (clipped at 0).`,
    section: 'throughput',
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      config,
      title: 'Throughput by runtime',
      data: { values },
      width: { step: 14 },
      height: 260,
      encoding: {
        x: { field: 'config', type: 'nominal', title: null, sort: configs, axis: { labelAngle: -30 } },
        xOffset: { field: 'runtime', type: 'nominal', scale: { domain: runtimes } },
        color: {
          field: 'runtime',
          type: 'nominal',
          title: 'runtime',
          scale: {
            domain: runtimes,
            range: runtimes.map((_, i) => runtimePalette[i % runtimePalette.length] ?? '#333333'),
          },
        },
      },
      layer: barsWithWhiskers(unit, { ticks: { size: 5 }, thickness: 1.2 }),
    },
  };
}

function speedupChart(group: Group, scale: Scale, cores: number): ChartSpec | null {
  const rows = group.rows.filter((row) => row.speedup !== null);
  if (rows.length === 0) return null;
  const values = rows.map((row) => ({
    subject: row.subject,
    level: row.level,
    workers: row.workers,
    speedup: row.speedup,
    low: row.speedupLow,
    high: row.speedupHigh,
    efficiency: row.efficiency,
  }));
  const levels = [...new Set(rows.map((row) => row.level))].sort((a, b) => a - b);
  const subjects = subjectsOf(rows);
  const ideal = levels.map((level) => ({ level, ideal: level, coreLimit: Math.min(level, cores), one: 1 }));
  const xEncoding = {
    field: 'level',
    type: 'quantitative' as const,
    title: 'concurrency',
    scale: { type: 'log' as const, base: 2, domain: [levels[0] ?? 1, levels.at(-1) ?? 1], nice: false },
    axis: { values: levels, format: 'd' },
  };
  const reference = (field: 'ideal' | 'coreLimit' | 'one', strokeDash: number[]) => ({
    data: { values: ideal },
    mark: { type: 'line' as const, color: '#888888', strokeDash },
    encoding: { x: xEncoding, y: { field, type: 'quantitative' as const } },
  });
  const lines = (field: 'speedup' | 'efficiency', title: string) => ({
    mark: { type: 'line' as const, point: { size: 50, filled: true }, tooltip: true },
    encoding: {
      x: xEncoding,
      y: { field, type: 'quantitative' as const, title },
      color: colourFor(scale, subjects, 'model'),
    },
  });
  return {
    id: `speedup-${slug(group.workload)}-${slug(group.runtime)}`,
    title: `Speedup and parallel efficiency: ${groupTitle(group)}`,
    caption: `Speedup = mean sequential time / mean time (whiskers: 95% interval). Grey dashed: ideal linear speedup; grey dotted: the ${cores}-core limit. Efficiency = speedup / workers running JavaScript at once; 1.0 is ideal.`,
    section: 'scaling',
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      config,
      hconcat: [
        {
          title: 'Speedup vs sequential',
          width: 280,
          height: 240,
          layer: [
            reference('ideal', [6, 4]),
            reference('coreLimit', [2, 3]),
            { data: { values }, ...lines('speedup', 'speedup (x)') },
            {
              data: { values },
              transform: [{ filter: 'datum.low != null && datum.high != null' }],
              mark: { type: 'rule' },
              encoding: {
                x: xEncoding,
                y: { field: 'low', type: 'quantitative' },
                y2: { field: 'high' },
                color: colourFor(scale, subjects, 'model'),
              },
            },
          ],
        },
        {
          title: 'Parallel efficiency',
          width: 280,
          height: 240,
          layer: [
            reference('one', [6, 4]),
            {
              data: { values },
              ...lines('efficiency', 'efficiency (speedup / workers)'),
            },
          ],
        },
      ],
    },
  };
}

function memoryChart(group: Group, scale: Scale): ChartSpec | null {
  const rows = group.rows.filter((row) => row.peakRssBytes !== null && row.peakRssBytes > 0);
  if (rows.length === 0) return null;
  const words = kindWords[group.kind];
  const subjects = subjectsOf(rows);
  const values = rows.map((row) => ({
    subject: row.subject,
    level: row.level,
    rssMiB: (row.peakRssBytes ?? 0) / 1024 ** 2,
  }));
  return {
    id: `memory-${group.kind}-${slug(group.workload)}-${slug(group.runtime)}`,
    title: `Peak memory: ${groupTitle(group)}`,
    caption:
      'Peak resident memory (RSS) of the whole process tree of the subject: every worker process counts.',
    section: 'memory',
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      config,
      title: 'Peak RSS of the process tree',
      data: { values },
      // With xOffset the step is per bar, not per level.
      width: { step: 18 },
      height: 220,
      mark: { type: 'bar', tooltip: true },
      encoding: {
        x: {
          field: 'level',
          type: 'ordinal',
          title: words.level,
          axis: { labelAngle: 0 },
        },
        xOffset: { field: 'subject', type: 'nominal', scale: { domain: subjects } },
        y: { field: 'rssMiB', type: 'quantitative', title: 'peak RSS (MiB)' },
        color: colourFor(scale, subjects, words.subject),
      },
    },
  };
}

const percentileOrder = ['p50', 'p95', 'p99', 'max'];

function latencyPercentilesChart(group: Group): ChartSpec | null {
  const rows = group.rows.filter((row) => row.latencyUs !== null);
  if (rows.length === 0) return null;
  const values = rows.map((row) => ({
    subject: row.subject,
    load: row.levelLabel,
    level: row.level,
    p50: (row.latencyUs?.p50 ?? 0) / 1000,
    p95: (row.latencyUs?.p95 ?? 0) / 1000,
    p99: (row.latencyUs?.p99 ?? 0) / 1000,
    max: (row.latencyUs?.max ?? 0) / 1000,
  }));
  const y = { type: 'quantitative' as const, title: 'latency (ms)', scale: { type: 'log' as const } };
  return {
    id: `latency-${slug(group.workload)}-${slug(group.runtime)}`,
    title: `Latency percentiles: ${groupTitle(group)}`,
    caption:
      'A ladder per architecture and load level: p50, p95, p99 and max latency (last repetition; open loop corrected for coordinated omission). Log scale: a long ladder is a long tail.',
    section: 'latency',
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      config,
      title: 'Latency percentiles',
      data: { values },
      facet: {
        column: { field: 'load', type: 'ordinal', title: null, sort: { field: 'level', op: 'min' } },
      },
      spec: {
        width: { step: 70 },
        height: 240,
        // Bars cannot start at 0 on a log scale; a rule from p50 to max with a dot per percentile reads better anyway.
        layer: [
          {
            mark: { type: 'rule', color: '#999999', strokeWidth: 2 },
            encoding: {
              x: { field: 'subject', type: 'nominal', title: null, axis: { labelAngle: -30 } },
              y: { field: 'p50', ...y },
              y2: { field: 'max' },
            },
          },
          {
            transform: [{ fold: [...percentileOrder], as: ['percentile', 'ms'] }],
            mark: { type: 'point', filled: true, size: 80, opacity: 1, tooltip: true },
            encoding: {
              x: { field: 'subject', type: 'nominal', title: null },
              y: { field: 'ms', ...y },
              color: {
                field: 'percentile',
                type: 'ordinal',
                title: 'percentile',
                scale: { domain: percentileOrder, range: ['#6baed6', '#2171b5', '#08306b', '#d94801'] },
              },
              shape: {
                field: 'percentile',
                type: 'nominal',
                scale: { domain: percentileOrder, range: ['circle', 'square', 'diamond', 'triangle-up'] },
              },
            },
          },
        ],
      },
    },
  };
}

function latencyOverTimeChart(group: Group, scale: Scale): ChartSpec | null {
  const rows = group.rows.filter((row) => (row.serverTimeline?.length ?? 0) > 0);
  if (rows.length === 0) return null;
  const values = rows.flatMap((row) =>
    (row.serverTimeline ?? []).flatMap((point) =>
      (['p50', 'p99'] as const).map((percentile) => ({
        subject: row.subject,
        load: row.levelLabel,
        level: row.level,
        second: point.second + 0.5,
        percentile,
        ms: (percentile === 'p50' ? point.p50Us : point.p99Us) / 1000,
      })),
    ),
  );
  return {
    id: `latency-time-${slug(group.workload)}-${slug(group.runtime)}`,
    title: `Latency over time: ${groupTitle(group)}`,
    caption:
      'p99 (solid) and p50 (dashed) of each second of the last repetition. A rising line is a queue building up; spikes are pauses (GC, a busy core).',
    section: 'latency',
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      config,
      title: 'Latency over time',
      data: { values },
      facet: { column: { field: 'load', type: 'ordinal', title: null, sort: { field: 'level', op: 'min' } } },
      spec: {
        width: 260,
        height: 200,
        mark: { type: 'line', point: false, tooltip: true },
        encoding: {
          x: { field: 'second', type: 'quantitative', title: 'seconds into the measured window' },
          y: { field: 'ms', type: 'quantitative', title: 'latency (ms)', scale: { type: 'log' } },
          color: colourFor(scale, subjectsOf(rows), 'architecture'),
          strokeDash: {
            field: 'percentile',
            type: 'nominal',
            title: 'percentile',
            scale: {
              domain: ['p99', 'p50'],
              range: [
                [1, 0],
                [4, 3],
              ],
            },
          },
        },
      },
    },
  };
}

/** The throughput during the monitored window, when the record carries it, as (start s, end s, rate/s). */
function unshiftedTimeline(row: ReportRow): { t0: number; t1: number; rate: number }[] {
  if (row.serverTimeline) {
    // Point k covers [k, k+1) s of the measured window; the last one may be a partial second ending at the duration.
    const endS = row.durationMs === null ? Infinity : row.durationMs / 1000;
    return row.serverTimeline.flatMap((point) => {
      const t0 = point.second;
      const t1 = Math.min(point.second + 1, Math.max(endS, t0 + 0.05));
      return [{ t0, t1, rate: point.requests / (t1 - t0) }];
    });
  }
  if (row.batchProgress && row.batchProgress.length > 0) {
    // Slow items complete a few per second: per-100 ms slices would be a comb of spikes. Sum them into at
    // most 25 equal bins over the window, so a bar is a rate a reader can compare.
    const endMs = Math.max(...row.batchProgress.map((point) => point.tMs));
    if (!(endMs > 0)) return [];
    const bins = Math.min(25, row.batchProgress.length);
    const binMs = endMs / bins;
    const items = new Array<number>(bins).fill(0);
    for (const point of row.batchProgress) {
      const index = Math.min(bins - 1, Math.max(0, Math.ceil(point.tMs / binMs) - 1));
      items[index] = (items[index] ?? 0) + point.items;
    }
    return items.map((count, i) => ({
      t0: (i * binMs) / 1000,
      t1: ((i + 1) * binMs) / 1000,
      rate: (count * 1000) / binMs,
    }));
  }
  return [];
}

/** The throughput slices on the monitor's clock (shifted by the record's offset when it gives one). */
function throughputTimeline(row: ReportRow): { t0: number; t1: number; rate: number }[] {
  const shiftS = (row.timelineOffsetMs ?? 0) / 1000;
  return unshiftedTimeline(row).map((slice) => ({ ...slice, t0: slice.t0 + shiftS, t1: slice.t1 + shiftS }));
}

export function cellLabel(row: ReportRow): string {
  return `${row.subject} ${row.levelLabel} · ${row.workload} · ${row.runtime}`;
}

/**
 * The per-core CPU heat map of one cell over time, with the process tree's
 * CPU and the cell's throughput underneath on the same time axis: if
 * throughput stalls while a core sits idle, this is where it shows.
 */
export function heatmapChart(row: ReportRow): ChartSpec | null {
  const monitor = row.monitor;
  if (!monitor?.available || monitor.perCore.length === 0) return null;
  const cells: { t0: number; t1: number; core: string; busy: number; user: number; system: number }[] = [];
  let previous = 0;
  for (const sample of monitor.perCore) {
    const t1 = sample.tMs / 1000;
    const t0 = previous;
    previous = t1;
    for (let core = 0; core < monitor.cores; core++) {
      const user = sample.userPercent[core] ?? 0;
      const system = sample.systemPercent[core] ?? 0;
      const busy = 100 - (sample.idlePercent[core] ?? 0) - (sample.iowaitPercent[core] ?? 0);
      // One decimal is what a tooltip needs; the raw numbers stay in the store.
      const round = (value: number) => Math.round(value * 10) / 10;
      cells.push({
        t0,
        t1,
        core: `cpu${core}`,
        busy: round(Math.max(0, Math.min(100, busy))),
        user: round(user),
        system: round(system),
      });
    }
  }
  const coreOrder = Array.from({ length: monitor.cores }, (_, i) => `cpu${i}`);
  let treePrevious = 0;
  const tree = monitor.tree.map((sample) => {
    const slice = { t0: treePrevious, t1: sample.tMs / 1000, cpu: sample.cpuPercent };
    treePrevious = slice.t1;
    return slice;
  });
  const timeline = throughputTimeline(row);
  const endS = Math.max(monitor.durationMs / 1000, previous, ...timeline.map((slice) => slice.t1));
  const x = { type: 'quantitative' as const, scale: { domain: [0, endS], nice: false } };
  const width = 520;
  const panels: NonNullable<Extract<TopLevelSpec, { vconcat: unknown }>['vconcat']> = [
    {
      // Named so that tests and styles can find the heat map's marks (class "cpu_heatmap_marks").
      name: 'cpu_heatmap',
      title: { text: 'per-core CPU busy %', fontSize: 11 },
      width,
      height: Math.max(40, Math.min(16 * monitor.cores, 260)),
      data: { values: cells },
      mark: { type: 'rect', tooltip: true },
      encoding: {
        x: { field: 't0', ...x, title: null },
        x2: { field: 't1' },
        y: { field: 'core', type: 'ordinal', title: null, sort: coreOrder },
        color: {
          field: 'busy',
          type: 'quantitative',
          title: 'busy %',
          scale: { scheme: 'inferno', domain: [0, 100], reverse: false },
          legend: { orient: 'right', gradientLength: 60, direction: 'vertical' },
        },
      },
    },
    {
      title: {
        text: `process tree CPU % (100 = one core; ${monitor.cores} cores = ${monitor.cores * 100})`,
        fontSize: 11,
      },
      width,
      height: 70,
      data: { values: tree },
      mark: { type: 'rect', color: '#4c78a8', tooltip: true },
      encoding: {
        x: { field: 't0', ...x, title: timeline.length > 0 ? null : 'seconds into the measured window' },
        x2: { field: 't1' },
        y: {
          field: 'cpu',
          type: 'quantitative',
          title: 'cpu %',
          scale: { domain: [0, Math.max(100, monitor.cores * 100)] },
        },
      },
    },
  ];
  if (timeline.length > 0) {
    panels.push({
      title: {
        text: `throughput (${row.throughputUnit})${row.timelineOffsetMs === null ? ', start aligned approximately (offset not recorded)' : ''}`,
        fontSize: 11,
      },
      width,
      height: 70,
      data: { values: timeline },
      mark: { type: 'rect', color: '#59a14f', tooltip: true },
      encoding: {
        x: { field: 't0', ...x, title: 'seconds into the measured window' },
        x2: { field: 't1' },
        y: { field: 'rate', type: 'quantitative', title: row.throughputUnit },
      },
    });
  }
  return {
    id: `cpu-heatmap-${slug(`${row.kind} ${row.subject} ${row.levelLabel} ${row.workload} ${row.runtime}`)}`,
    title: `CPU per core: ${cellLabel(row)}`,
    caption: `Each row is a core, each column a ${monitor.intervalMs} ms sample; bright = busy. Underneath, on the same time axis: the subject's process-tree CPU${timeline.length > 0 ? ' and its throughput' : ''} (last repetition).`,
    section: 'cpu',
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      config: { ...config, concat: { spacing: 8 } },
      vconcat: panels,
      resolve: { scale: { x: 'shared', color: 'independent' } },
    },
  };
}

/** Every chart of a report, in reading order. */
export function allCharts(rows: readonly ReportRow[], cores: number): ChartSpec[] {
  const scale = colourScale(rows);
  const groups = chartGroups(rows);
  const charts: ChartSpec[] = [];
  for (const group of groups) charts.push(throughputChart(group, scale));
  const byWorkload = new Map<string, ReportRow[]>();
  for (const group of groups) {
    const key = `${group.kind}|${group.workload}`;
    byWorkload.set(key, [...(byWorkload.get(key) ?? []), ...group.rows]);
  }
  for (const [key, workloadRows] of byWorkload) {
    const kind = workloadRows[0]?.kind ?? 'batch';
    const chart = runtimeChart(kind, key.slice(kind.length + 1), workloadRows);
    if (chart) charts.push(chart);
  }
  for (const group of groups.filter((g) => g.kind === 'server')) {
    const percentiles = latencyPercentilesChart(group);
    if (percentiles) charts.push(percentiles);
    const overTime = latencyOverTimeChart(group, scale);
    if (overTime) charts.push(overTime);
  }
  for (const group of groups.filter((g) => g.kind === 'batch')) {
    const speedup = speedupChart(group, scale, cores);
    if (speedup) charts.push(speedup);
  }
  for (const row of rows) {
    if (row.okReps === 0) continue;
    const heatmap = heatmapChart(row);
    if (heatmap) charts.push(heatmap);
  }
  for (const group of groups) {
    const memory = memoryChart(group, scale);
    if (memory) charts.push(memory);
  }
  return charts;
}
