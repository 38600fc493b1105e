import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { discoverRuntimes, identifyRuntime, resolveRuntime } from '../../src/runtimes/registry.ts';
import { LabError } from '../../src/core/errors.ts';

const run = promisify(execFile);
const bin = new URL('../../bin/conlab.js', import.meta.url).pathname;

test('the pinned node, bun and deno are discovered with versions', () => {
  const found = discoverRuntimes();
  const byName = new Map(found.map((r) => [r.name, r]));
  const node = byName.get('node')?.spec;
  assert.ok(node);
  assert.equal(node.kind, 'node');
  assert.match(node.version, /^24\.\d+\.\d+$/);
  assert.equal(node.label, `node@${node.version}`);
  assert.equal(byName.get('bun')?.spec?.kind, 'bun');
  assert.equal(byName.get('deno')?.spec?.kind, 'deno');
  // system-node is listed whether or not it exists; when missing it says why.
  const system = byName.get('system-node');
  assert.ok(system && (system.spec !== null || (system.error ?? '').length > 0));
});

test('a user path to a runtime resolves like the named one', () => {
  const named = resolveRuntime('bun');
  const byPath = resolveRuntime(named.binPath);
  assert.equal(byPath.label, named.label);
  assert.equal(byPath.name, named.binPath);
  assert.deepEqual(byPath.scriptArgs('x.ts', ['a']), ['x.ts', 'a']);
  assert.deepEqual(resolveRuntime('deno').scriptArgs('x.ts', ['a']), [
    'run',
    '-A',
    '--quiet',
    '--unstable-net',
    'x.ts',
    'a',
  ]);
});

function assertRuntimeError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof LabError);
    assert.equal(error.code, 'LAB_E_UNKNOWN_RUNTIME');
    assert.equal(error.exitCode, 2);
    assert.match(error.message, pattern);
    // Every such error lists what this machine has.
    assert.match(error.message, /found: .*node \(node@24\./);
    return true;
  });
}

test('an unknown name, a missing path and a non-runtime binary are LAB_E_UNKNOWN_RUNTIME listing what was found', () => {
  assertRuntimeError(() => resolveRuntime('nodee'), /unknown runtime 'nodee'/);
  assertRuntimeError(() => resolveRuntime('/no/such/dir/node'), /does not exist/);
  assertRuntimeError(() => resolveRuntime('/tmp'), /not a file/);
  assertRuntimeError(() => resolveRuntime('/bin/ls'), /not a node, bun or deno binary/);
});

test('identifyRuntime tells runtimes apart by what --version prints', () => {
  assert.deepEqual(identifyRuntime('v24.21.0\n', '/x/node'), { kind: 'node', version: '24.21.0' });
  assert.deepEqual(identifyRuntime('v25.0.0-nightly20260101abc\n', '/x/node'), {
    kind: 'node',
    version: '25.0.0',
  });
  assert.deepEqual(identifyRuntime('deno 2.9.6 (stable, release)\nv8 13\n', '/x/deno'), {
    kind: 'deno',
    version: '2.9.6',
  });
  assert.deepEqual(identifyRuntime('1.4.5\n', '/home/u/.bun/bin/bun'), { kind: 'bun', version: '1.4.5' });
  // A bare version from something not called bun is not trusted.
  assert.equal(identifyRuntime('1.4.5\n', '/usr/bin/tool'), null);
  assert.equal(identifyRuntime('Python 3.11.2', '/usr/bin/python3'), null);
});

test('conlab runtimes --runtime with a bad path exits 2 with the code and the list', async () => {
  await assert.rejects(
    run(process.execPath, [bin, 'runtimes', '--runtime', '/no/such/bun']),
    (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 2);
      assert.match(error.stderr, /LAB_E_UNKNOWN_RUNTIME/);
      assert.match(error.stderr, /found: /);
      assert.doesNotMatch(error.stderr, /\n\s+at /, 'no stack trace');
      return true;
    },
  );
});
