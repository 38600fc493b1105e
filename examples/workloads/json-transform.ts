/**
 * A CPU-bound workload module: per item, build an order document from the
 * item's seed, serialise it as a service would receive it, then parse,
 * transform (filter, group, total) and serialise the answer — the
 * JSON.parse + transform + JSON.stringify loop of many Node services.
 *
 *   conlab batch --workload examples/workloads/json-transform.ts --models sequential,threads,processes --concurrency 2
 *
 * The item is only its seed (a number), so almost nothing crosses to a
 * worker: the document is built where the item runs. Return the document
 * itself from items() instead to measure shipping it too.
 */

/** Defaults; `--param orders=2000` (a number), `--param currency=USD` (a string). */
export const params = { orders: 500, linesPerOrder: 8, currency: 'EUR' };

export const description = 'build, parse, transform and stringify an order document per item';

/** One seed per item: small, so a pool sends almost nothing. */
export function items(count: number): number[] {
  return Array.from({ length: count }, (_, i) => 1000 + i * 7919);
}

/** A small seeded generator (mulberry32): the same document on every runtime and in every worker. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TAGS = ['books', 'garden', 'kitchen', 'toys', 'music', 'sports'];

interface Line {
  sku: string;
  tag: string;
  quantity: number;
  /** Whole cents: totals stay exact integers on every engine. */
  priceCents: number;
}

function orderDocument(seed: number, p: typeof params): string {
  const next = random(seed);
  const orders = Array.from({ length: p.orders }, (_, id) => ({
    id: `${seed}-${id}`,
    customer: { id: Math.floor(next() * 50_000), country: next() < 0.5 ? 'DE' : 'FR' },
    status: next() < 0.9 ? 'paid' : 'refunded',
    lines: Array.from({ length: p.linesPerOrder }, (): Line => ({
      sku: `SKU-${Math.floor(next() * 1e6)}`,
      tag: TAGS[Math.floor(next() * TAGS.length)] ?? 'misc',
      quantity: 1 + Math.floor(next() * 4),
      priceCents: 99 + Math.floor(next() * 20_000),
    })),
  }));
  return JSON.stringify({ currency: p.currency, orders });
}

interface OrderIn {
  id: string;
  customer: { id: number; country: string };
  status: string;
  lines: Line[];
}

/** The task: parse, keep paid orders, total them per tag, and answer with a small summary. */
export default function transform(seed: number, p: typeof params): Record<string, unknown> {
  const text = orderDocument(seed, p);
  const document = JSON.parse(text) as { currency: string; orders: OrderIn[] };
  const perTag = new Map<string, number>();
  let paid = 0;
  for (const order of document.orders) {
    if (order.status !== 'paid') continue;
    paid++;
    for (const line of order.lines) {
      perTag.set(line.tag, (perTag.get(line.tag) ?? 0) + line.quantity * line.priceCents);
    }
  }
  const report = JSON.stringify({
    currency: document.currency,
    paid,
    totals: [...perTag].sort(([a], [b]) => a.localeCompare(b)).map(([tag, cents]) => ({ tag, cents })),
  });
  // A summary, not the whole document: results travel back from workers and are digested.
  return { seed, inputBytes: text.length, outputBytes: report.length, paid };
}
