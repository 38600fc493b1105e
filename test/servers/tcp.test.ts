/**
 * The raw TCP protocol (PROTOCOL.md §1) under every architecture on Node 24:
 * echo on one-shot and persistent connections, compute answering "done",
 * and a half-closing client still getting its reply.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { architectures } from '../../src/servers/subject/arch/registry.ts';
import { tcpCall } from '../../src/servers/driver/http-client.ts';
import { startServer, type StartedServer } from './helpers.ts';

/** Sends `count` pings on one connection, each after the previous reply; returns the replies. */
function persistentPings(port: number, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const replies: string[] = [];
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(20_000, () => socket.destroy(new Error('timeout')));
    socket.on('connect', () => socket.write('ping'));
    socket.on('data', (chunk: Buffer) => {
      replies.push(chunk.toString());
      if (replies.length === count) {
        socket.end();
        resolve(replies);
      } else socket.write('ping');
    });
    socket.on('error', reject);
  });
}

function halfCloseExchange(port: number): Promise<{ reply: string; ended: boolean }> {
  return new Promise((resolve, reject) => {
    let reply = '';
    const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    socket.setTimeout(20_000, () => socket.destroy(new Error('timeout')));
    socket.on('connect', () => socket.end('ping'));
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString()));
    socket.on('end', () => resolve({ reply, ended: true }));
    socket.on('error', reject);
  });
}

for (const arch of architectures.names()) {
  for (const mode of ['echo', 'compute'] as const) {
    describe(`tcp ${mode} on ${arch}`, () => {
      let started: StartedServer | undefined;
      let skip = '';
      before(async () => {
        const result = await startServer({
          arch,
          tcp: true,
          mode,
          spinIters: 50_000,
          workers: 2,
          threads: 2,
        });
        if (result.kind === 'ok') started = result.started;
        else skip = result.reason;
      });
      after(async () => {
        if (!started) return;
        const report = await started.server.stop();
        assert.deepEqual(report.leftovers, []);
        assert.equal(report.graceful, true);
      });
      const expected = mode === 'echo' ? 'ping' : 'done';

      it('one-shot connections (the seed client) get one reply each', async (t) => {
        if (!started) return t.skip(skip);
        for (let i = 0; i < 4; i++)
          assert.equal(await tcpCall('127.0.0.1', started.server.port, 'ping'), expected);
      });
      it('a persistent connection gets one reply per ping', async (t) => {
        if (!started) return t.skip(skip);
        assert.deepEqual(await persistentPings(started.server.port, 5), Array(5).fill(expected));
      });
      it('a half-closing client still gets its reply, then the connection ends', async (t) => {
        if (!started) return t.skip(skip);
        assert.deepEqual(await halfCloseExchange(started.server.port), { reply: expected, ended: true });
      });
    });
  }
}
