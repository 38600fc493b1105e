/**
 * conlab load vs autocannon vs wrk, side by side in the same run.
 *
 *   node bench/load-vs-peers.ts [--duration 10] [--reps 3] [--connections 50]
 *                               [--memory-requests 2000000] [--skip-bun] [--skip-open] [--skip-memory]
 *                               [--baseline DIR]
 *
 * --baseline DIR adds DIR's bin/conlab.js (another checkout, e.g. before a
 * change) as a fourth client in the same rotation: before/after, side by side.
 *
 * The server runs in its own process pinned to core 0 (`taskset -c 0`), each
 * client pinned to core 1. A client's cost is measured two ways over its
 * steady window (2 s after start to 1 s before the end: inside every tool's
 * measured window, so start-up is excluded for all alike):
 *  - core busy: the busy time of core 1 from /proc/stat (user + nice +
 *    system + irq + softirq; idle, iowait and steal excluded). This includes
 *    the kernel's work on the client's behalf that no process is charged for
 *    (loopback delivery in softirq) and is what limits a generator sharing a
 *    machine; it also includes anything else that ran on core 1.
 *  - process CPU: utime + stime of the client process (all threads) from
 *    /proc/PID/stat: what the generator's own code and its syscalls cost.
 * "core irq+softirq" is core 1's irq + softirq time alone, so process CPU +
 * that is the core-busy measure without other tenants' processes (the
 * figure to trust on a busy machine). "whole" is the process's CPU at exit,
 * start-up included.
 *
 * Then: open-loop accuracy (conlab -R at 20..80% of its closed-loop maximum,
 * achieved vs target) and memory (conlab -n N, RSS sampled from
 * /proc/PID/status). Prints a Markdown report on stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string): string => `${root}node_modules/.bin/${name}`;
const CLK_TCK = 100;
const CLIENT_CORE = 1;

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    reps: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    'memory-requests': { type: 'string', default: '2000000' },
    'skip-bun': { type: 'boolean', default: false },
    'skip-open': { type: 'boolean', default: false },
    'skip-memory': { type: 'boolean', default: false },
    baseline: { type: 'string' },
  },
});
const durationS = Number(values.duration);
const reps = Number(values.reps);
const connections = Number(values.connections);
const memoryRequests = Number(values['memory-requests']);

const children = new Set<ChildProcess>();
function killAll(): void {
  for (const child of children) {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}
process.on('exit', killAll);
process.on('SIGINT', () => {
  killAll();
  process.exit(130);
});

/** utime and stime of a process (all its threads), in ticks. */
function cpuTicks(pid: number): { user: number; system: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]), system: Number(fields[12]) };
  } catch {
    return null;
  }
}

function rssBytes(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

async function startServer(kind: 'node' | 'bun'): Promise<{ url: string; stop(): void }> {
  const args =
    kind === 'node'
      ? ['-c', '0', bin('node'), `${root}bench/load-hello-server.ts`, '0']
      : ['-c', '0', bin('bun'), `${root}bench/load-bun-server.ts`, '0'];
  const child = spawn('taskset', args, { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  children.add(child);
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      children.delete(child);
    },
  };
}

/** Core 1's counters from /proc/stat (USER_HZ ticks): busy (user+nice+system+irq+softirq), irq+softirq, steal. */
function coreTicks(core: number): { busy: number; softirq: number; steal: number } | null {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`cpu${core} `));
  if (line === undefined) return null;
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return { busy: user + nice + system + irq + softirq, softirq: irq + softirq, steal };
}

interface Sample {
  t: number;
  procUser: number;
  procSystem: number;
  core: { busy: number; softirq: number; steal: number } | null;
}

interface ClientRun {
  tool: string;
  rps: number;
  requests: number;
  errors: number;
  /** Client process CPU over the steady window, in cores (user + system, and its user part). */
  steadyCores: number;
  steadyUserCores: number;
  /** Busy time of the client's core over the steady window, in cores. */
  coreBusyCores: number;
  /** irq + softirq time of the client's core over the steady window, in cores. */
  coreSoftirqCores: number;
  coreStealCores: number;
  wholeCpuS: number;
  peakRssBytes: number;
  rssSamples: [number, number][];
}

