/**
 * No orphans even when the primary dies without cleaning up (SIGKILL): every
 * unit notices its pipe/IPC channel closing and exits on its own.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { groupMembers } from '../../src/servers/driver/launch.ts';
import { architectures } from '../../src/servers/subject/arch/registry.ts';
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
