/**
 * The server launcher's side of the protocol: readiness is the server's
 * `ready` message with the address it really bound (an IPv6 host comes back
 * in brackets in the URL and the human line), and every event loop of the
 * server — the primary's and each unit's — reports its statistics over the
 * window the driver marks.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { httpCall } from '../../src/servers/driver/http-client.ts';
import { hostPort, LISTENING_RE, listeningLine } from '../../src/servers/driver/launch.ts';
import { startServer } from './helpers.ts';

it('the listening line is made from the ready message and parses back, IPv6 included', () => {
  const ready = {
    t: 'ready' as const,
    protocol: 'tcp' as const,
    host: '::1',
    port: 4100,
    pid: 42,
    arch: 'single',
    workers: 1,
    threads: 0,
    runtime: 'node@24.21.0',
    tcpMode: 'echo' as const,
  };
  const line = listeningLine(ready);
  assert.equal(
    line,
    'listening tcp://[::1]:4100 pid=42 arch=single workers=1 threads=0 runtime=node@24.21.0 mode=echo',
  );
  const m = LISTENING_RE.exec(line);
  assert.deepEqual(m?.slice(1, 5), ['tcp', '[::1]', '4100', '42']);
  assert.equal(hostPort('127.0.0.1', 80), '127.0.0.1:80');
});

it('a server bound to ::1 says so, and answers there', async (t) => {
  const result = await startServer({ arch: 'single', host: '::1' });
  assert.equal(result.kind, 'ok');
  if (result.kind !== 'ok') return;
  const { server } = result.started;
  t.after(() => server.stop());
  assert.equal(server.ready.host, '::1');
  assert.equal(server.url, `http://[::1]:${server.port}`);
  assert.equal((await httpCall(server.url, '/hello')).body, 'hello');
});

it('cluster: the primary and both units report their event loops over the marked window', async (t) => {
  const result = await startServer({ arch: 'cluster', workers: 2 });
  assert.equal(result.kind, 'ok');
  if (result.kind !== 'ok') return;
  const { server, baseUrl } = result.started;
  t.after(() => server.stop());
  server.startMeasuring();
  for (let i = 0; i < 20; i++) await httpCall(baseUrl, '/hello');
  const stats = await server.eventLoopStats();
  assert.equal(stats.length, 3, JSON.stringify(stats));
  assert.equal(stats[0]?.pid, server.pid, 'the primary first');
  assert.equal(new Set(stats.map((s) => s.pid)).size, 3, 'three processes');
  for (const loop of stats) {
    assert.ok((loop.durationMs ?? 0) > 0);
    assert.ok(loop.utilization === null || (loop.utilization >= 0 && loop.utilization <= 1));
  }
  const stopped = await server.stop();
  assert.equal(stopped.graceful, true);
  assert.equal(stopped.restarts, 0, 'the server said how it stopped');
});
