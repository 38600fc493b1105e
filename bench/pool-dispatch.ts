/**
 * Pool dispatch overhead: no-op tasks per second through conlab's thread
 * pool vs piscina (same 2 workers, same tasks in flight), vs a raw
 * worker_threads postMessage ping-pong with 64 in flight per worker; and
 * conlab's process pool vs raw child_process.fork IPC with 64 in flight.
 * Everything runs in the same process, interleaved round by round, so
 * machine noise hits every contender alike. Prints medians and ratios.
 *
 *   node bench/pool-dispatch.ts [--tasks 200000] [--rounds 5]
 */
import { fork } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { Pool } from '../src/models/pool/pool.ts';
import { getWorkload, resolveParams } from '../src/workloads/index.ts';

const { values } = parseArgs({
  options: { tasks: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '5' } },
});
const TASKS = Number(values.tasks);
const ROUNDS = Number(values.rounds);
const WORKERS = 2;
const IN_FLIGHT = 64; // per worker
const fixture = (name: string): string => new URL(name, import.meta.url).pathname;

type Contender = { name: string; run(tasks: number): Promise<void>; close(): Promise<void> };

/** Keeps IN_FLIGHT messages outstanding per endpoint until `tasks` replies came back. */
function pingPong(
  endpoints: { send(n: number): void; onReply(cb: () => void): void }[],
  tasks: number,
): Promise<void> {
  return new Promise((resolve) => {
    let sent = 0;
    let received = 0;
    for (const endpoint of endpoints) {
      endpoint.onReply(() => {
        received++;
        if (sent < tasks) endpoint.send(sent++);
        else if (received === tasks) resolve();
      });
      for (let k = 0; k < IN_FLIGHT && sent < tasks; k++) endpoint.send(sent++);
    }
  });
}

async function rawThreads(): Promise<Contender> {
  const workers = Array.from({ length: WORKERS }, () => new Worker(fixture('./pool-fixture-raw-thread.ts')));
  let handlers: (() => void)[] = [];
  workers.forEach((worker, i) => worker.on('message', () => handlers[i]?.()));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('online', resolve))));
  return {
    name: 'raw postMessage ping-pong',
    run(tasks) {
      handlers = [];
      return pingPong(
        workers.map((worker, i) => ({
          send: (n) => worker.postMessage(n),
          onReply: (cb) => (handlers[i] = cb),
        })),
        tasks,
      );
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

async function rawFork(): Promise<Contender> {
  const children = Array.from({ length: WORKERS }, () => fork(fixture('./pool-fixture-raw-fork.ts')));
  let handlers: (() => void)[] = [];
  children.forEach((child, i) => child.on('message', () => handlers[i]?.()));
  // Ready once a first echo comes back.
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          child.once('message', resolve);
          child.send(-1);
        }),
    ),
  );
  return {
    name: 'raw fork IPC ping-pong',
    run(tasks) {
      handlers = [];
      return pingPong(
        children.map((child, i) => ({ send: (n) => child.send(n), onReply: (cb) => (handlers[i] = cb) })),
        tasks,
      );
    },
    async close() {
      await Promise.all(
        children.map(
          (child) =>
            new Promise((resolve) => {
              child.once('exit', resolve);
              child.kill();
            }),
        ),
      );
    },
  };
}

async function conlabPool(kind: 'thread' | 'process', itemsPerTask: number): Promise<Contender> {
  const pool = new Pool({
    kind,
    size: WORKERS,
    workload: 'echo',
    params: resolveParams(getWorkload('echo'), {}),
    threadsPerProcess: 0,
    inFlightPerWorker: IN_FLIGHT,
    startTimeoutMs: 60_000,
  });
  await pool.start();
  return {
    name: `conlab ${kind} pool${itemsPerTask > 1 ? ` (${itemsPerTask} items/task)` : ''}`,
    async run(tasks) {
      const answers = await pool.run(tasks, itemsPerTask);
      if (answers.length !== tasks || answers[tasks - 1] !== tasks - 1)
        throw new Error('conlab pool: wrong answers');
    },
    close: () => pool.stop(),
  };
}

async function piscina(): Promise<Contender> {
  const pool = new Piscina({
    filename: fixture('./pool-fixture-piscina.ts'),
    minThreads: WORKERS,
    maxThreads: WORKERS,
    concurrentTasksPerWorker: IN_FLIGHT,
    idleTimeout: 60_000,
  });
  await Promise.all(Array.from({ length: WORKERS * 4 }, (_, i) => pool.run(i)));
  return {
    name: 'piscina (same workers, same in flight)',
    async run(tasks) {
      // The same total in flight as the others: WORKERS × IN_FLIGHT outstanding at any time.
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < tasks) {
          const n = next++;
          if ((await pool.run(n)) !== n) throw new Error('piscina: wrong answer');
        }
      };
      await Promise.all(Array.from({ length: WORKERS * IN_FLIGHT }, lane));
    },
    close: () => pool.close(),
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

const spread = new Map<string, string>();

async function measure(groups: Contender[][]): Promise<Map<string, number>> {
  const rates = new Map<string, number[]>();
  const all = groups.flat();
  for (const contender of all) await contender.run(Math.min(20_000, TASKS)); // warm the JIT of both sides
  for (let round = 0; round < ROUNDS; round++) {
    for (const contender of all) {
      const t0 = performance.now();
      await contender.run(TASKS);
      const rate = TASKS / ((performance.now() - t0) / 1000);
      rates.set(contender.name, [...(rates.get(contender.name) ?? []), rate]);
    }
  }
  for (const [name, xs] of rates) {
    spread.set(name, `${Math.round(Math.min(...xs) / 1000)}k–${Math.round(Math.max(...xs) / 1000)}k`);
  }
  return new Map([...rates].map(([name, xs]) => [name, median(xs)]));
}

function print(title: string, rates: Map<string, number>, reference: string): void {
  const ref = rates.get(reference) ?? NaN;
  console.log(`\n${title}`);
  for (const [name, rate] of rates) {
    console.log(
      `  ${name.padEnd(42)} ${Math.round(rate).toString().padStart(9)} tasks/s (rounds ${spread.get(name) ?? '?'})  ${(rate / ref).toFixed(2)}× of ${reference}`,
    );
  }
}

console.log(
  `machine: ${availableParallelism()} cores, load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} at start`,
);
console.log(
  `pool dispatch: ${TASKS} no-op tasks per round, ${ROUNDS} rounds (median), ${WORKERS} workers, ${IN_FLIGHT} in flight per worker, node ${process.versions.node}`,
);
const threadContenders = [
  await rawThreads(),
  await conlabPool('thread', 1),
  await conlabPool('thread', 64),
  await piscina(),
];
try {
  const rates = await measure([threadContenders]);
  print('threads', rates, 'raw postMessage ping-pong');
  const conlab = rates.get('conlab thread pool') ?? NaN;
  const pisc = rates.get('piscina (same workers, same in flight)') ?? NaN;
  console.log(`  conlab thread pool ÷ piscina = ${(conlab / pisc).toFixed(2)} (goal ≥ 1.5)`);
} finally {
  for (const contender of threadContenders) await contender.close();
}
const processContenders = [await rawFork(), await conlabPool('process', 1), await conlabPool('process', 64)];
try {
  print('processes', await measure([processContenders]), 'raw fork IPC ping-pong');
} finally {
  for (const contender of processContenders) await contender.close();
}
console.log(
  `load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} at end`,
);
