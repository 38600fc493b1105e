/**
 * The references of bench/app-hosting.ts: the same fetch app served without
 * conlab. `node-adapter` (Node or Deno): a bare node:http server with the
 * plainest correct adapter — build a Request, call fetch, write status,
 * headers and body. `native`: the runtime's own server, Bun.serve({ fetch })
 * on Bun, Deno.serve on Deno. Prints "listening http://127.0.0.1:PORT pid=N"
 * like conlab serve; ends on SIGTERM or when stdin closes.
 *
 *   <runtime> bench/app-hosting-bare.ts node-adapter|native
 */
import http from 'node:http';
import app from './fixtures/hello-fetch-app.ts';

interface NativeServe {
  Bun?: {
    serve(options: { hostname: string; port: number; fetch(request: Request): Response }): { port: number };
  };
  Deno?: {
    serve(
      options: { hostname: string; port: number; onListen(address: { port: number }): void },
      handler: (request: Request) => Response,
    ): unknown;
  };
}

const say = (port: number): void =>
  void process.stdout.write(`listening http://127.0.0.1:${port} pid=${process.pid}\n`);
const mode = process.argv[2];

if (mode === 'native') {
  const g = globalThis as NativeServe;
  if (g.Bun)
    say(g.Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (request) => app.fetch(request) }).port);
  else if (g.Deno)
    g.Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: ({ port }) => say(port) }, (request) =>
      app.fetch(request),
    );
  else {
    process.stderr.write('native: run under bun or deno\n');
    process.exit(2);
  }
} else {
  const server = http.createServer((req, res) => {
    const headers = new Headers();
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
      headers.append(req.rawHeaders[i] ?? '', req.rawHeaders[i + 1] ?? '');
    const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
      method: req.method,
      headers,
    });
    void Promise.resolve(app.fetch(request)).then(async (response: Response) => {
      const body = new Uint8Array(await response.arrayBuffer());
      const out: Record<string, string> = { 'content-length': String(body.byteLength) };
      response.headers.forEach((value, name) => {
        out[name] = value;
      });
      res.writeHead(response.status, out);
      res.end(body);
    });
  });
  server.listen({ host: '127.0.0.1', port: 0 }, () => {
    const address = server.address();
    say(typeof address === 'object' && address ? address.port : 0);
  });
}
process.on('SIGTERM', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
