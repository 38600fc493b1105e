/**
 * Workload modules in one process: the canonical JSON of results, the
 * driver's check of a module (every bad input: missing file, missing export,
 * not a function, throws while loading, bad params), params typed like the
 * module's defaults, and a loaded module running sync and async tasks with
 * its own items. The whole path through subjects and pools is
 * test/batch/workload-module.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLabError, type LabError } from '../../src/core/errors.ts';
import { getWorkload, loadWorkload, resolveParams, workloadLabel } from '../../src/workloads/index.ts';
import { canonicalJson, NotJsonError } from '../../src/workloads/module/json.ts';
import { inspectModule } from '../../src/workloads/module/inspect.ts';
import { resolveModuleRef, splitRef } from '../../src/workloads/module/ref.ts';
import type { ItemAnswer } from '../../src/workloads/types.ts';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const fixture = (name: string): string => join(fixtures, name);

/** Asserts fn throws LAB_E_WORKLOAD_MODULE whose message matches every pattern. */
function assertModuleError(fn: () => unknown, ...patterns: RegExp[]): LabError {
  let caught: unknown;
  assert.throws(fn, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(isLabError(caught), String(caught));
  assert.equal(caught.code, 'LAB_E_WORKLOAD_MODULE', caught.message);
  for (const pattern of patterns) assert.match(caught.message, pattern);
  assert.ok((caught.hint ?? '').length > 0, 'a hint says how to fix it');
  return caught;
}

test('canonical JSON: one text whatever the key order; non-JSON values named with their path', () => {
  assert.equal(
    canonicalJson({ b: 1, a: [true, null, 'x', { d: 2, c: -0 }] }),
    '{"a":[true,null,"x",{"c":0,"d":2}],"b":1}',
  );
  assert.equal(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }));
  assert.equal(canonicalJson('é"\n'), JSON.stringify('é"\n'));
  const cases: [unknown, RegExp][] = [
    [{ when: new Date(0) }, /a Date at \.when/],
    [{ list: [1, undefined] }, /undefined at \.list\[1\]/],
    [[Number.NaN], /NaN at \[0\]/],
    [{ n: 10n }, /a BigInt at \.n/],
    [new Map(), /a Map is not a JSON value/],
    [{ bytes: new Uint8Array(2) }, /a Uint8Array at \.bytes/],
    [() => 1, /a function/],
  ];
  for (const [value, pattern] of cases)
    assert.throws(
      () => canonicalJson(value),
      (error: unknown) => error instanceof NotJsonError && pattern.test(error.message),
    );
});

test('inspection of a namespace: the contract, and what was found instead', () => {
  const task = (item: unknown) => item;
  assert.deepEqual(inspectModule({ default: task }, 'default', 'm.ts'), {
    ok: true,
    task: { async: false, params: {}, kind: 'cpu', hasItems: false, description: undefined },
  });
  const full = inspectModule(
    {
      run: async () => Promise.resolve(1),
      items: () => [],
      params: { n: 1, on: true, mode: 'x' },
      kind: 'io',
      description: 'd',
    },
    'run',
    'm.ts',
  );
  assert.deepEqual(full, {
    ok: true,
    task: {
      async: true,
      params: { n: 1, on: true, mode: 'x' },
      kind: 'io',
      hasItems: true,
      description: 'd',
    },
  });
  const problems: [Record<string, unknown>, string, RegExp][] = [
    [
      { resize: task, limit: 3 },
      'default',
      /has no default export → exports found: resize: a function; limit: a number \(3\)/,
    ],
    [{}, 'default', /it exports nothing/],
    [{ default: 'x' }, 'default', /export 'default' is a string \("x"\), not a function/],
    [{ default: class Task {} }, 'default', /is a class, not a function/],
    [{ default: task, items: [1, 2] }, 'default', /export 'items' is an array, not a function/],
    [{ default: task, params: { size: [1] } }, 'default', /params\.size is an array/],
    [{ default: task, params: 3 }, 'default', /export 'params' is a number \(3\), not an object/],
    [{ default: task, kind: 'gpu' }, 'default', /export 'kind' is a string \("gpu"\); allowed: 'cpu', 'io'/],
  ];
  for (const [namespace, name, pattern] of problems) {
    const inspection = inspectModule(namespace, name, 'm.ts');
    assert.equal(inspection.ok, false);
    if (!inspection.ok) assert.match(inspection.problem, pattern);
  }
  const named = inspectModule({ resize: task }, 'default', 'm.ts');
  assert.ok(
    !named.ok && /--workload m\.ts#resize/.test(named.hint),
    'the hint names an export that would work',
  );
});