/** Runs one client pinned to core 1, sampling its CPU and RSS. */
async function runClient(
  tool: string,
  argv: string[],
  window: [number, number] | null,
): Promise<{ stdout: string } & Omit<ClientRun, 'tool' | 'rps' | 'requests' | 'errors'>> {
  const child = spawn('taskset', ['-c', String(CLIENT_CORE), ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.add(child);
  const pid = child.pid ?? 0;
  const started = performance.now();
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let last = 0;
  let windowStart: Sample | undefined;
  let windowEnd: Sample | undefined;
  let peakRss = 0;
  const rssSamples: [number, number][] = [];
  const sampler = setInterval(() => {
    const ticks = cpuTicks(pid);
    const rss = rssBytes(pid);
    const t = (performance.now() - started) / 1000;
    if (ticks === null) return;
    last = ticks.user + ticks.system;
    if (rss !== null) {
      peakRss = Math.max(peakRss, rss);
      rssSamples.push([t, rss]);
    }
    if (window && windowStart === undefined && t >= window[0])
      windowStart = { t, procUser: ticks.user, procSystem: ticks.system, core: coreTicks(CLIENT_CORE) };
    if (window && windowEnd === undefined && t >= window[1])
      windowEnd = { t, procUser: ticks.user, procSystem: ticks.system, core: coreTicks(CLIENT_CORE) };
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(sampler);
  children.delete(child);
  if (code !== 0 && tool !== 'conlab-memory')
    throw new Error(`${tool} exited ${code}: ${stderr.slice(0, 500)}`);
  const cores = (pick: (s: Sample) => number | undefined): number => {
    if (windowStart === undefined || windowEnd === undefined) return Number.NaN;
    const a = pick(windowStart);
    const b = pick(windowEnd);
    if (a === undefined || b === undefined) return Number.NaN;
    return (b - a) / CLK_TCK / (windowEnd.t - windowStart.t);
  };
  return {
    stdout,
    steadyCores: cores((s) => s.procUser + s.procSystem),
    steadyUserCores: cores((s) => s.procUser),
    coreBusyCores: cores((s) => s.core?.busy),
    coreSoftirqCores: cores((s) => s.core?.softirq),
    coreStealCores: cores((s) => s.core?.steal),
    wholeCpuS: last / CLK_TCK,
    peakRssBytes: peakRss,
    rssSamples,
  };
}

const window: [number, number] = [2, durationS - 1];

async function conlab(
  url: string,
  extra: string[] = [],
  checkout = root,
): Promise<ClientRun & { json: Record<string, unknown> }> {
  const run = await runClient(
    'conlab',
    [
      bin('node'),
      join(checkout, 'bin/conlab.js'),
      'load',
      url,
      '-c',
      String(connections),
      '-d',
      String(durationS),
      '--json',
      ...extra,
    ],
    window,
  );
  const json = JSON.parse(run.stdout) as { rps: number; requests: number; errorsTotal: number };
  return { tool: 'conlab', rps: json.rps, requests: json.requests, errors: json.errorsTotal, json, ...run };
}

async function autocannon(url: string): Promise<ClientRun> {
  const run = await runClient(
    'autocannon',
    [
      bin('node'),
      `${root}node_modules/autocannon/autocannon.js`,
      '-c',
      String(connections),
      '-d',
      String(durationS),
      '--json',
      url,
    ],
    window,
  );
  const json = JSON.parse(run.stdout) as {
    requests: { total: number };
    duration: number;
    errors: number;
    non2xx: number;
    timeouts: number;
  };
  return {
    tool: 'autocannon',
    rps: json.requests.total / json.duration,
    requests: json.requests.total,
    errors: json.errors + json.non2xx + json.timeouts,
    ...run,
  };
}

async function wrk(url: string): Promise<ClientRun> {
  const run = await runClient(
    'wrk',
    ['/usr/bin/wrk', '-t1', `-c${connections}`, `-d${durationS}s`, url],
    window,
  );
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(run.stdout)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(run.stdout)?.[1]);
  const errors = Number(/Non-2xx or 3xx responses: (\d+)/.exec(run.stdout)?.[1] ?? 0);
  return { tool: 'wrk', rps, requests, errors, ...run };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
const k = (n: number): string => (Number.isFinite(n) ? `${(n / 1000).toFixed(1)}k` : '-');

async function compare(label: string, url: string): Promise<Map<string, ClientRun[]>> {
  const tools: [string, (u: string) => Promise<ClientRun>][] = [
    ['conlab', (u) => conlab(u)],
    ['autocannon', autocannon],
    ['wrk', wrk],
  ];
  const baseline = values.baseline;
  if (baseline !== undefined) tools.push(['conlab (baseline)', (u) => conlab(u, [], baseline)]);
  const runs = new Map<string, ClientRun[]>(tools.map(([name]) => [name, []]));
  for (let rep = 0; rep < reps; rep++) {
    // Rotate the order each repetition so drift in machine load does not favour one tool.
    const order = [...tools.slice(rep % tools.length), ...tools.slice(0, rep % tools.length)];
    for (const [name, fn] of order) {
      const run = await fn(url);
      runs.get(name)?.push(run);
      process.stderr.write(
        `${label} rep ${rep} ${name}: ${Math.round(run.rps)} req/s, core busy ${run.coreBusyCores.toFixed(2)} (${k(run.rps / run.coreBusyCores)} req/s/core), process ${run.steadyCores.toFixed(2)} (${k(run.rps / run.steadyCores)} req/s/core), irq+softirq ${run.coreSoftirqCores.toFixed(2)}, steal ${run.coreStealCores.toFixed(2)}\n`,
      );
    }
  }
  return runs;
}

/** Core time that neither the client process nor interrupt work took: other tenants on the client's core. */
const othersOnCore = (r: ClientRun): number => r.coreBusyCores - r.steadyCores - r.coreSoftirqCores;

/** The three ways a client's cost is stated, in cores over the steady window. */
const measures: { name: string; cores: (r: ClientRun) => number }[] = [
  { name: 'core busy', cores: (r) => r.coreBusyCores },
  { name: 'process CPU', cores: (r) => r.steadyCores },
  { name: 'process + core irq/softirq', cores: (r) => r.steadyCores + r.coreSoftirqCores },
];

function comparisonTable(label: string, runs: Map<string, ClientRun[]>): string {
  const lines = [
    `### ${label}`,
    '',
    '| client | req/s (median) | core busy (cores) | process CPU (cores) | core irq+softirq (cores) | others on the core (cores) | core steal (cores) | req/s per busy core | req/s per process core | req/s per (process + irq/softirq) core | µs per request: process user / system | requests per CPU-second (whole process) | errors | per-rep req/s per busy core | per-rep req/s per process core |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
  ];
  const perCore = new Map<string, number[]>();
  for (const [tool, list] of runs) {
    const perMeasure = measures.map((m) => median(list.map((r) => r.rps / m.cores(r))));
    perCore.set(tool, perMeasure);
    const cores = (pick: (r: ClientRun) => number): string => median(list.map(pick)).toFixed(2);
    const usPerRequest = (pick: (r: ClientRun) => number): string =>
      median(list.map((r) => (pick(r) / r.rps) * 1e6)).toFixed(1);
    lines.push(
      `| ${tool} | ${Math.round(median(list.map((r) => r.rps)))} | ${cores((r) => r.coreBusyCores)} | ${cores((r) => r.steadyCores)} | ${cores((r) => r.coreSoftirqCores)} | ${cores(othersOnCore)} | ${cores((r) => r.coreStealCores)} | ${perMeasure.map(k).join(' | ')} | ${usPerRequest((r) => r.steadyUserCores)} / ${usPerRequest((r) => r.steadyCores - r.steadyUserCores)} | ${k(median(list.map((r) => r.requests / r.wholeCpuS)))} | ${list.reduce((a, r) => a + r.errors, 0)} | ${list.map((r) => k(r.rps / r.coreBusyCores)).join(', ')} | ${list.map((r) => k(r.rps / r.steadyCores)).join(', ')} |`,
    );
  }
  const conlab = perCore.get('conlab') ?? [];
  lines.push('');
  const crowded = [...runs.values()].flat().filter((r) => othersOnCore(r) > 0.1).length;
  if (crowded > 0)
    lines.push(
      `**Core busy time is not the client's here**: in ${crowded} of ${[...runs.values()].flat().length} runs other processes used more than 0.1 of the client's core (column "others on the core"); read the process-based ratios, or rerun on a quiet machine.`,
      '',
    );
  measures.forEach((m, i) => {
    const ratio = (peer: string): string =>
      ((conlab[i] ?? Number.NaN) / (perCore.get(peer)?.[i] ?? Number.NaN)).toFixed(2);
    lines.push(
      `Ratios, req/s per client core as **${m.name}** (medians): conlab / autocannon = **${ratio('autocannon')}**, conlab / wrk = **${ratio('wrk')}**${values.baseline === undefined ? '' : `, conlab / conlab (baseline) = **${ratio('conlab (baseline)')}**`}`,
      '',
    );
  });
  return lines.join('\n');
}

async function main(): Promise<void> {
  const out: string[] = [];
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  out.push(
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average at start ${load}; ${durationS} s per run, ${connections} connections, ${reps} repetitions, server on core 0, client on core ${CLIENT_CORE}.`,
    '',
  );

  const nodeServer = await startServer('node');
  const nodeRuns = await compare('node:http hello', nodeServer.url);
  out.push(comparisonTable('node:http hello server (one process, core 0)', nodeRuns));

  if (!values['skip-open']) {
    const max = median((nodeRuns.get('conlab') ?? []).map((r) => r.rps));
    out.push(
      '### Open loop accuracy (conlab -R, node:http hello server)',
      '',
      `Closed-loop maximum (median above): ${Math.round(max)} req/s.`,
      '',
      '| target (% of max) | target req/s | achieved req/s | error | corrected p50 / p99 | uncorrected p50 / p99 | send lag p50 / p99 | warnings |',
      '| --- | ---: | ---: | ---: | --- | --- | --- | --- |',
    );
    for (const share of [0.2, 0.4, 0.6, 0.8]) {
      const target = Math.round(max * share);
      const run = await conlab(nodeServer.url, ['-R', String(target)]);
      const j = run.json as {
        latencyUs: { p50: number; p99: number };
        latencyUncorrectedUs: { p50: number; p99: number };
        schedule: { achievedRps: number; sendLagUs: { p50: number; p99: number } };
        warnings: string[];
      };
      const achieved = j.schedule.achievedRps;
      out.push(
        `| ${share * 100}% | ${target} | ${achieved.toFixed(1)} | ${(((achieved - target) / target) * 100).toFixed(2)}% | ${j.latencyUs.p50} / ${j.latencyUs.p99} µs | ${j.latencyUncorrectedUs.p50} / ${j.latencyUncorrectedUs.p99} µs | ${j.schedule.sendLagUs.p50} / ${j.schedule.sendLagUs.p99} µs | ${j.warnings.join(', ') || '-'} |`,
      );
      process.stderr.write(`open loop ${target}: achieved ${achieved.toFixed(1)}\n`);
    }
    out.push('');
  }
  nodeServer.stop();

  if (!values['skip-bun']) {
    const bunServer = await startServer('bun');
    const bunRuns = await compare('Bun.serve', bunServer.url);
    out.push(
      comparisonTable(
        'Bun.serve hello server (core 0): raw req/s when the server is not the bottleneck',
        bunRuns,
      ),
    );
    bunServer.stop();
  }

  if (!values['skip-memory']) {
    const server = await startServer(values['skip-bun'] ? 'node' : 'bun');
    const run = await runClient(
      'conlab',
      [
        bin('node'),
        `${root}bin/conlab.js`,
        'load',
        server.url,
        '-c',
        String(connections),
        '-n',
        String(memoryRequests),
        '--json',
      ],
      null,
    );
    server.stop();
    const json = JSON.parse(run.stdout) as { requests: number; durationS: number; errorsTotal: number };
    const early = run.rssSamples.find(([t]) => t >= 3)?.[1] ?? Number.NaN;
    const mib = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;
    out.push(
      '### Memory (conlab -n, RSS of the whole client process from /proc/PID/status)',
      '',
      `${json.requests} requests (${json.errorsTotal} errors) in ${json.durationS.toFixed(1)} s: RSS at 3 s ${mib(early)}, peak ${mib(run.peakRssBytes)}, growth after 3 s **${mib(run.peakRssBytes - early)}**.`,
      '',
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
