/**
 * Who served: the processes and threads that answered /whoami, each asked on
 * a new connection (a kept-alive connection always reaches the same unit).
 * Two ways to ask: a burst after the measured window (bench-server, suites),
 * or one request at a time while the load runs (seed 004, which counts who
 * served under load). A failed sample says nothing about who serves; the
 * load's own errors say the rest.
 */
import { WHOAMI_RE } from './endpoints.ts';
import { httpCall } from './http-client.ts';

export interface ServedBy {
  /** Distinct PIDs in the answers, ascending. */
  pids: number[];
  /** Distinct serving units as "pid/thread" (thread 0 = main thread), by pid then thread. */
  units: string[];
  /** How many answers these come from. */
  samples: number;
}

function tally(timeoutMs: number): { ask(baseUrl: string): Promise<void>; result(): ServedBy } {
  const units = new Map<string, { pid: number; thread: number }>();
  let samples = 0;
  return {
    async ask(baseUrl) {
      try {
        const response = await httpCall(baseUrl, '/whoami', { timeoutMs });
        const match = WHOAMI_RE.exec(response.body);
        if (response.status !== 200 || !match) return;
        const pid = Number(match[2]);
        const thread = Number(match[3]);
        units.set(`${pid}/${thread}`, { pid, thread });
        samples++;
      } catch {
        // Not an answer: it names no one.
      }
    },
    result() {
      const sorted = [...units.values()].sort((a, b) => a.pid - b.pid || a.thread - b.thread);
      return {
        pids: [...new Set(sorted.map((unit) => unit.pid))],
        units: sorted.map((unit) => `${unit.pid}/${unit.thread}`),
        samples,
      };
    },
  };
}

/** `samples` /whoami requests at once, each on its own new connection. */
export async function sampleServedBy(baseUrl: string, samples: number): Promise<ServedBy> {
  // Generous: the burst lands on a server that may still be draining the load's queue.
  const seen = tally(30_000);
  await Promise.all(Array.from({ length: samples }, () => seen.ask(baseUrl)));
  return seen.result();
}

/**
 * Asks /whoami on a new connection, one request at a time with ~10 ms
 * between, until stopped. Light on purpose (one request in flight) so that
 * it barely adds to the load it observes.
 */
export function startServedBySampler(baseUrl: string): { stop(): Promise<ServedBy> } {
  // Short: stop() waits for the request in flight, and a stalled server must not hold the cell up.
  const seen = tally(10_000);
  let running = true;
  const loop = (async () => {
    while (running) {
      await seen.ask(baseUrl);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return seen.result();
    },
  };
}