test('bad modules are refused before anything runs: path and what was found instead', () => {
  const missing = fixture('no-such-task.ts');
  assertModuleError(() => getWorkload(missing), /not found/, new RegExp(missing));
  assertModuleError(
    () => getWorkload('./no-such-task.ts', fixtures),
    /not found: there is no file/,
    new RegExp(missing),
  );
  assertModuleError(() => getWorkload(fixtures), /is a folder/);
  assertModuleError(
    () => getWorkload(fixture('named-only.mjs')),
    /named-only\.mjs has no default export → exports found: limit: a number \(10\); resize: a function/,
  );
  assertModuleError(() => getWorkload(`${fixture('named-only.mjs')}#rezise`), /has no export 'rezise'/);
  assertModuleError(
    () => getWorkload(fixture('not-a-function.ts')),
    /not-a-function\.ts export 'default' is a number \(42\), not a function/,
  );
  assertModuleError(
    () => getWorkload(fixture('throws-on-load.mjs')),
    /throws-on-load\.mjs failed while loading under node@[\d.]+: fixture cannot start: missing API key/,
  );
  const dir = mkdtempSync(join(tmpdir(), 'conlab-module-'));
  try {
    writeFileSync(join(dir, 'task.txt'), 'export default () => 1;');
    assertModuleError(() => getWorkload(join(dir, 'task.txt')), /not a JavaScript or TypeScript module/);
    writeFileSync(join(dir, 'exits.mjs'), 'process.exit(7);');
    assertModuleError(
      () => getWorkload(join(dir, 'exits.mjs')),
      /ended the process while loading \(exit code 7\)/,
    );
    writeFileSync(join(dir, 'params.mjs'), 'export const params = { when: null };\nexport default () => 1;');
    assertModuleError(() => getWorkload(join(dir, 'params.mjs')), /params\.when is null/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a good module resolves to path#export@hash; an edited module is another workload', () => {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-module-'));
  try {
    const path = join(dir, 'task.mjs');
    writeFileSync(path, 'export default (item) => item;\n');
    const first = getWorkload('./task.mjs', dir);
    const ref = splitRef(first.name);
    assert.equal(ref.path, path);
    assert.equal(ref.exportName, 'default');
    assert.match(ref.hash ?? '', /^[0-9a-f]{16}$/);
    assert.equal(first.label, 'task.mjs');
    assert.equal(workloadLabel(first.name), 'task.mjs');
    assert.equal(getWorkload(first.name), first, 'a resolved name is the same workload');
    writeFileSync(path, 'export default (item) => item + 1;\n');
    const second = getWorkload(path);
    assert.notEqual(second.name, first.name);
    // A process that knows the old name keeps it (no file read per lookup); resolving it anew notices the edit,
    // and a subject checks the hash before it runs (below).
    assertModuleError(
      () => resolveModuleRef(first.name, '/'),
      /changed since it was resolved \(content hash/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('params are typed like the module defaults; unknown keys name the known ones', () => {
  const workload = getWorkload(fixture('sync-task.ts'));
  assert.equal(workload.kind, 'cpu');
  assert.deepEqual(resolveParams(workload, {}), { rounds: 3, tag: 'fx', upper: false });
  assert.deepEqual(resolveParams(workload, { rounds: '5', tag: 'x y', upper: 'true' }), {
    rounds: 5,
    tag: 'x y',
    upper: true,
  });
  assert.deepEqual(resolveParams(workload, { rounds: 2.5, upper: false }), {
    rounds: 2.5,
    tag: 'fx',
    upper: false,
  });
  const refused: [Record<string, unknown>, RegExp][] = [
    [{ rounds: 'many' }, /param 'rounds' = 'many' is not a number/],
    [{ upper: 'yes' }, /param 'upper' = 'yes' is not true or false/],
    [{ tag: 3 }, /param 'tag' = '3' is not a string/],
    [{ round: '1' }, /unknown sync-task\.ts param 'round' → allowed: rounds, tag, upper/],
  ];
  for (const [raw, pattern] of refused) {
    assert.throws(
      () => resolveParams(workload, raw),
      (error: unknown) =>
        isLabError(error) && error.code === 'LAB_E_BAD_PARAM' && pattern.test(error.message),
    );
  }
  const none = getWorkload(fixture('named-only.mjs#resize'));
  assert.throws(() => resolveParams(none, { x: '1' }), /takes no params/);
});

async function answersOf(
  run: (i: number) => ItemAnswer | Promise<ItemAnswer>,
  count: number,
): Promise<ItemAnswer[]> {
  const answers: ItemAnswer[] = [];
  for (let i = 0; i < count; i++) answers.push(await run(i));
  return answers;
}

test('a loaded module runs its items; every way of running an item gives the same digest', async () => {
  const name = getWorkload(fixture('sync-task.ts')).name;
  const params = { rounds: 2, tag: 'fx', upper: true };
  const workload = await loadWorkload(name, { params, items: 5 });
  assert.equal(getWorkload(name), workload, 'getWorkload returns the loaded workload from then on');
  assert.equal(workload.itemValues?.length, 5);
  const { runItem } = workload;
  assert.ok(runItem);
  const direct = await answersOf((i) => workload.runSync(params, i), 5);
  const viaAsync = await answersOf((i) => workload.runAsync(params, i), 5);
  // What a pool worker does: the item's value travels with the task (as JSON).
  const travelled = JSON.parse(JSON.stringify(workload.itemValues)) as unknown[];
  const inWorker = await answersOf((i) => runItem(params, i, travelled[i]), 5);
  assert.deepEqual(viaAsync, direct);
  assert.deepEqual(inWorker, direct);
  assert.match(String(direct[1]), /^\{"id":1,"mixed":\d+,"tag":"FX"\}$/, 'canonical: keys sorted');
  const answer = workload.combine(direct);
  assert.match(String(answer), /^sha256:[0-9a-f]{16}$/);
  assert.equal(workload.combine([...direct]), answer);
  assert.notEqual(workload.combine([...direct].reverse()), answer, 'item order is part of the answer');
});

test('async tasks: awaited by runItem; the synchronous path refuses them with the reason', async () => {
  const name = getWorkload(fixture('async-task.ts')).name;
  assert.equal(getWorkload(name).asyncTask, true);
  assert.equal(getWorkload(name).kind, 'io');
  const promisedName = getWorkload(`${fixture('async-task.ts')}#promised`).name;
  assert.equal(
    getWorkload(promisedName).asyncTask,
    false,
    'a plain function that returns a promise is known only by calling it',
  );
  for (const ref of [name, promisedName]) {
    const workload = await loadWorkload(ref, { params: { delayMs: 1 }, items: 3 });
    const runItem = workload.runItem;
    assert.ok(runItem);
    const pending = runItem({}, 2);
    assert.equal(typeof pending, 'object');
    assert.equal(await pending, '{"id":2,"square":4}');
    assert.equal(await workload.runAsync({}, 2), '{"id":2,"square":4}');
    assert.throws(() => workload.runSync({}, 1), /returned a Promise for item 1.*async-blocking/);
  }
});

test('a task that throws, or returns what is not JSON, fails with the item and the reason', async () => {
  const name = getWorkload(fixture('faulty.mjs')).name;
  const workload = await loadWorkload(name, { params: { throwAt: 2, hangAt: -1, dateAt: 3 }, items: 5 });
  assert.equal(workload.runSync({}, 1), '3');
  assert.throws(() => workload.runSync({}, 2), /faulty\.mjs item 2 threw: fixture refuses item 2/);
  assert.throws(
    () => workload.runSync({}, 3),
    /faulty\.mjs item 3: its result: a Date at \.when is not a JSON value/,
  );
  await assert.rejects(workload.runAsync({}, 2), /item 2 threw/);
});

test('items(): one JSON value per item, or the cell cannot start', async () => {
  const name = getWorkload(fixture('bad-items.mjs')).name;
  await assert.rejects(
    loadWorkload(name, { params: { short: true }, items: 4 }),
    /items\(4, params\) returned 3 values; it must return 4/,
  );
  await assert.rejects(
    loadWorkload(name, { params: { short: false }, items: 4 }),
    /items\(\)\[1\]: a BigInt is not a JSON value/,
  );
});

test('a subject refuses a module that changed since the run was planned', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-module-'));
  try {
    const path = join(dir, 'task.ts');
    copyFileSync(fixture('faulty.mjs'), path);
    const name = getWorkload(path).name;
    writeFileSync(path, `${'// edited\n'}export default () => 0;\n`);
    await assert.rejects(loadWorkload(name, { params: {}, items: 2 }), /changed since the run was planned/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
