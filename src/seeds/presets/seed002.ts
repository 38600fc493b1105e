/**
 * Seed 002: POST /score, cpu (SHA-256 chain of 80k, 150k, 300k links) and
 * io (SQLite KV GET), on one event loop (`single`, the seed's asyncio), an
 * event loop with a thread pool (`offload`, the seed's threads) and the
 * multi-process architectures (`cluster`, `reuseport`, `prefork`, the seed's
 * multiprocessing), at rising concurrency: throughput and p50/p95/p99, and a
 * computed answer to the seed's two questions.
 */
import type { ArchName } from '../../servers/config.ts';
import { fmt, renderTextTable } from '../../core/text-table.ts';
import { fmtMs, pickArchs, plannedCells, presetCsv, resourceColumns, type CellFigures } from './plan.ts';
import { round, type Preset, type PresetContext, type PresetPlan } from './types.ts';

const ARCHS = ['single', 'offload', 'cluster', 'reuseport', 'prefork'] as const satisfies readonly ArchName[];
type Seed002Arch = (typeof ARCHS)[number];
const IN_PROCESS: readonly Seed002Arch[] = ['single', 'offload'];
/** A difference under this ratio is called a tie: the machine is shared and noisy. */
const WIN_RATIO = 1.15;
/** Below this many replies a cell's rate is a handful of events, not a throughput. */
const MIN_RATE_REPLIES = 20;
/** A p99 over fewer replies is just the slowest few. */
const MIN_TAIL_REPLIES = 100;

interface Workload {
  name: string;
  endpoint: 'cpu' | 'io';
  iters: number | null;
}

const ALL_WORKLOADS: Workload[] = [
  { name: 'cpu-80k', endpoint: 'cpu', iters: 80_000 },
  { name: 'cpu-150k', endpoint: 'cpu', iters: 150_000 },
  { name: 'cpu-300k', endpoint: 'cpu', iters: 300_000 },
  { name: 'io', endpoint: 'io', iters: null },
];

export const SEED002_CSV_HEADER =
  'workload,iters,architecture,runtime,concurrency,throughput_rps,p50_ms,p95_ms,p99_ms,errors,cpu_percent,memory_mb';

export interface Seed002Row extends CellFigures {
  workload: string;
  iters: number | null;
  arch: Seed002Arch;
  /** The architecture's shape as resolved (processes or loops; pool threads). */
  workers: number;
  threads: number;
  concurrency: number;
}

function plan(context: PresetContext): PresetPlan {
  const archs = pickArchs(context.archs, ARCHS, context.quick ? ['single', 'offload', 'reuseport'] : ARCHS);
  const workloads = context.quick
    ? ALL_WORKLOADS.filter((w) => w.name === 'cpu-80k' || w.name === 'io')
    : ALL_WORKLOADS;
  // The chain costs ~3-10 µs a link in JS (a createHash per link), so 300k links is ~1-3 s of CPU:
  // concurrency stops at 16 on a small machine so the closed loop still completes requests.
  const levels = context.clients ?? (context.quick ? [1, 4] : [1, 4, 16]);
  const durationS = context.durationS ?? (context.quick ? 1 : 10);
  const warmupS = context.quick ? 0 : 1;
  const planned = plannedCells<Pick<Seed002Row, 'workload' | 'iters' | 'arch' | 'concurrency'>>(
    context.runtime,
  );
  for (const workload of workloads) {
    for (const arch of archs) {
      for (const concurrency of levels) {
        planned.add(
          { workload: workload.name, iters: workload.iters, arch, concurrency },
          `seed002: ${workload.name} ${arch} concurrency=${concurrency} (${durationS} s)`,
          {
            arch,
            endpoint: workload.endpoint,
            ...(workload.iters === null ? {} : { endpointParams: { cpuIters: workload.iters } }),
            connections: concurrency,
            durationS,
            warmupS,
            reps: 1,
            // A 300k chain queued behind 15 others takes tens of seconds on 2 cores: slow is data, not an error.
            timeoutMs: 120_000,
          },
        );
      }
    }
  }
  const runtime = context.runtime.label;
  return {
    settings: { durationS, warmupS, archs, workloads: workloads.map((w) => w.name), concurrency: levels },
    cells: planned.cells,
    report(records) {
      // The architecture's shape as the server resolved it (processes or loops; pool threads).
      const rows: Seed002Row[] = planned.rows(records, ({ workers, threads }) => ({ workers, threads }));
      const answers = answerSeed002(rows);
      return {
        preset: 'seed002',
        runtime,
        text: renderSeed002(rows, runtime, answers),
        csv: seed002Csv(rows, runtime),
        json: { preset: 'seed002', runtime, durationS, warmupS, rows, answers },
        failures: rows.filter((row) => row.status === 'failed').length,
      };
    },
  };
}

