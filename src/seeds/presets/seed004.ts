/**
 * Seed 004: the pooled server. `prefork` (P processes × T threads, made once)
 * against `spawn` (a new process per request, the cost a pool avoids) and
 * `single`, on GET /whoami with 100 concurrent clients for 10 s, reporting
 * what siege reports (transactions/s, failures) and who served: the distinct
 * processes and threads seen in /whoami answers while the load ran.
 */
import type { ArchName } from '../../servers/config.ts';
import { type ServerCellSpec } from '../../servers/driver/run-cell.ts';
import { resolveCellServerConfig } from '../../servers/resolve.ts';
import { fmt, renderTextTable } from '../../core/text-table.ts';
import { fmtMs, pickArchs, plannedCells, presetCsv, resourceColumns, type CellFigures } from './plan.ts';
import { round, type Preset, type PresetContext, type PresetPlan } from './types.ts';

const ARCHS = ['prefork', 'spawn', 'single', 'reuseport-threads'] as const satisfies readonly ArchName[];
type Seed004Arch = (typeof ARCHS)[number];
/** The seed's example forks 4 processes of 64 threads; JS threads are a CPU pool here, so 4 × 4. */
const PREFORK_PROCESSES = 4;
const PREFORK_THREADS = 4;

export const SEED004_CSV_HEADER =
  'server_type,runtime,processes,threads,transactions_per_sec,successful,failures,distinct_processes,distinct_threads,whoami_samples,tree_pids,p50_ms,p99_ms,cpu_percent,memory_mb';

export interface Seed004Row extends CellFigures {
  arch: Seed004Arch;
  workers: number;
  threads: number;
  clients: number;
  distinctProcesses: number;
  /** Distinct (pid, thread) pairs. */
  distinctThreads: number;
  /** How many /whoami answers the distinct counts come from. */
  whoamiSamples: number;
  /** Distinct PIDs the monitor saw in the server's process tree during the load (spawn's children included when caught). */
  treeProcesses: number;
  servedBy: { pid: number; thread: number }[];
}

/** "pid/thread" labels of the record back into numbers. */
function servedByOf(units: readonly string[]): { pid: number; thread: number }[] {
  return units.map((unit) => {
    const [pid = 0, thread = 0] = unit.split('/').map(Number);
    return { pid, thread };
  });
}

function plan(context: PresetContext): PresetPlan {
  const archs = pickArchs(context.archs, ARCHS, ['prefork', 'spawn', 'single', 'reuseport-threads']);
  const clients = context.clients ?? [context.quick ? 20 : 100];
  // spawn starts a runtime per request: even --quick gives it a few seconds to answer at all.
  const durationS = context.durationS ?? (context.quick ? 3 : 10);
  const planned = plannedCells<Pick<Seed004Row, 'arch' | 'clients'>>(context.runtime);
  for (const arch of archs) {
    for (const clientCount of clients) {
      const spec: ServerCellSpec = {
        arch,
        ...(arch === 'prefork' || arch === 'reuseport-threads'
          ? { workers: arch === 'prefork' ? PREFORK_PROCESSES : PREFORK_THREADS }
          : {}),
        ...(arch === 'prefork' ? { threads: PREFORK_THREADS } : {}),
        endpoint: 'whoami',
        connections: clientCount,
        durationS,
        warmupS: 0,
        reps: 1,
        // Who served while the load ran, as the seed's siege run shows it.
        servedByDuringLoad: true,
        timeoutMs: 30_000,
      };
      const config = resolveCellServerConfig(spec);
      const label = `seed004: ${arch} workers=${config.workers} threads=${config.threads} clients=${clientCount} (${durationS} s)`;
      planned.add({ arch, clients: clientCount }, label, spec);
    }
  }
  const runtime = context.runtime.label;
  return {
    settings: { durationS, archs, clients },
    cells: planned.cells,
    report(records) {
      const rows: Seed004Row[] = planned.rows(records, (record) => ({
        workers: record.workers,
        threads: record.threads,
        distinctProcesses: record.servedByPids.length,
        distinctThreads: record.servedByUnits?.length ?? 0,
        whoamiSamples: record.servedBySamples ?? 0,
        treeProcesses: record.pids.length,
        servedBy: servedByOf(record.servedByUnits ?? []),
      }));
      return {
        preset: 'seed004',
        runtime,
        text: renderSeed004(rows, runtime, durationS),
        csv: seed004Csv(rows, runtime),
        json: { preset: 'seed004', runtime, durationS, rows },
        failures: rows.filter((row) => row.status === 'failed').length,
      };
    },
  };
}

export function seed004Csv(rows: Seed004Row[], runtime: string): string {
  return presetCsv(SEED004_CSV_HEADER, rows, (row, rps) => [
    row.arch,
    runtime,
    row.workers,
    row.threads,
    round(rps, 2),
    row.requests,
    row.errors,
    row.distinctProcesses,
    row.distinctThreads,
    row.whoamiSamples,
    row.treeProcesses,
    round(row.p50Ms ?? 0, 3),
    round(row.p99Ms ?? 0, 3),
  ]);
}

function renderSeed004(rows: Seed004Row[], runtime: string, durationS: number): string {
  const table = renderTextTable<Seed004Row>(
    [
      { header: 'server', value: (r) => r.arch },
      { header: 'shape', value: (r) => `${r.workers}x${r.threads}` },
      { header: 'clients', value: (r) => String(r.clients), align: 'right' },
      { header: 'trans/s', value: (r) => fmt.rate(r.rps), align: 'right' },
      { header: 'ok', value: (r) => String(r.requests), align: 'right' },
      { header: 'failures', value: (r) => String(r.errors), align: 'right' },
      { header: 'processes', value: (r) => String(r.distinctProcesses), align: 'right' },
      { header: 'threads', value: (r) => String(r.distinctThreads), align: 'right' },
      { header: 'samples', value: (r) => String(r.whoamiSamples), align: 'right' },
      { header: 'tree pids', value: (r) => String(r.treeProcesses), align: 'right' },
      { header: 'p50', value: (r) => fmtMs(r.p50Ms), align: 'right' },
      { header: 'p99', value: (r) => fmtMs(r.p99Ms), align: 'right' },
      ...resourceColumns<Seed004Row>(),
    ],
    rows,
  );
  const lines = [
    `seed 004 on ${runtime}: GET /whoami, closed loop, ${durationS} s; shape = processes x pool threads`,
    '',
    table,
    'processes / threads: distinct pid and (pid, thread) in the /whoami answers sampled (one at a time, fresh connections)',
    'during the load; samples = how many answers that is. tree pids = distinct PIDs the monitor saw in the server tree.',
    'In JavaScript a prefork pool thread cannot share its process event loop, so /whoami is answered by each',
    "process's main thread (thread=0); the pool threads do /score cpu work. reuseport-threads shows threads that accept.",
  ];
  const prefork = rows.find((r) => r.arch === 'prefork' && r.status === 'ok');
  const spawn = rows.find((r) => r.arch === 'spawn' && r.status === 'ok');
  if (prefork?.rps && spawn?.rps) {
    lines.push(
      '',
      `prefork served ${(prefork.rps / spawn.rps).toFixed(1)}x the transactions/s of spawn (process per request).`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export const seed004: Preset = {
  name: 'seed004',
  seed: '004',
  summary:
    '/whoami: prefork (P×T) vs spawn (process per request) vs single and reuseport-threads, 100 clients, 10 s: trans/s, failures, who served',
  plan,
};
