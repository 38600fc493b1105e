/**
 * A server that is not the bottleneck: Bun.serve (bench/load-vs-peers.ts
 * runs it under bun, pinned to core 0). Prints its port.
 */
interface BunGlobal {
  serve(options: { hostname: string; port: number; fetch(): Response }): { port: number };
}

const bun = (globalThis as unknown as { Bun?: BunGlobal }).Bun;
if (bun === undefined) {
  process.stderr.write('load-bun-server.ts must run under bun\n');
  process.exit(2);
}
const server = bun.serve({
  hostname: '127.0.0.1',
  port: Number(process.argv[2] ?? 0),
  fetch: () => new Response('hello', { headers: { 'content-type': 'text/plain' } }),
});
process.stdout.write(`${server.port}\n`);
