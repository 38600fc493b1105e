/**
 * The capability probe runs for real under each runtime (fresh, not from the
 * cache). Facts asserted are the ones conlab depends on, not a copy of the
 * probe's table: Node 24 can do everything; every "no" carries a reason; the
 * event-loop probe's choice of delay method agrees with what the probe found.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolveRuntime } from '../../src/runtimes/registry.ts';
import {
  capabilityNames,
  parseCapability,
  capabilitiesFromProbe,
  probeCapabilities,
  requireCapability,
} from '../../src/runtimes/capabilities.ts';
import { delayMethodFor } from '../../src/monitor/subject-stats.ts';
import { LabError } from '../../src/core/errors.ts';

const run = promisify(execFile);
const bin = new URL('../../bin/conlab.js', import.meta.url).pathname;

for (const name of ['node', 'bun', 'deno']) {
  test(`capability probe on ${name}`, async () => {
    const runtime = resolveRuntime(name);
    const probed = await probeCapabilities(runtime, { refresh: true });
    assert.equal(probed.runtime, runtime.label);
    assert.deepEqual(Object.keys(probed.capabilities).sort(), [...capabilityNames].sort());
    // Every subject is TypeScript and the batch lab's pools need these on every runtime we ship.
    for (const needed of ['typescript', 'worker_threads', 'child_process'] as const) {
      assert.equal(
        probed.capabilities[needed].supported,
        true,
        `${name} ${needed}: ${probed.capabilities[needed].reason}`,
      );
    }
    for (const capability of capabilityNames) {
      const result = probed.capabilities[capability];
      if (!result.supported)
        assert.ok((result.reason ?? '').length > 0, `${name} ${capability} says no without a reason`);
      const reason = await requireCapability(runtime, capability);
      if (result.supported) assert.equal(reason, null);
      else assert.equal(reason, `unsupported on ${runtime.label} (${capability}: ${result.reason})`);
    }
    if (name === 'node') {
      for (const capability of capabilityNames)
        assert.equal(probed.capabilities[capability].supported, true, capability);
    }
    // subject-stats.ts falls back to a timer sampler exactly where the native histogram does not measure.
    assert.equal(
      delayMethodFor(runtime.kind) === 'native',
      probed.capabilities.monitorEventLoopDelay.supported,
    );
    // The second ask comes from the cache: same answer, same probe time.
    assert.equal((await probeCapabilities(runtime)).probedAt, probed.probedAt);
  });
}

test('a runtime that cannot run TypeScript is skipped for everything, with that reason', () => {
  const capabilities = capabilitiesFromProbe(
    null,
    'TypeError [ERR_UNKNOWN_FILE_EXTENSION]: Unknown file extension ".ts"',
    1,
  );
  for (const capability of capabilityNames) {
    assert.equal(capabilities[capability].supported, false);
    assert.match(capabilities[capability].reason ?? '', /cannot run TypeScript/);
  }
  const partial = capabilitiesFromProbe({ typescript: { supported: true } }, '', 0);
  assert.equal(partial.typescript.supported, true);
  assert.deepEqual(partial['cluster-http'], { supported: false, reason: 'the probe did not report it' });
});

test('capability names are validated with a suggestion', () => {
  assert.equal(parseCapability('cluster-http'), 'cluster-http');
  assert.throws(
    () => parseCapability('clustr-http'),
    (error: unknown) =>
      error instanceof LabError &&
      error.code === 'LAB_E_BAD_PARAM' &&
      /did you mean 'cluster-http'/.test(error.hint ?? ''),
  );
});

test('conlab runtimes prints every runtime and capability, as a table and as JSON', async () => {
  const { stdout } = await run(process.execPath, [bin, 'runtimes']);
  assert.match(stdout, /^name\s+version\s+ts\s+threads/m);
  for (const name of ['node', 'bun', 'deno'])
    assert.match(stdout, new RegExp(`^${name}\\s+${name}@\\d+\\.\\d+\\.\\d+\\s+yes`, 'm'));
  const json = JSON.parse((await run(process.execPath, [bin, 'runtimes', '--json'])).stdout) as {
    name: string;
    runtime: string | null;
    capabilities: Record<string, { supported: boolean }> | null;
  }[];
  const node = json.find((r) => r.name === 'node');
  assert.match(node?.runtime ?? '', /^node@24\./);
  assert.deepEqual(Object.keys(node?.capabilities ?? {}).sort(), [...capabilityNames].sort());
});
