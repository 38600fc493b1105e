/**
 * An I/O-bound workload module: per item, "call a remote API" — wait a
 * seeded latency as a network round trip would (a timer: no network is
 * used), then parse the JSON reply and keep what is needed. Most of an
 * item is waiting, so `async` with many items in flight beats threads,
 * and `sequential` pays every latency in turn.
 *
 *   conlab batch --workload examples/workloads/remote-api.ts --models sequential,async,threads --concurrency 2,16
 */
import { setTimeout as sleep } from 'node:timers/promises';

export const kind = 'io';

export const params = { latencyMs: 40, jitterMs: 40 };

export const description = 'await a simulated remote call (timer latency), then parse its JSON reply';

/** The latency of item i, the same on every runtime and in every worker: 40..80 ms by default. */
function latencyMs(item: number, p: typeof params): number {
  const spread = (Math.imul(item + 1, 2654435761) >>> 0) / 4294967296;
  return p.latencyMs + Math.round(spread * p.jitterMs);
}

export default async function call(
  item: number,
  p: typeof params,
): Promise<{ id: number; plan: string; seats: number }> {
  await sleep(latencyMs(item, p));
  const reply = JSON.stringify({
    id: item,
    account: { plan: item % 3 === 0 ? 'team' : 'solo', seats: 1 + (item % 7) },
  });
  const parsed = JSON.parse(reply) as { id: number; account: { plan: string; seats: number } };
  return { id: parsed.id, plan: parsed.account.plan, seats: parsed.account.seats };
}
