/**
 * The event-loop probe runs inside subjects on every runtime: each runtime
 * runs a fixture that blocks its loop for known times, and the figures it
 * reports must show the blocking (gross facts) or be null with a reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolveRuntime } from '../../src/runtimes/registry.ts';
import type { EventLoopStats } from '../../src/monitor/types.ts';

const run = promisify(execFile);
const fixture = new URL('./fixtures/block-loop.ts', import.meta.url).pathname;

for (const name of ['node', 'bun', 'deno']) {
  test(`event-loop probe on ${name}: delay shows a 100 ms block; missing figures are null with a reason`, async () => {
    const runtime = resolveRuntime(name);
    const { stdout } = await run(runtime.binPath, runtime.scriptArgs(fixture), { timeout: 30_000 });
    const [main, worker] = JSON.parse(stdout) as EventLoopStats[];
    assert.ok(main && worker);
    for (const stats of [main, worker]) {
      assert.equal(stats.runtime, runtime.label);
      assert.ok(stats.pid > 0);
      if (stats.delayMaxMs === null) {
        assert.match(stats.unsupportedReason ?? '', /unsupported on|not measured on/);
      } else {
        assert.ok(
          stats.delayMaxMs >= 50,
          `${name} thread ${stats.threadId}: max delay ${stats.delayMaxMs} ms after a 100 ms block`,
        );
        assert.ok(stats.delayP50Ms !== null && stats.delayP50Ms <= stats.delayMaxMs);
      }
      if (stats.utilization === null) {
        assert.match(
          stats.unsupportedReason ?? '',
          new RegExp(`eventLoopUtilization unsupported on ${runtime.label}`),
        );
      } else {
        assert.ok(stats.utilization > 0.2 && stats.utilization <= 1, `utilization ${stats.utilization}`);
      }
    }
    assert.equal(main.threadId, 0);
    assert.notEqual(worker.threadId, 0);
    // Node measures both; a regression there is a bug, not a capability gap.
    if (name === 'node') {
      assert.notEqual(main.utilization, null);
      assert.notEqual(main.delayMaxMs, null);
    }
  });
}

test('a loop blocked for the whole window reads as delayed by about that window, not as unmeasured', async () => {
  const { startEventLoopProbe } = await import('../../src/monitor/subject-stats.ts');
  const probe = startEventLoopProbe({ resolutionMs: 10 });
  const blockUntil = performance.now() + 80;
  while (performance.now() < blockUntil) {
    // Sync work that never yields: the "falsely async" pitfall.
  }
  const stats = probe.stop();
  assert.notEqual(stats.delayMaxMs, null, stats.unsupportedReason ?? 'no reason given');
  assert.ok((stats.delayMaxMs ?? 0) >= 60, `blocked 80 ms, delay read ${stats.delayMaxMs} ms`);
});
