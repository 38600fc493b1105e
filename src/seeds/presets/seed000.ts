/**
 * Seed 000: TCP servers under the seed's client (a new connection per
 * request sending `ping`), in echo and compute modes, across architectures,
 * server sizes and client counts; the seed controller's CSV with CPU and
 * memory of the server's whole process tree from the monitor.
 */
import type { ArchName } from '../../servers/config.ts';
import { DEFAULT_SPIN_ITERS } from '../../servers/subject/work/compute.ts';
import { fmt, renderTextTable } from '../../core/text-table.ts';
import { fmtMs, pickArchs, plannedCells, presetCsv, resourceColumns, type CellFigures } from './plan.ts';
import { round, type Preset, type PresetContext, type PresetPlan } from './types.ts';

const ARCHS = ['single', 'offload', 'reuseport', 'prefork'] as const satisfies readonly ArchName[];
type Seed000Arch = (typeof ARCHS)[number];
const MODES = ['echo', 'compute'] as const;
/** Pool threads per prefork process (the server lab's default). */
const PREFORK_THREADS = 2;

export const SEED000_CSV_HEADER =
  'server_type,runtime,server_threads,client_threads,requests_per_sec,cpu_percent,memory_mb';

export interface Seed000Row extends CellFigures {
  mode: (typeof MODES)[number];
  arch: Seed000Arch;
  workers: number;
  threads: number;
  /** What serves: 1 loop (single), T pool threads (offload), P processes (reuseport), P×T (prefork). */
  serverThreads: number;
  clients: number;
}

function serverShape(
  arch: Seed000Arch,
  n: number,
): { workers: number; threads: number; serverThreads: number } {
  switch (arch) {
    case 'single':
      return { workers: 1, threads: 0, serverThreads: 1 };
    case 'offload':
      return { workers: 1, threads: n, serverThreads: n };
    case 'reuseport':
      return { workers: n, threads: 0, serverThreads: n };
    case 'prefork':
      return { workers: n, threads: PREFORK_THREADS, serverThreads: n * PREFORK_THREADS };
  }
}

type Seed000Identity = Omit<Seed000Row, keyof CellFigures>;

function plan(context: PresetContext): PresetPlan {
  const archs = pickArchs(context.archs, ARCHS, ARCHS);
  const sizes = context.quick ? [2] : [1, 2, 4];
  const clients = context.clients ?? (context.quick ? [4] : [1, 8, 32]);
  const durationS = context.durationS ?? (context.quick ? 1 : 5);
  const warmupS = context.quick ? 0 : 1;
  const planned = plannedCells<Seed000Identity>(context.runtime);
  for (const mode of MODES) {
    for (const arch of archs) {
      const shapes = arch === 'single' ? [serverShape(arch, 1)] : sizes.map((n) => serverShape(arch, n));
      for (const shape of shapes) {
        for (const clientCount of clients) {
          planned.add(
            { mode, arch, ...shape, clients: clientCount },
            `seed000: ${mode} ${arch} workers=${shape.workers} threads=${shape.threads} clients=${clientCount} (${durationS} s)`,
            {
              arch,
              workers: shape.workers,
              ...(shape.threads === 0 ? {} : { threads: shape.threads }),
              endpoint: mode === 'echo' ? 'tcp-echo' : 'tcp-compute',
              spinIters: DEFAULT_SPIN_ITERS,
              connections: clientCount,
              durationS,
              warmupS,
              reps: 1,
              // The seed's client: a new connection for every 'ping'.
              connectionPerRequest: true,
              timeoutMs: 60_000,
            },
          );
        }
      }
    }
  }
  const runtime = context.runtime.label;
  return {
    settings: { durationS, warmupS, spinIters: DEFAULT_SPIN_ITERS, archs, sizes, clients },
    cells: planned.cells,
    report(records) {
      const rows: Seed000Row[] = planned.rows(records, () => ({}));
      return {
        preset: 'seed000',
        runtime,
        text: renderSeed000(rows, runtime),
        csv: seed000Csv(rows, runtime),
        json: { preset: 'seed000', runtime, durationS, warmupS, spinIters: DEFAULT_SPIN_ITERS, rows },
        failures: rows.filter((row) => row.status === 'failed').length,
      };
    },
  };
}

/** The seed controller's columns; `server_type` carries the mode (`reuseport-compute`) since one file holds both. */
export function seed000Csv(rows: Seed000Row[], runtime: string): string {
  return presetCsv(SEED000_CSV_HEADER, rows, (row, rps) => [
    `${row.arch}-${row.mode}`,
    runtime,
    row.serverThreads,
    row.clients,
    round(rps, 2),
  ]);
}

function renderSeed000(rows: Seed000Row[], runtime: string): string {
  const table = renderTextTable<Seed000Row>(
    [
      { header: 'mode', value: (r) => r.mode },
      { header: 'server_type', value: (r) => r.arch },
      {
        header: 'shape',
        value: (r) => (r.arch === 'prefork' ? `${r.workers}x${r.threads}` : String(r.serverThreads)),
      },
      { header: 'clients', value: (r) => String(r.clients), align: 'right' },
      { header: 'req/s', value: (r) => fmt.rate(r.rps), align: 'right' },
      { header: 'p50', value: (r) => fmtMs(r.p50Ms), align: 'right' },
      { header: 'p99', value: (r) => fmtMs(r.p99Ms), align: 'right' },
      { header: 'errors', value: (r) => String(r.errors), align: 'right' },
      ...resourceColumns<Seed000Row>(),
    ],
    rows,
  );
  const lines = [
    `seed 000 on ${runtime}: new TCP connection per request ('ping'); compute = ${DEFAULT_SPIN_ITERS} loop steps per reply`,
    '',
    table,
  ];
  for (const mode of MODES) {
    const single = best(rows, mode, 'single');
    for (const arch of ARCHS) {
      if (arch === 'single') continue;
      const other = best(rows, mode, arch);
      if (!single?.rps || !other?.rps) continue;
      lines.push(
        `${mode}: best ${arch} (${other.serverThreads} serving, ${other.clients} client${other.clients === 1 ? '' : 's'}) ${fmt.rate(other.rps)} req/s = ${(other.rps / single.rps).toFixed(2)}x best single (${fmt.rate(single.rps)} req/s)`,
      );
    }
  }
  lines.push(
    '',
    'CPU is the server process tree in % of one core (200% = two cores); memory is its peak RSS.',
  );
  return `${lines.join('\n')}\n`;
}

function best(rows: Seed000Row[], mode: string, arch: string): Seed000Row | undefined {
  return rows
    .filter((row) => row.mode === mode && row.arch === arch && row.status === 'ok' && row.rps !== null)
    .sort((a, b) => (b.rps ?? 0) - (a.rps ?? 0))[0];
}

export const seed000: Preset = {
  name: 'seed000',
  seed: '000',
  summary:
    'TCP echo/compute servers: single, offload, reuseport, prefork × server size × clients (CSV like the seed controller)',
  plan,
};
