/**
 * The capability probe: runs UNDER the runtime being probed (Node, Bun or
 * Deno) and answers with one `done {capabilities}` message (probe-protocol.ts). Every
 * check does the real thing a model or server architecture will do (start a
 * worker and share memory with it, spawn a child, fork a cluster worker that
 * serves a connection, ...), because an API that exists can still be a stub.
 *
 * reusePort is checked the way the `reuseport` server uses it: two separate
 * processes listen on one port, and connections must reach both. Listening
 * twice inside one process is not enough: Bun accepts that, yet a second
 * process gets EADDRINUSE.
 *
 * Modes (argv[2]): none = probe; `child` = child-process check;
 * `listener net|http PORT` = one reusePort listener. Cluster workers and
 * worker threads re-enter this file and are recognised by cluster.isWorker /
 * isMainThread. Helpers exit when their stdin closes, so a killed probe
 * leaves no orphans.
 */
import cluster from 'node:cluster';
import http from 'node:http';
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { selfSpawnArgs } from '../core/runtime-info.ts';
import { linkToDriver } from '../core/subject/driver-link.ts';
import type { Message } from '../core/subject/protocol.ts';
import { TIMED_OUT, type Capability, type CapabilityResult } from './capability-names.ts';
import type { FromProbe } from './probe-protocol.ts';
import { enableCompileCache } from '../core/compile-cache.ts';

// Compile cache for what loads from here on and for this process's children (src/core/compile-cache.ts).
enableCompileCache();

const self = new URL(import.meta.url).pathname;
/** Generous: on a 2-core machine under load, starting two cluster workers can take seconds. */
const CHECK_TIMEOUT_MS = 20_000;
const HELPER_LIFETIME_MS = 30_000;

type Check = () => Promise<CapabilityResult>;

function yes(reason?: string): CapabilityResult {
  return reason ? { supported: true, reason } : { supported: true };
}

function no(reason: string): CapabilityResult {
  return { supported: false, reason };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Helpers end with their parent: stdin closes when the parent dies, however it dies. */
function exitWithParent(): void {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
  setTimeout(() => process.exit(0), HELPER_LIFETIME_MS).unref();
}

const children = new Set<ChildProcess>();

function startHelper(args: string[]): ChildProcess {
  const { command, args: prefix } = selfSpawnArgs(self);
  const child = spawn(command, [...prefix, ...args], { stdio: ['pipe', 'pipe', 'ignore'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const newline = buffered.indexOf('\n');
      if (newline >= 0) resolve(buffered.slice(0, newline).trim());
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`helper exited (${code}) before answering`)));
  });
}

/** Opens a connection and returns what the server says (the PID of the process that accepted it). */
function askPid(port: number, protocol: 'net' | 'http'): Promise<string> {
  if (protocol === 'http') {
    return new Promise((resolve, reject) => {
      // A fresh connection per request, so the kernel balances each one.
      const request = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve(body.trim()));
      });
      request.on('error', reject);
    });
  }
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let body = '';
    socket.on('data', (chunk: Buffer) => (body += chunk.toString()));
    socket.on('end', () => resolve(body.trim()));
    socket.on('error', reject);
  });
}

async function distinctResponders(
  port: number,
  protocol: 'net' | 'http',
  connections: number,
): Promise<Set<string>> {
  const pids = new Set<string>();
  for (let i = 0; i < connections; i++) pids.add(await askPid(port, protocol));
  return pids;
}

const checkWorkerThreads: Check = async () => {
  const worker = new Worker(new URL(import.meta.url));
  try {
    const reply = await new Promise<unknown>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage({ kind: 'echo', value: 41 });
    });
    return reply === 42 ? yes() : no(`worker answered ${JSON.stringify(reply)} instead of 42`);
  } finally {
    await worker.terminate();
  }
};

