/**
 * Benchmark: what counting unanswered requests (censored latency) and
 * building error samples cost the load generator (issue 14: < 1% of its
 * throughput). The accounting cannot be switched off, so the generator of
 * this tree is run against the generator of an earlier commit (default:
 * bae6a36, main just before issue 14 was merged into it, so with the same
 * reply-template hot path; the first figures were taken against 49cba51, the
 * branch point, before that rewrite), side by side in one process: the earlier
 * `src/` is extracted with `git archive` into a temporary folder and its
 * runLoad imported from there. Both drive the same node:http hello server
 * (bench/load-hello-server.ts, its own process), closed loop, alternating
 * which goes first each round: requests per second, and the generator's own
 * CPU per request (its threads' CPU clocks ÷ requests — less sensitive to
 * how busy the server and the machine were than req/s), medians.
 *
 * On a busy machine run-to-run noise is several percent, more than the 1%
 * to be shown; so the one per-response addition (the parser asks `peekOn`,
 * whether to keep the first body bytes for an error sample, at each parsed
 * response head; a repeat of the reply template is not parsed) is also timed alone: the parser fed the same pipelined responses with
 * and without it, alternating, ns per response. Unanswered requests are
 * counted once, when the window closes (O(requests in flight)): nothing per
 * request.
 *
 *   node bench/load-censored.ts [--base bae6a36] [--rounds 6] [--duration 3] [--connections 50]
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { HttpResponseParser } from '../src/load/http-parser.ts';
import { runLoad as runLoadHere } from '../src/load/index.ts';
import { statusMatcher } from '../src/load/verify.ts';
import type { LoadOptions, LoadResult } from '../src/load/types.ts';

const { values } = parseArgs({
  options: {
    base: { type: 'string', default: 'bae6a36' },
    rounds: { type: 'string', default: '6' },
    duration: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
  },
});
const rounds = Number(values.rounds);
const root = new URL('..', import.meta.url).pathname;

type RunLoad = (options: LoadOptions) => Promise<LoadResult>;

function median(list: number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function startServer(): Promise<{ port: number; stop(): void }> {
  const child = spawn(process.execPath, [join(root, 'bench/load-hello-server.ts'), '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) =>
      resolve({ port: Number(chunk.toString().trim()), stop: () => child.kill('SIGKILL') }),
    );
    child.once('error', reject);
  });
}

/** ns per response through the parser, with the error-sample question asked at each head or not. */
function parserNsPerResponse(withPeek: boolean): number {
  const response = 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 5\r\n\r\nhello';
  const chunk = Buffer.from(response.repeat(64), 'latin1');
  let seen = 0;
  const parser = new HttpResponseParser(
    false,
    () => {
      seen++;
      return false; // no template here: every head is parsed, which is what this measures
    },
    () => undefined,
  );
  const statusOk = statusMatcher(2);
  let samples = 0;
  if (withPeek) parser.peekOn = (status) => !statusOk(status) && samples++ < 5;
  const start = process.hrtime.bigint();
  for (let i = 0; i < 20_000; i++) parser.feed(chunk);
  const ns = Number(process.hrtime.bigint() - start);
  if (seen !== 20_000 * 64) throw new Error(`parsed ${seen} responses`);
  return ns / seen;
}

const baseDir = mkdtempSync(join(tmpdir(), 'conlab-bench-censored-'));
const server = await startServer();
try {
  const archive = execFileSync('git', ['-C', root, 'archive', values.base, 'src'], { maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', baseDir], { input: archive });
  const baseModule = (await import(join(baseDir, 'src/load/index.ts'))) as { runLoad: RunLoad };
  const generators: [string, RunLoad][] = [
    ['this tree', runLoadHere],
    [`base ${values.base}`, baseModule.runLoad],
  ];
  const options: LoadOptions = {
    target: `http://127.0.0.1:${server.port}/`,
    connections: Number(values.connections),
    durationS: Number(values.duration),
    warmupS: 0.5,
  };
  const rps = new Map<string, number[]>(generators.map(([name]) => [name, []]));
  const cpuUsPerRequest = new Map<string, number[]>(generators.map(([name]) => [name, []]));
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? generators : [...generators].reverse();
    const got = new Map<string, { rps: number; cpuUs: number }>();
    for (const [name, runLoad] of order) {
      const result = await runLoad(options);
      // clientCpuPercent is % of one core over the window: × window µs ÷ requests = CPU µs per request.
      const cpuUs = ((result.clientCpuPercent / 100) * result.durationS * 1e6) / Math.max(1, result.requests);
      got.set(name, { rps: result.rps, cpuUs });
      rps.get(name)?.push(result.rps);
      cpuUsPerRequest.get(name)?.push(cpuUs);
    }
    const here = got.get('this tree');
    const base = got.get(`base ${values.base}`);
    if (here && base) {
      ratios.push(here.rps / base.rps);
      cpuRatios.push(here.cpuUs / base.cpuUs);
    }
  }
  const [load1] = loadavg();
  console.log(
    `busy machine (load average ${load1?.toFixed(1)}); closed loop, ${options.connections} connections, ${options.durationS} s × ${rounds} rounds`,
  );
  const range = (list: number[], digits: number): string =>
    `${median(list).toFixed(digits)} [${Math.min(...list).toFixed(digits)}–${Math.max(...list).toFixed(digits)}]`;
  for (const [name, list] of rps) {
    console.log(
      `${name.padEnd(16)} ${range(list, 0)} req/s   client CPU ${range(cpuUsPerRequest.get(name) ?? [], 2)} µs/request`,
    );
  }
  console.log(
    `this tree ÷ base, median of per-round ratios: req/s ${range(ratios, 3)}, CPU per request ${range(cpuRatios, 3)}`,
  );
  const peek: number[] = [];
  const plain: number[] = [];
  for (let round = 0; round < 2 * rounds; round++) {
    if (round % 2 === 0) {
      plain.push(parserNsPerResponse(false));
      peek.push(parserNsPerResponse(true));
    } else {
      peek.push(parserNsPerResponse(true));
      plain.push(parserNsPerResponse(false));
    }
  }
  const addedNs = median(peek) - median(plain);
  const clientNs = median(cpuUsPerRequest.get('this tree') ?? []) * 1000;
  console.log(
    `parser per response: with the error-sample question ${range(peek, 1)} ns, without ${range(plain, 1)} ns; ` +
      `added ${addedNs.toFixed(1)} ns = ${((addedNs / clientNs) * 100).toFixed(2)}% of the generator's ${clientNs.toFixed(0)} ns of CPU per request`,
  );
} finally {
  server.stop();
  rmSync(baseDir, { recursive: true, force: true });
}
