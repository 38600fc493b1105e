/**
 * No orphans even when the primary dies without cleaning up (SIGKILL): every
 * unit notices its pipe/IPC channel closing and exits on its own. And none
 * when the driver (`conlab bench-server`) is interrupted or SIGKILLed mid-load.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { groupMembers } from '../../src/core/subject/process-group.ts';
import { architectures } from '../../src/servers/subject/arch/registry.ts';
import { killMidRun } from '../fixtures/orphans.ts';
import { startServer } from './helpers.ts';

/** Architectures whose units are child processes (the registry's unit kind): those are what could be orphaned. */
const multiProcess = architectures
  .all()
  .filter((arch) => arch.unit === 'process')
  .map((arch) => arch.name);

for (const arch of multiProcess) {
  it(`${arch}: units exit when the primary is SIGKILLed`, async (t) => {
    const result = await startServer({ arch, workers: 2, threads: 1 });
    assert.equal(result.kind, 'ok');
    if (result.kind !== 'ok') return;
    const { server } = result.started;
    t.after(() => server.stop(1000));
    const before = groupMembers(server.pid);
    assert.ok(before.length >= 3, `primary and two units running: ${before.join(', ')}`);
    process.kill(server.pid, 'SIGKILL');
    let left = groupMembers(server.pid);
    for (let i = 0; i < 100 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = groupMembers(server.pid);
    }
    assert.deepEqual(left, [], 'no unit outlived its primary');
  });
}

for (const signal of ['SIGINT', 'SIGKILL'] as const) {
  it(`bench-server: ${signal} to the driver mid-load leaves no process`, async (t) => {
    const result = await killMidRun(t, {
      args: ['bench-server', '--arch', 'prefork', '--workers', '2', '--threads', '1', '--duration', '30'],
      signal,
      // The primary and its two units are up: the load is running or about to.
      minGroupSize: 3,
      stderrMatch: /repetition 1\/1/,
      delayMs: 1000,
    });
    if (signal === 'SIGINT') {
      assert.equal(result.code, 130, result.stderr);
      assert.match(result.stderr, /interrupted by SIGINT; every server process was killed/);
    } else assert.equal(result.exitSignal, 'SIGKILL');
  });
}