export function seed002Csv(rows: Seed002Row[], runtime: string): string {
  return presetCsv(SEED002_CSV_HEADER, rows, (row, rps) => [
    row.workload,
    row.iters ?? '',
    row.arch,
    runtime,
    row.concurrency,
    round(rps, 3),
    round(row.p50Ms ?? 0, 3),
    round(row.p95Ms ?? 0, 3),
    round(row.p99Ms ?? 0, 3),
    row.errors,
  ]);
}

export interface Seed002Answers {
  /** Q2 of the seed: does the single event loop ("async") have a better tail than the thread pool at higher concurrency? */
  tailLatency: string[];
  /** Where multi-process architectures beat the best in-process one (single or offload) by more than the noise margin. */
  processesWin: string[];
  memory: string[];
}

/** Pure: answers from rows, so it is testable with fixed numbers. */
export function answerSeed002(rows: Seed002Row[]): Seed002Answers {
  const ok = rows.filter((row) => row.status === 'ok' && row.rps !== null);
  const workloads = [...new Set(rows.map((row) => row.workload))];
  const tailLatency: string[] = [];
  const processesWin: string[] = [];
  for (const workload of workloads) {
    const at = (arch: string, level: number | undefined): Seed002Row | undefined =>
      ok.find((r) => r.workload === workload && r.arch === arch && r.concurrency === level);
    // A p99 means something only over enough replies; compare at the highest level where both have them.
    const tailLevels = [
      ...new Set(
        ok.filter((r) => r.workload === workload && r.requests >= MIN_TAIL_REPLIES).map((r) => r.concurrency),
      ),
    ]
      .filter((level) => (at('single', level)?.requests ?? 0) >= MIN_TAIL_REPLIES)
      .filter((level) => (at('offload', level)?.requests ?? 0) >= MIN_TAIL_REPLIES)
      .sort((a, b) => a - b);
    const top = tailLevels[tailLevels.length - 1];
    const low = tailLevels[0];
    const single = at('single', top);
    const offload = at('offload', top);
    if (tailLevels.length >= 2 && single?.p99Ms != null && offload?.p99Ms != null && top !== undefined) {
      const ratio = offload.p99Ms / single.p99Ms;
      const verdict = ratio > WIN_RATIO ? 'yes' : ratio < 1 / WIN_RATIO ? 'no' : 'no clear difference';
      const growth = (row: Seed002Row | undefined, base: Seed002Row | undefined): string =>
        row?.p99Ms != null && base?.p99Ms ? `${(row.p99Ms / base.p99Ms).toFixed(1)}x` : '-';
      tailLatency.push(
        `${workload} at concurrency ${top}: ${verdict} — p99 single ${fmt.latencyUs(single.p99Ms * 1000)} vs offload ${fmt.latencyUs(offload.p99Ms * 1000)}` +
          ` (p99 grew ${growth(single, at('single', low))} for single and ${growth(offload, at('offload', low))} for offload from concurrency ${low})`,
      );
    } else if (rows.some((r) => r.workload === workload && (r.arch === 'single' || r.arch === 'offload'))) {
      tailLatency.push(
        `${workload}: cannot tell — fewer than ${MIN_TAIL_REPLIES} replies per cell for single and offload at two concurrency levels (use a longer --duration or a quieter machine)`,
      );
    }
    const levels = [...new Set(rows.filter((r) => r.workload === workload).map((r) => r.concurrency))].sort(
      (a, b) => a - b,
    );
    for (const level of levels) {
      const cells = ok.filter((r) => r.workload === workload && r.concurrency === level);
      const inProcess = cells
        .filter((r) => IN_PROCESS.includes(r.arch))
        .sort((a, b) => (b.rps ?? 0) - (a.rps ?? 0))[0];
      const multi = cells
        .filter((r) => !IN_PROCESS.includes(r.arch))
        .sort((a, b) => (b.rps ?? 0) - (a.rps ?? 0))[0];
      if (
        !inProcess?.rps ||
        !multi?.rps ||
        inProcess.requests < MIN_RATE_REPLIES ||
        multi.requests < MIN_RATE_REPLIES
      ) {
        processesWin.push(
          `${workload} at concurrency ${level}: cannot tell — fewer than ${MIN_RATE_REPLIES} replies in the best cells (in-process ${inProcess?.requests ?? 0}, multi-process ${multi?.requests ?? 0})`,
        );
        continue;
      }
      const ratio = multi.rps / inProcess.rps;
      const verdict =
        ratio >= WIN_RATIO ? 'processes win' : ratio <= 1 / WIN_RATIO ? 'in-process wins' : 'tie';
      processesWin.push(
        `${workload} at concurrency ${level}: ${verdict} — best multi-process ${multi.arch} ${fmt.rate(multi.rps)} req/s vs best in-process ${inProcess.arch} ${fmt.rate(inProcess.rps)} req/s (${ratio.toFixed(2)}x)`,
      );
    }
  }
  const memory: string[] = [];
  for (const arch of ARCHS) {
    const values = ok.filter((r) => r.arch === arch && r.memoryMiB !== null).map((r) => r.memoryMiB ?? 0);
    if (values.length > 0) memory.push(`${arch}: peak RSS up to ${Math.max(...values).toFixed(1)} MiB`);
  }
  return { tailLatency, processesWin, memory };
}

