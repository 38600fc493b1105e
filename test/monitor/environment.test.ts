import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { captureEnvironment } from '../../src/monitor/environment.ts';
import { resolveRuntime } from '../../src/runtimes/registry.ts';

test('captureEnvironment records the machine, the runtimes and conlab itself', () => {
  const node = resolveRuntime('node');
  const env = captureEnvironment([node.label, node.label, 'bun@1.4.5']);
  assert.equal(env.cores, availableParallelism());
  assert.equal(env.memoryBytes, totalmem());
  assert.ok(env.cpuModel.length > 0 && env.cpuModel !== 'unknown');
  assert.ok(env.kernel.length > 0);
  assert.match(env.os, /\(linux|\(darwin|\(win32/);
  assert.deepEqual(env.runtimes, [node.label, 'bun@1.4.5'], 'deduplicated, order kept');
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  assert.equal(env.conlabVersion, pkg.version);
  if (existsSync(new URL('../../.git', import.meta.url)))
    assert.match(env.conlabCommit ?? '', /^[0-9a-f]{12}$/);
  assert.ok(env.loadAverage1m >= 0);
  assert.ok(env.hostname.length > 0);
  assert.ok(Math.abs(Date.parse(env.capturedAt) - Date.now()) < 60_000);
  const governorPath = '/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor';
  assert.equal(env.governor, existsSync(governorPath) ? readFileSync(governorPath, 'utf8').trim() : null);
});
