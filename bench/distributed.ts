/**
 * Load beyond one machine, simulated with local processes.
 *
 *   node bench/distributed.ts [--rounds 3] [--duration 5] [--connections 16] [--shards 4]
 *                             [--rate 2000] [--merge-shards 100] [--merge-seconds 10]
 *                             [--skip-shards] [--skip-merge]
 *
 * (a) Same run, same server (bench/load-hello-server.ts): N `conlab load
 *     --shard i/N` processes given one absolute --start-at, merged with
 *     `conlab merge`, next to one `conlab load` process with all the
 *     connections; closed loop, then open loop at --rate. Rounds alternate
 *     which goes first. Reported per round: requests, p50/p99, the merge's
 *     start spread, and the ratio shards ÷ one.
 * (b) `conlab merge` of --merge-shards synthetic shard results of
 *     --merge-seconds seconds each (latencies drawn log-uniformly from
 *     100 µs to 50 ms): wall time and peak RSS of the CLI (/usr/bin/time),
 *     and of the merge alone in this process.
 *
 * Prints a Markdown report on stdout.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { mergeShards } from '../src/load/merge.ts';
import { parseShardResults } from '../src/load/result-input.ts';
import type { LoadResult } from '../src/load/types.ts';
import { syntheticShard } from '../test/load/shard-fixtures.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const conlab = join(root, 'bin/conlab.js');
const run = promisify(execFile);

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '16' },
    shards: { type: 'string', default: '4' },
    rate: { type: 'string', default: '2000' },
    'merge-shards': { type: 'string', default: '100' },
    'merge-seconds': { type: 'string', default: '10' },
    'skip-shards': { type: 'boolean', default: false },
    'skip-merge': { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const durationS = Number(values.duration);
const connections = Number(values.connections);
const shardCount = Number(values.shards);
const rateRps = Number(values.rate);

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

function spread(xs: number[], digits = 3): string {
  return `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
}

function load1m(): string {
  return (loadavg()[0] ?? 0).toFixed(1);
}

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(root, 'bench/load-hello-server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', () => reject(new Error('server exited')));
  });
  return { url: `http://127.0.0.1:${port}/`, child };
}

async function conlabJson(args: string[]): Promise<LoadResult> {
  const { stdout } = await run(process.execPath, [conlab, ...args], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as LoadResult;
}

interface Side {
  requests: number;
  p50Us: number;
  p99Us: number;
  spreadMs?: number;
  saturated: string;
}

/** The one load both sides run: all the connections, the window, the mode's flags. */
function loadCommand(url: string, loadArgs: string[]): string[] {
  return ['load', url, '-c', String(connections), '-d', String(durationS), ...loadArgs, '--json'];
}

async function oneGenerator(url: string, loadArgs: string[]): Promise<Side> {
  const r = await conlabJson(loadCommand(url, loadArgs));
  return {
    requests: r.requests,
    p50Us: r.latencyUs.p50,
    p99Us: r.latencyUs.p99,
    saturated: r.warnings.join(' ') || '-',
  };
}

async function shardedGenerators(url: string, loadArgs: string[], dir: string): Promise<Side> {
  // One absolute instant for every shard, as the Kubernetes Job gives them.
  const startAt = new Date(Math.ceil((Date.now() + 3000) / 1000) * 1000).toISOString();
  const files = await Promise.all(
    Array.from({ length: shardCount }, async (_, i) => {
      const shardArgs = ['--shard', `${i + 1}/${shardCount}`, '--start-at', startAt];
      const result = await run(process.execPath, [conlab, ...loadCommand(url, [...loadArgs, ...shardArgs])], {
        maxBuffer: 64 * 1024 * 1024,
      });
      const file = join(dir, `shard-${i + 1}.json`);
      writeFileSync(file, result.stdout);
      return file;
    }),
  );
  const merged = await conlabJson(['merge', ...files, '--json']);
  const saturated = merged.merge?.clientSaturatedShards ?? [];
  return {
    requests: merged.requests,
    p50Us: merged.latencyUs.p50,
    p99Us: merged.latencyUs.p99,
    spreadMs: merged.merge?.startSpreadMs ?? Number.NaN,
    saturated: saturated.length === 0 ? '-' : `client-saturated shards ${saturated.join(',')}`,
  };
}