function renderSeed002(rows: Seed002Row[], runtime: string, answers: Seed002Answers): string {
  const table = renderTextTable<Seed002Row>(
    [
      { header: 'workload', value: (r) => r.workload },
      { header: 'arch', value: (r) => r.arch },
      { header: 'conc', value: (r) => String(r.concurrency), align: 'right' },
      { header: 'req/s', value: (r) => fmt.rate(r.rps), align: 'right' },
      { header: 'p50', value: (r) => fmtMs(r.p50Ms), align: 'right' },
      { header: 'p95', value: (r) => fmtMs(r.p95Ms), align: 'right' },
      { header: 'p99', value: (r) => fmtMs(r.p99Ms), align: 'right' },
      { header: 'errors', value: (r) => String(r.errors), align: 'right' },
      ...resourceColumns<Seed002Row>(),
    ],
    rows,
  );
  return [
    `seed 002 on ${runtime}: POST /score (cpu = SHA-256 chain, io = SQLite GET), closed loop`,
    '',
    table,
    'Does the single event loop ("async") improve tail latency at higher concurrency vs the thread pool (offload)?',
    ...answers.tailLatency.map((line) => `  ${line}`),
    '',
    `Where do processes win? (ties within ${WIN_RATIO}x: the machine is shared)`,
    ...answers.processesWin.map((line) => `  ${line}`),
    '',
    'Memory:',
    ...answers.memory.map((line) => `  ${line}`),
    '',
  ].join('\n');
}

export const seed002: Preset = {
  name: 'seed002',
  seed: '002',
  summary:
    '/score cpu 80k/150k/300k and io: single, offload, cluster, reuseport, prefork at rising concurrency',
  plan,
};
