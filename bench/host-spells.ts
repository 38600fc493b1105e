/**
 * Benchmark: does this machine run the same work at the same speed from one
 * second to the next, and is what moves conlab's or the machine's?
 *
 * 1. Kernels. The doctor's speed-steadiness kernels (integer, floating
 *    point, memory, runtime; src/monitor/steadiness.ts) take turns in 10 ms
 *    slices for half of --seconds, then cpu.sha256's createHash chain and
 *    bulk SHA-256 for the other half, in one process alone and then in two
 *    processes at once (both vCPUs busy, as a parallel cell keeps them).
 *    Per kernel: the median slice, and half-second buckets of wall time
 *    against the median bucket. Integer arithmetic and bulk hashing are the
 *    controls: tight loops with little code and no allocation.
 * 2. Loopback HTTP. A Node single-loop /hello server, driven alternately by
 *    conlab's generator and by autocannon (the reference, same server, same
 *    run) for --seconds each, --rounds times: the coefficient of variation
 *    of requests per second across the seconds of each load. If autocannon's
 *    seconds swing as much as conlab's, the swing is the machine's.
 *
 *   node bench/host-spells.ts [--seconds 20] [--rounds 2] [--connections 32]
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { steadinessOf, traceKernels, type KernelSteadiness } from '../src/monitor/steadiness.ts';

/** A kernel's steadiness, or the sha256 chain's, as the table prints it. */
type Row = Omit<KernelSteadiness, 'kernel'> & { kernel: string };

const run = promisify(execFile);
const self = fileURLToPath(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
const node = `${root}node_modules/.bin/node`;
const conlab = `${root}bin/conlab.js`;

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
    child: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);

async function traceIn(processes: number): Promise<Row[][]> {
  const runs = Array.from({ length: processes }, () =>
    run(node, [self, '--child', '--seconds', String(seconds)], { maxBuffer: 1 << 20 }),
  );
  return (await Promise.all(runs)).map(({ stdout }) => JSON.parse(stdout) as Row[]);
}

function kernelRows(label: string, perProcess: Row[][]): string[] {
  return perProcess.flatMap((kernels, p) =>
    kernels.map(
      (k) =>
        `| ${label} | ${p + 1} | ${k.kernel} | ${k.slices} | ${k.medianSliceMs.toFixed(1)} | ${k.slowestOverMedian.toFixed(2)}× | ${k.slowBuckets} of ${k.buckets} |`,
    ),
  );
}

const cv = (xs: readonly number[]): number => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return sd / mean;
};

async function startServer(): Promise<{ url: string; stop(): void }> {
  const child = spawn(node, [conlab, 'serve', '--arch', 'single', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /127\.0\.0\.1:(\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${String(code)}`)));
  });
  return { url: `http://127.0.0.1:${port}/hello`, stop: () => child.kill('SIGTERM') };
}

/** Requests per second of each whole second of one load. */
async function conlabSeconds(url: string): Promise<number[]> {
  const { stdout } = await run(
    node,
    [conlab, 'load', url, '-c', values.connections, '-d', `${seconds}s`, '--warmup', '1s', '--json'],
    { maxBuffer: 64 << 20 },
  );
  const json = JSON.parse(stdout) as { timeline: { second: number; requests: number }[] };
  // The last entry may be a part second.
  return json.timeline.slice(0, Math.floor(seconds)).map((s) => s.requests);
}

/** autocannon's own per-second statistics: mean and standard deviation of requests per second. */
async function autocannonSeconds(
  url: string,
): Promise<{ cv: number; mean: number; min: number; max: number }> {
  const { stdout } = await run(
    node,
    [
      `${root}node_modules/autocannon/autocannon.js`,
      '-c',
      values.connections,
      '-d',
      String(seconds),
      '--json',
      url,
    ],
    { maxBuffer: 64 << 20 },
  );
  const json = JSON.parse(stdout) as {
    requests: { average: number; stddev: number; min: number; max: number };
  };
  return {
    cv: json.requests.stddev / json.requests.average,
    mean: json.requests.average,
    min: json.requests.min,
    max: json.requests.max,
  };
}

async function main(): Promise<void> {
  console.log(
    `host-spells: ${seconds} s per trace and per load, load average ${loadavg()[0]?.toFixed(2)} at start, ${new Date().toISOString()}`,
  );
  console.log(
    '\n| processes | process | kernel | slices | median slice ms | slowest 500 ms / median 500 ms | 500 ms buckets ≥ 1.25× |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const row of kernelRows('1 alone', await traceIn(1))) console.log(row);
  for (const row of kernelRows('2 at once', await traceIn(2))) console.log(row);

  const server = await startServer();
  try {
    console.log(`\n| round | generator | req/s mean | slowest second | fastest second | CV across seconds |`);
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (let round = 1; round <= Number(values.rounds); round++) {
      const own = await conlabSeconds(server.url);
      const mean = own.reduce((a, b) => a + b, 0) / own.length;
      console.log(
        `| ${round} | conlab | ${mean.toFixed(0)} | ${Math.min(...own)} | ${Math.max(...own)} | ${(cv(own) * 100).toFixed(1)}% |`,
      );
      const peer = await autocannonSeconds(server.url);
      console.log(
        `| ${round} | autocannon | ${peer.mean.toFixed(0)} | ${peer.min} | ${peer.max} | ${(peer.cv * 100).toFixed(1)}% |`,
      );
    }
  } finally {
    server.stop();
  }
  console.log(`\nload average at the end ${loadavg()[0]?.toFixed(2)}`);
}

/**
 * The workload the lab finds noisy, and bulk hashing as its control, traced
 * the way the doctor's kernels are (slices with their start, judged in
 * half-second buckets): slices of cpu.sha256's createHash chain alternate
 * with slices of SHA-256 over 1 MiB buffers (the same instructions, few calls).
 */
function traceHashing(durationMs: number): Row[] {
  const chain = (): number => {
    let digest = Buffer.from('item-0', 'utf8');
    for (let k = 0; k < 1500; k++) digest = createHash('sha256').update(digest).digest();
    return digest.length;
  };
  const block = Buffer.alloc(1 << 20, 7);
  const bulk = (): number => createHash('sha256').update(block).update(block).digest().length;
  const kinds = [
    { kernel: 'sha256 chain', run: chain, startMs: [] as number[], sliceMs: [] as number[] },
    { kernel: 'sha256 bulk', run: bulk, startMs: [] as number[], sliceMs: [] as number[] },
  ];
  for (let i = 0; i < 50; i++) kinds.forEach((kind) => kind.run());
  const start = performance.now();
  while (performance.now() - start < durationMs) {
    for (const kind of kinds) {
      const t0 = performance.now();
      kind.run();
      kind.startMs.push(t0 - start);
      kind.sliceMs.push(performance.now() - t0);
    }
  }
  return kinds.map(({ kernel, startMs, sliceMs }) => ({
    ...steadinessOf({ kernel: 'runtime', startMs, sliceMs }),
    kernel,
  }));
}

if (values.child) {
  const kernels = traceKernels((seconds * 1000) / 2).map(steadinessOf);
  process.stdout.write(JSON.stringify([...kernels, ...traceHashing((seconds * 1000) / 2)]));
} else {
  await main();
}
