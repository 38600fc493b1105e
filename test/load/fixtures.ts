/**
 * Real fixture servers for the load generator's tests, on 127.0.0.1 port 0:
 * each one misbehaves in exactly one documented way. Every server counts the
 * requests it answered, so a test can check the generator against the
 * server's own view.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface Fixture {
  url: string;
  port: number;
  /** Replies the server sent (successful or not). */
  answered(): number;
  close(): Promise<void>;
}

function listen(
  server: Server,
  scheme: 'http' | 'tcp',
  sockets: Set<Socket>,
  answered: () => number,
): Promise<Fixture> {
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('no port'));
        return;
      }
      resolve({
        url: `${scheme}://127.0.0.1:${address.port}${scheme === 'http' ? '/' : ''}`,
        port: address.port,
        answered,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

function httpFixture(handler: Handler): Promise<Fixture> {
  let count = 0;
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res, ++count));
  });
  server.keepAliveTimeout = 60_000;
  return listen(server, 'http', new Set(), () => count);
}

/** 200 `hello`, Content-Length framed. */
export function okServer(): Promise<Fixture> {
  return httpFixture((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5' });
    res.end('hello');
  });
}

/** 200 `hello` after `delayMs`. */
export function slowServer(delayMs: number): Promise<Fixture> {
  return httpFixture((_req, res) => {
    setTimeout(() => res.end('hello'), delayMs);
  });
}

/** 200 with a chunked body `hel` + `lo` (no Content-Length). */
export function chunkedServer(): Promise<Fixture> {
  return httpFixture((_req, res) => {
    res.write('hel');
    res.end('lo');
  });
}

/**
 * Answers at once, except that the first request after `afterMs` (counted
 * from the first request) freezes the whole server for `stallMs` with a
 * synchronous loop: every connection stalls together, which is what makes
 * an uncorrected client hide the stall (coordinated omission).
 */
export function stallOnceServer(afterMs: number, stallMs: number): Promise<Fixture> {
  let firstAt = 0;
  let stalled = false;
  return httpFixture((_req, res) => {
    const now = performance.now();
    if (firstAt === 0) firstAt = now;
    if (!stalled && now - firstAt >= afterMs) {
      stalled = true;
      while (performance.now() - now < stallMs) {
        // Deliberate busy wait: the stall under test.
      }
    }
    res.end('hello');
  });
}

/**
 * The stall the issue found wrk and conlab blind to: answers at once, until
 * `afterMs` after the first request; then it holds every reply until the
 * stall has lasted `stallMs` (without blocking this process: the replies
 * wait on timers). `stalledAt()` is when it began (performance.now of this
 * process), null before. Closing the fixture drops the held replies.
 */
export async function stallingServer(
  afterMs: number,
  stallMs: number,
): Promise<Fixture & { stalledAt(): number | null }> {
  let firstAt: number | null = null;
  let stalledAt: number | null = null;
  const held = new Set<NodeJS.Timeout>();
  const fixture = await httpFixture((_req, res) => {
    const now = performance.now();
    firstAt ??= now;
    if (stalledAt === null && now - firstAt >= afterMs) stalledAt = now;
    if (stalledAt === null || now - stalledAt >= stallMs) {
      res.end('hello');
      return;
    }
    const timer = setTimeout(
      () => {
        held.delete(timer);
        res.end('hello');
      },
      stallMs - (now - stalledAt),
    );
    held.add(timer);
  });
  return {
    ...fixture,
    stalledAt: () => stalledAt,
    close: () => {
      for (const timer of held) clearTimeout(timer);
      return fixture.close();
    },
  };
}

/** 500 `oops` to everything. */
export function errorServer(): Promise<Fixture> {
  return httpFixture((_req, res) => {
    res.writeHead(500);
    res.end('oops');
  });
}

/**
 * 200 `hello` (Content-Length) to the first `good` requests, then a changed
 * reply: `same-length` (`hellx`), `longer` (`hello!`), `chunked` (`hello`
 * in two chunks: still right) or `status` (503 `hello`). Replies within one
 * second are byte-identical, so the generator's template fast path is in use
 * when the change comes, and must not let a changed reply through.
 */
export function changingServer(
  good: number,
  change: 'same-length' | 'longer' | 'chunked' | 'status',
): Promise<Fixture> {
  return httpFixture((_req, res, n) => {
    if (n <= good || change === 'status') {
      res.writeHead(n <= good ? 200 : 503, { 'content-type': 'text/plain', 'content-length': '5' });
      res.end('hello');
    } else if (change === 'chunked') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('hel');
      res.end('lo');
    } else {
      const body = change === 'same-length' ? 'hellx' : 'hello!';
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(body.length) });
      res.end(body);
    }
  });
}

/** 200 with the wrong body `nope`. */
export function wrongBodyServer(): Promise<Fixture> {
  return httpFixture((_req, res) => res.end('nope'));
}

function netFixture(
  scheme: 'http' | 'tcp',
  onSocket: (socket: Socket, count: () => void) => void,
): Promise<Fixture> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    socket.on('error', () => {});
    onSocket(socket, () => count++);
  });
  return listen(server, scheme, sockets, () => count);
}

/** Resets (RST) every connection when its first bytes arrive. */
export function resetServer(): Promise<Fixture> {
  return netFixture('http', (socket) => socket.once('data', () => socket.resetAndDestroy()));
}

/** Accepts and closes at once without a byte. */
export function acceptCloseServer(): Promise<Fixture> {
  return netFixture('http', (socket) => socket.end());
}

/** Accepts and never answers. */
export function hangServer(): Promise<Fixture> {
  return netFixture('http', (socket) => socket.resume());
}

/** HTTP/1.0 answer without Content-Length, body ended by closing (seed 004's server). */
export function http10Server(): Promise<Fixture> {
  return netFixture('http', (socket, count) => {
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      count();
      socket.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello');
    });
  });
}

/** PROTOCOL.md §1: one reply per chunk received, `echo` or `done`. */
export function tcpServer(mode: 'echo' | 'compute' | 'wrong'): Promise<Fixture> {
  return netFixture('tcp', (socket, count) => {
    socket.on('data', (chunk: Buffer) => {
      count();
      socket.write(mode === 'echo' ? chunk : mode === 'compute' ? 'done' : 'pong');
    });
  });
}

/** A port with nothing listening: bound, then released. */
export async function closedPort(): Promise<number> {
  const fixture = await okServer();
  await fixture.close();
  return fixture.port;
}

/** Answers `METHOD x-test-header body`, so a test can check what the generator sent. */
export function echoRequestServer(): Promise<Fixture> {
  let count = 0;
  const server = createHttpServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('end', () => {
      count++;
      const header = req.headers['x-test'];
      res.end(
        `${req.method} ${typeof header === 'string' ? header : '-'} ${Buffer.concat(parts).toString()}`,
      );
    });
  });
  return listen(server, 'http', new Set(), () => count);
}

export interface PathServer {
  base: string;
  seen: Map<string, number>;
  close(): Promise<void>;
}

/** /a → "alpha", POST /b echoes its body with 201, /bad → 500, anything else 404; counts requests per "METHOD path". */
export async function pathServer(): Promise<PathServer> {
  const seen = new Map<string, number>();
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const key = `${req.method} ${req.url}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      if (req.url === '/a') res.end('alpha');
      else if (req.url === '/b' && req.method === 'POST') {
        res.writeHead(201, { 'content-type': req.headers['content-type'] ?? '' });
        res.end(Buffer.concat(chunks));
      } else if (req.url === '/bad') {
        res.writeHead(500);
        res.end('broken');
      } else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
