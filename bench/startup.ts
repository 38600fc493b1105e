/**
 * conlab's start-up, with and without the compile cache, in rounds that
 * interleave every variant (so machine drift hits them alike):
 *
 *  - CLI: `conlab help`, `conlab load --help`, `conlab --version`, spawn to exit.
 *  - `conlab load` to its first request: a node:http server in this process
 *    notes when the first request arrives (epoch ms); the gap from just
 *    before the spawn is the time to first request.
 *  - process start to "ready" of a batch subject, a server unit (`single`),
 *    a process-pool worker and a thread-pool worker, each timed by
 *    bench/fixtures/startup-probe.ts in a fresh process.
 *
 * "cache": a CONLAB_CACHE_DIR of our own, filled by a first untimed run.
 * "no cache": NODE_DISABLE_COMPILE_CACHE=1, inherited by every process.
 * --baseline DIR also times DIR's bin/conlab.js (e.g. a checkout before this
 * change) for the CLI rows, with its own defaults.
 *
 *   node bench/startup.ts [--rounds 7] [--baseline /path/to/other/checkout]
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '7' }, baseline: { type: 'string' } },
});
const rounds = Number(values.rounds);
const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
const cacheDir = mkdtempSync(join(tmpdir(), 'conlab-startup-cache-'));

/** The environment of one variant: ours with the cache, ours without, or the baseline checkout. */
type Variant = 'cache' | 'no cache' | 'baseline';
function envOf(variant: Variant): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['NODE_COMPILE_CACHE', 'NODE_DISABLE_COMPILE_CACHE', 'CONLAB_COMPILE_CACHE_WARNED'])
    delete env[name];
  if (variant === 'cache') env.CONLAB_CACHE_DIR = cacheDir;
  if (variant === 'no cache') env.NODE_DISABLE_COMPILE_CACHE = '1';
  return env;
}
const binOf = (variant: Variant): string =>
  variant === 'baseline' ? join(values.baseline ?? root, 'bin/conlab.js') : join(root, 'bin/conlab.js');

async function cliMs(args: string[], variant: Variant): Promise<number> {
  const started = performance.now();
  await run(process.execPath, [binOf(variant), ...args], { env: envOf(variant) });
  return performance.now() - started;
}

// The first request's arrival, for `conlab load` → first request.
let firstArrivalEpochMs: number | undefined;
const server = createServer((_req, res) => {
  firstArrivalEpochMs ??= performance.timeOrigin + performance.now();
  res.end('hello');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const address = server.address();
const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;

async function loadFirstRequestMs(variant: Variant): Promise<number> {
  firstArrivalEpochMs = undefined;
  const spawnedAt = performance.timeOrigin + performance.now();
  await run(process.execPath, [binOf(variant), 'load', url, '-c', '1', '-n', '20'], { env: envOf(variant) });
  if (firstArrivalEpochMs === undefined) throw new Error('conlab load sent no request');
  return firstArrivalEpochMs - spawnedAt;
}

async function probeMs(what: string, variant: Variant): Promise<number> {
  const probe = join(root, 'bench/fixtures/startup-probe.ts');
  const { stdout } = await run(process.execPath, [probe, what], { env: envOf(variant) });
  return (JSON.parse(stdout) as { readyMs: number }).readyMs;
}

const rows: { name: string; variants: Variant[]; measure: (v: Variant) => Promise<number> }[] = [
  { name: '`conlab help`', variants: ['cache', 'no cache', 'baseline'], measure: (v) => cliMs(['help'], v) },
  {
    name: '`conlab load --help`',
    variants: ['cache', 'no cache', 'baseline'],
    measure: (v) => cliMs(['load', '--help'], v),
  },
  {
    name: '`conlab --version`',
    variants: ['cache', 'no cache', 'baseline'],
    measure: (v) => cliMs(['--version'], v),
  },
  {
    name: '`conlab load` → first request',
    variants: ['cache', 'no cache', 'baseline'],
    measure: loadFirstRequestMs,
  },
  ...['batch-subject', 'server-unit', 'pool-process', 'pool-thread'].map((what) => ({
    name: `${what} start → ready`,
    variants: ['cache', 'no cache'] as Variant[],
    measure: (v: Variant) => probeMs(what, v),
  })),
];

const samples = new Map<string, number[]>();
const loadStart = loadavg()[0]?.toFixed(1);
try {
  // One untimed pass fills the cache (and the page cache for every variant).
  for (const row of rows)
    for (const v of row.variants) if (v !== 'baseline' || values.baseline) await row.measure(v);
  for (let round = 0; round < rounds; round++) {
    for (const row of rows) {
      const variants = row.variants.filter((v) => v !== 'baseline' || values.baseline !== undefined);
      // Rotate which variant goes first.
      const order = [
        ...variants.slice(round % variants.length),
        ...variants.slice(0, round % variants.length),
      ];
      for (const v of order) {
        const key = `${row.name}|${v}`;
        samples.set(key, [...(samples.get(key) ?? []), await row.measure(v)]);
      }
    }
    process.stderr.write(`round ${round + 1}/${rounds} done\n`);
  }
} finally {
  server.close();
  rmSync(cacheDir, { recursive: true, force: true });
}

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const cell = (xs: number[] | undefined): string =>
  xs === undefined
    ? '-'
    : `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
const lines = [
  `start-up, ms: median (min–max) of ${rounds} interleaved rounds; load average ${loadStart} at start, ${loadavg()[0]?.toFixed(1)} at end`,
  '',
  `| what | compile cache | no compile cache | ${values.baseline ? `baseline (${values.baseline})` : 'baseline'} |`,
  '| --- | ---: | ---: | ---: |',
  ...rows.map(
    (row) =>
      `| ${row.name} | ${cell(samples.get(`${row.name}|cache`))} | ${cell(samples.get(`${row.name}|no cache`))} | ${cell(samples.get(`${row.name}|baseline`))} |`,
  ),
];
process.stdout.write(`${lines.join('\n')}\n`);