const checkSharedMemory: Check = async () => {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') {
    return no('SharedArrayBuffer or Atomics is missing');
  }
  const shared = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(new URL(import.meta.url));
  try {
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.postMessage({ kind: 'atomics', buffer: shared.buffer });
    });
    // The worker added 5 through its own view: only real shared memory shows it here.
    return Atomics.load(shared, 0) === 5
      ? yes()
      : no('a worker write to a SharedArrayBuffer was not visible');
  } finally {
    await worker.terminate();
  }
};

const checkChildProcess: Check = async () => {
  const child = startHelper(['child']);
  const line = await firstLine(child);
  return line === 'child-ok' ? yes() : no(`child answered '${line}'`);
};

function checkCluster(protocol: 'net' | 'http'): Check {
  return async () => {
    if (typeof cluster.fork !== 'function') return no('node:cluster has no fork()');
    // The worker learns which server to start from its environment (cluster.fork passes it on).
    const workers = [
      cluster.fork({ CONLAB_PROBE_CLUSTER: protocol }),
      cluster.fork({ CONLAB_PROBE_CLUSTER: protocol }),
    ];
    try {
      const ports = await Promise.all(
        workers.map(
          (worker) =>
            new Promise<number>((resolve, reject) => {
              worker.once('listening', (address: { port: number }) => resolve(address.port));
              worker.once('error', reject);
              worker.once('exit', (code: number) => reject(new Error(`cluster worker exited (${code})`)));
            }),
        ),
      );
      const [first, second] = ports;
      if (first === undefined || first !== second) {
        return no(`two cluster workers listening on port 0 got different ports instead of sharing one`);
      }
      const pids = await distinctResponders(first, protocol, 8);
      return yes(`${pids.size} of 2 workers answered 8 connections`);
    } finally {
      for (const worker of workers) worker.process.kill();
    }
  };
}

function checkReusePort(protocol: 'net' | 'http'): Check {
  return async () => {
    const first = startHelper(['listener', protocol, '0']);
    const firstReply = await firstLine(first);
    const port = Number(/^listening (\d+)$/.exec(firstReply)?.[1]);
    if (!port) return no(`a first listener with reusePort failed (${firstReply})`);
    const second = startHelper(['listener', protocol, String(port)]);
    const secondReply = await firstLine(second);
    if (!secondReply.startsWith('listening')) {
      // Without the port number, the reason is the same in every probe (skip reasons are compared across runs).
      return no(
        `a second process could not listen on the same port (${secondReply.replaceAll(String(port), 'P')})`,
      );
    }
    const pids = await distinctResponders(port, protocol, 24);
    if (pids.size < 2) {
      return no('two processes listened on one port but only one received connections (24 tried)');
    }
    return yes();
  };
}

const checkSqlite: Check = async () => {
  interface Sqlite {
    DatabaseSync: new (path: string) => {
      exec(sql: string): void;
      prepare(sql: string): { get(...params: unknown[]): unknown };
      close(): void;
    };
  }
  const sqlite = (await import('node:sqlite')) as unknown as Sqlite;
  const db = new sqlite.DatabaseSync(':memory:');
  try {
    db.exec("CREATE TABLE kv(key TEXT PRIMARY KEY, val TEXT); INSERT INTO kv VALUES ('k0001', 'v1');");
    const row = db.prepare('SELECT val FROM kv WHERE key = ?').get('k0001') as { val?: string } | undefined;
    return row?.val === 'v1' ? yes() : no(`a SELECT returned ${JSON.stringify(row)}`);
  } finally {
    db.close();
  }
};

