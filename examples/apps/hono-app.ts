/**
 * An example app for `conlab bench-server --app` (README, "Measure your own
 * code"): a Hono app, as you would write it for Bun.serve, Deno.serve or
 * @hono/node-server, exported the way all of them take it. conlab hosts it
 * under every architecture without changes.
 *
 *   GET /hello             light: the per-request cost of the server itself
 *   GET /hash?n=N&seed=S   CPU-heavy: a SHA-256 chain of N rounds over S
 *                          (h0 = S, h(k) = sha256(h(k-1))), the kind of work
 *                          that blocks an event loop; the answer is checkable
 *                          (n=1000, seed=conlab → 7f398101c624…)
 */
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { Hono } from 'hono';

const MAX_ROUNDS = 1_000_000;

const app = new Hono();

app.get('/hello', (c) => c.text('hello'));

app.get('/hash', (c) => {
  const n = Number(c.req.query('n') ?? '2000');
  if (!Number.isInteger(n) || n < 1 || n > MAX_ROUNDS) {
    return c.json({ error: `n must be a whole number in 1..${MAX_ROUNDS}` }, 400);
  }
  const seed = c.req.query('seed') ?? 'conlab';
  let digest: Uint8Array = Buffer.from(seed, 'utf8');
  for (let round = 0; round < n; round++) digest = createHash('sha256').update(digest).digest();
  return c.json({ n, seed, digest: Buffer.from(digest).toString('hex') });
});

export default app;
