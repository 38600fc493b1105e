/**
 * The same batch cell (cpu.sha256, threads, 2 workers) and the same server
 * cell (GET /hello, single architecture) on Node 24, Bun and Deno, side by
 * side in one run, through conlab's own drivers (`conlab batch`,
 * `conlab bench-server`), with ratios to Node. Rounds are interleaved
 * (node, bun, deno, then again) so drift in the machine hits every runtime.
 *
 *   node bench/runtimes-side-by-side.ts [--rounds 2] [--items 20] [--iters 100000] [--duration 5]
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { availableParallelism, loadavg } from 'node:os';
import type { BatchCell, ServerCell } from '../src/results/record.ts';

const run = promisify(execFile);
const bin = new URL('../bin/conlab.js', import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    items: { type: 'string', default: '20' },
    iters: { type: 'string', default: '100000' },
    duration: { type: 'string', default: '5' },
    runtimes: { type: 'string', default: 'node,bun,deno' },
  },
});
const runtimes = values.runtimes.split(',');

async function conlabJson(args: string[]): Promise<unknown> {
  const { stdout } = await run(process.execPath, [bin, ...args, '--json'], {
    maxBuffer: 256 * 1024 * 1024,
    timeout: 900_000,
  });
  return JSON.parse(stdout) as unknown;
}

function cellsOf(json: unknown): unknown[] {
  if (Array.isArray(json)) return json;
  const object = json as { results?: unknown[]; cells?: unknown[] };
  return object.results ?? object.cells ?? [];
}

interface Row {
  runtime: string;
  batchMs: number[];
  batchCpu: number[];
  batchVerdicts: Set<string>;
  rps: number[];
  p99Us: number[];
  serverCpu: number[];
  serverVerdicts: Set<string>;
  status: string[];
}

const rows = new Map<string, Row>();
const row = (name: string): Row => {
  let r = rows.get(name);
  if (!r) {
    r = {
      runtime: name,
      batchMs: [],
      batchCpu: [],
      batchVerdicts: new Set(),
      rps: [],
      p99Us: [],
      serverCpu: [],
      serverVerdicts: new Set(),
      status: [],
    };
    rows.set(name, r);
  }
  return r;
};

const startLoad = loadavg()[0] ?? 0;
for (let round = 0; round < Number(values.rounds); round++) {
  for (const runtime of runtimes) {
    process.stderr.write(`round ${round + 1}: ${runtime} batch\n`);
    const batch = cellsOf(
      await conlabJson([
        'batch',
        '--workload',
        'cpu.sha256',
        '--param',
        `iters=${values.iters}`,
        '--items',
        values.items,
        '--models',
        'threads',
        '--concurrency',
        '2',
        '--reps',
        '1',
        '--runtime',
        runtime,
      ]),
    ) as BatchCell[];
    for (const cell of batch.filter((c) => c.model === 'threads')) {
      const r = row(runtime);
      r.runtime = cell.runtime;
      if (cell.status === 'ok') {
        r.batchMs.push(cell.durationMs);
        r.batchCpu.push(cell.cpuPercent);
      } else r.status.push(`batch ${cell.status}: ${cell.reason ?? ''}`);
      for (const v of cell.verdicts) r.batchVerdicts.add(v);
    }
    process.stderr.write(`round ${round + 1}: ${runtime} server\n`);
    const server = cellsOf(
      await conlabJson([
        'bench-server',
        '--arch',
        'single',
        '--endpoint',
        'hello',
        '--duration',
        values.duration,
        '--warmup',
        '1',
        '--runtime',
        runtime,
      ]),
    ) as ServerCell[];
    for (const cell of server) {
      const r = row(runtime);
      if (cell.status === 'ok') {
        r.rps.push(cell.rps);
        r.p99Us.push(cell.latencyUs.p99);
        r.serverCpu.push(cell.serverCpuPercent);
      } else r.status.push(`server ${cell.status}: ${cell.reason ?? ''}`);
      for (const v of cell.verdicts) r.serverVerdicts.add(v);
    }
  }
}

const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
const node = rows.get('node');
const baseBatch = node ? mean(node.batchMs) : Number.NaN;
const baseRps = node ? mean(node.rps) : Number.NaN;
console.log(
  `runtimes side by side: ${availableParallelism()} cores, load average at start ${startLoad.toFixed(2)}, ${values.rounds} interleaved rounds`,
);
console.log(
  `batch: cpu.sha256 iters=${values.iters}, ${values.items} items, threads × 2 | server: GET /hello, single, 10 connections, ${values.duration} s`,
);
console.log(
  'runtime       batch ms (each)          vs node  tree CPU  | rps (each)              vs node  p99 ms  server CPU | verdicts',
);
for (const r of rows.values()) {
  const b = mean(r.batchMs);
  const s = mean(r.rps);
  console.log(
    [
      r.runtime.padEnd(13),
      `${b.toFixed(0)} (${r.batchMs.map((x) => x.toFixed(0)).join(', ')})`.padEnd(24),
      `${(b / baseBatch).toFixed(2)}x`.padStart(7),
      `${mean(r.batchCpu).toFixed(0)}%`.padStart(8),
      ' |',
      `${s.toFixed(0)} (${r.rps.map((x) => x.toFixed(0)).join(', ')})`.padEnd(23),
      `${(s / baseRps).toFixed(2)}x`.padStart(7),
      (mean(r.p99Us) / 1000).toFixed(2).padStart(7),
      `${mean(r.serverCpu).toFixed(0)}%`.padStart(10),
      '|',
      [...new Set([...r.batchVerdicts, ...r.serverVerdicts])].join(',') || '-',
      r.status.join('; '),
    ].join(' '),
  );
}
console.log(
  'batch "vs node" is time ratio (lower is faster); server "vs node" is throughput ratio (higher is faster).',
);