function blockFor(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const checkEventLoopDelay: Check = async () => {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  await sleep(30);
  blockFor(150);
  await sleep(30);
  histogram.disable();
  const maxMs = histogram.max / 1e6;
  // A real histogram saw the 150 ms block; a stub reads near zero.
  return maxMs >= 75 ? yes() : no(`it does not measure: a 150 ms block read as ${maxMs.toFixed(3)} ms`);
};

const checkEventLoopUtilization: Check = async () => {
  if (typeof performance.eventLoopUtilization !== 'function')
    return no('performance.eventLoopUtilization is missing');
  const start = performance.eventLoopUtilization();
  blockFor(50);
  await sleep(30);
  const delta = performance.eventLoopUtilization(start);
  return delta.active > 0 && delta.idle + delta.active > 0
    ? yes()
    : no('it reports no idle or active time (a stub)');
};

const checks: Record<Capability, Check> = {
  // This file is TypeScript: that the probe runs at all is the check.
  typescript: () => Promise.resolve(yes()),
  worker_threads: checkWorkerThreads,
  child_process: checkChildProcess,
  'cluster-net': checkCluster('net'),
  'cluster-http': checkCluster('http'),
  'reusePort-net': checkReusePort('net'),
  'reusePort-http': checkReusePort('http'),
  sqlite: checkSqlite,
  sharedArrayBuffer: checkSharedMemory,
  monitorEventLoopDelay: checkEventLoopDelay,
  eventLoopUtilization: checkEventLoopUtilization,
};

async function runCheck(check: Check): Promise<CapabilityResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      check(),
      new Promise<CapabilityResult>((resolve) => {
        timer = setTimeout(() => resolve(no(`${TIMED_OUT} ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
  } catch (error) {
    return no(message(error));
  } finally {
    clearTimeout(timer);
    for (const child of children) child.kill('SIGKILL');
  }
}

async function probe(): Promise<void> {
  // Nobody to answer to once the driver is gone.
  const driver = linkToDriver<Message<never>, FromProbe>({
    accepts: (_value: unknown): _value is Message<never> => false,
    onMessage: () => undefined,
    onDriverGone: () => process.exit(1),
  });
  const results: Partial<Record<Capability, CapabilityResult>> = {};
  // One at a time: the checks spawn processes and time blocks, and must not disturb each other.
  for (const [name, check] of Object.entries(checks) as [Capability, Check][]) {
    results[name] = await runCheck(check);
  }
  driver.send({ t: 'done', capabilities: results });
  process.exit(0);
}

function serveListener(protocol: 'net' | 'http', port: number): void {
  exitWithParent();
  const onError = (error: Error): void => {
    process.stdout.write(`error ${error.message}\n`);
  };
  const options = { host: '127.0.0.1', port, reusePort: true };
  if (protocol === 'http') {
    const server = http.createServer((_request, response) => {
      response.setHeader('connection', 'close');
      response.end(String(process.pid));
    });
    server.on('error', onError);
    server.listen(options, () => {
      const address = server.address();
      process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : port}\n`);
    });
  } else {
    const server = net.createServer((socket) => socket.end(String(process.pid)));
    server.on('error', onError);
    server.listen(options, () => {
      const address = server.address();
      process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : port}\n`);
    });
  }
}

function serveClusterWorker(): void {
  const options = { host: '127.0.0.1', port: 0 };
  if (process.env.CONLAB_PROBE_CLUSTER === 'http') {
    http
      .createServer((_request, response) => {
        response.setHeader('connection', 'close');
        response.end(String(process.pid));
      })
      .listen(options);
  } else {
    net.createServer((socket) => socket.end(String(process.pid))).listen(options);
  }
  setTimeout(() => process.exit(0), HELPER_LIFETIME_MS).unref();
}

function serveWorkerThread(): void {
  parentPort?.on('message', (request: { kind: string; value?: number; buffer?: SharedArrayBuffer }) => {
    if (request.kind === 'echo') parentPort?.postMessage((request.value ?? 0) + 1);
    if (request.kind === 'atomics' && request.buffer) {
      Atomics.add(new Int32Array(request.buffer), 0, 5);
      parentPort?.postMessage('done');
    }
  });
}

const [mode, protocol, port] = process.argv.slice(2);
if (!isMainThread) serveWorkerThread();
else if (cluster.isWorker) serveClusterWorker();
else if (mode === 'child') process.stdout.write('child-ok\n');
else if (mode === 'listener' && (protocol === 'net' || protocol === 'http'))
  serveListener(protocol, Number(port));
else await probe();
