/**
 * The raw TCP protocol (PROTOCOL.md §1): one reply per chunk received, in
 * order, on one-shot connections (the seed 000 client) and persistent ones.
 * A client that half-closes still gets the replies it is owed, then the
 * connection ends; resets and idle clients never take the server down.
 */
import net from 'node:net';
import { spin } from '../work/compute.ts';

export type TcpMode = 'echo' | 'compute';

export type TcpReplier = (chunk: Buffer) => Promise<Buffer> | Buffer;

const DONE = Buffer.from('done');

/** The reply of one chunk when the work runs in this thread. */
export function inlineTcpReplier(mode: TcpMode, spinIters: number): TcpReplier {
  if (mode === 'echo') return (chunk) => chunk;
  return () => {
    spin(spinIters);
    return DONE;
  };
}

export function createTcpServer(reply: TcpReplier, idleTimeoutMs = 30_000): net.Server {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    let pending: Promise<void> = Promise.resolve();
    let ended = false;
    socket.setNoDelay(true);
    socket.setTimeout(idleTimeoutMs, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      // Chain per connection so replies leave in the order their chunks came.
      pending = pending
        .then(() => reply(chunk))
        .then((answer) => {
          if (!socket.destroyed) socket.write(answer);
        })
        .catch(() => {
          socket.destroy();
        });
    });
    socket.on('end', () => {
      ended = true;
      void pending.then(() => {
        if (ended && !socket.destroyed) socket.end();
      });
    });
  });
  return server;
}