async function benchShards(): Promise<void> {
  const server = await startServer();
  const dir = mkdtempSync(join(tmpdir(), 'conlab-bench-shards-'));
  try {
    for (const [mode, loadArgs] of [
      ['closed loop', []],
      [`open loop at ${rateRps} req/s`, ['-R', String(rateRps)]],
    ] as const) {
      console.log(
        `\n### ${shardCount} shards vs one generator, ${connections} connections, ${durationS} s, ${mode}\n`,
      );
      console.log(
        '| round | load avg | one: requests | shards: requests | ratio | one p50/p99 | shards p50/p99 | start spread | notes |',
      );
      console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
      const ratios: number[] = [];
      const spreads: number[] = [];
      const p50Ratios: number[] = [];
      const p99Ratios: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const load = load1m();
        let one: Side;
        let sharded: Side;
        if (round % 2 === 0) {
          one = await oneGenerator(server.url, [...loadArgs]);
          sharded = await shardedGenerators(server.url, [...loadArgs], dir);
        } else {
          sharded = await shardedGenerators(server.url, [...loadArgs], dir);
          one = await oneGenerator(server.url, [...loadArgs]);
        }
        const ratio = sharded.requests / one.requests;
        ratios.push(ratio);
        spreads.push(sharded.spreadMs ?? Number.NaN);
        p50Ratios.push(sharded.p50Us / one.p50Us);
        p99Ratios.push(sharded.p99Us / one.p99Us);
        console.log(
          `| ${round + 1} | ${load} | ${one.requests} | ${sharded.requests} | ${ratio.toFixed(3)} | ${one.p50Us}/${one.p99Us} µs | ${sharded.p50Us}/${sharded.p99Us} µs | ${sharded.spreadMs?.toFixed(1)} ms | one: ${one.saturated}; shards: ${sharded.saturated} |`,
        );
      }
      console.log(
        `\nMedian (min–max): requests shards ÷ one ${spread(ratios)}; p50 ratio ${spread(p50Ratios, 2)}; p99 ratio ${spread(p99Ratios, 2)}; start spread ${spread(spreads, 1)} ms.`,
      );
    }
  } finally {
    server.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A deterministic generator, so every run merges the same synthetic shards. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** `conlab merge FILES --json` under /usr/bin/time: wall seconds and peak RSS. */
async function timeMerge(files: string[]): Promise<{ wallS: number; rssMiB: number }> {
  const { stderr } = await run(
    '/usr/bin/time',
    ['-f', '%e %M', process.execPath, conlab, 'merge', ...files, '--json'],
    {
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  const [wallS = Number.NaN, maxKb = Number.NaN] = (stderr.trim().split('\n').at(-1) ?? '')
    .split(' ')
    .map(Number);
  return { wallS, rssMiB: maxKb / 1024 };
}

async function benchMerge(): Promise<void> {
  const count = Number(values['merge-shards']);
  const seconds = Number(values['merge-seconds']);
  const perSecond = 2000;
  const dir = mkdtempSync(join(tmpdir(), 'conlab-bench-merge-'));
  try {
    const random = lcg(42);
    const start = Date.UTC(2026, 10, 26, 12);
    const files: string[] = [];
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const valuesPerSecond = Array.from({ length: seconds }, () =>
        Array.from({ length: perSecond }, () => Math.round(100 * 500 ** random())),
      );
      const text = JSON.stringify(
        syntheticShard({
          index: i + 1,
          count,
          valuesPerSecond,
          startEpochMs: start + Math.round(random() * 3),
        }),
        null,
        2,
      );
      bytes += text.length;
      const file = join(dir, `shard-${i + 1}.json`);
      writeFileSync(file, text);
      files.push(file);
    }
    console.log(
      `\n### conlab merge of ${count} synthetic shards × ${seconds} s (${perSecond} latencies per shard-second, ${(bytes / 2 ** 20).toFixed(1)} MiB of JSON)\n`,
    );
    console.log(
      '| rep | load avg | CLI wall s | CLI peak RSS MiB | in-process merge ms | in-process heap growth MiB |',
    );
    console.log('| --- | --- | --- | --- | --- | --- |');
    // The CLI's floor (Node 24, type stripping, zod, the load command's modules): the same command on one shard.
    const floor: number[] = [];
    const floorWall: number[] = [];
    const lone = join(dir, 'lone.json');
    writeFileSync(
      lone,
      JSON.stringify(syntheticShard({ index: 1, count: 1, valuesPerSecond: [[100]], startEpochMs: start })),
    );
    for (let rep = 0; rep < 3; rep++) {
      const { wallS, rssMiB } = await timeMerge([lone]);
      floor.push(rssMiB);
      floorWall.push(wallS);
    }
    const walls: number[] = [];
    const rss: number[] = [];
    const inProcess: number[] = [];
    for (let rep = 0; rep < 5; rep++) {
      const load = load1m();
      const { wallS: wall, rssMiB } = await timeMerge(files);
      walls.push(wall);
      rss.push(rssMiB);
      global.gc?.();
      const heapBefore = process.memoryUsage().heapUsed;
      const t0 = performance.now();
      const inputs = files.flatMap(
        (file) => parseShardResults(readFileSync(file, 'utf8'), file, false).inputs,
      );
      const merged = mergeShards(inputs);
      const ms = performance.now() - t0;
      const heapGrowth = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
      inProcess.push(ms);
      if (merged.requests !== count * seconds * perSecond)
        throw new Error(`merged ${merged.requests} requests`);
      console.log(
        `| ${rep + 1} | ${load} | ${wall?.toFixed(2)} | ${rss.at(-1)?.toFixed(0)} | ${ms.toFixed(0)} | ${heapGrowth.toFixed(1)} |`,
      );
    }
    console.log(
      `\nMedian (min–max): CLI ${spread(walls, 2)} s, peak RSS ${spread(rss, 0)} MiB (the same command on one tiny shard: ${spread(floorWall, 2)} s, ${spread(floor, 0)} MiB, so merging adds ${(median(rss) - median(floor)).toFixed(0)} MiB); merge alone ${spread(inProcess, 0)} ms.`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`# Load beyond one machine — ${new Date().toISOString()}, load average ${load1m()} at start`);
if (!values['skip-shards']) await benchShards();
if (!values['skip-merge']) await benchMerge();
