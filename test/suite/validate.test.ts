import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ErrorCodes, LabError } from '../../src/core/errors.ts';
import { parseSuiteText } from '../../src/suite/parse.ts';
import { applyOverrides, resolveSuite } from '../../src/suite/resolve.ts';
import { defaultCatalog } from '../../src/suite/catalog.ts';
import { cellRule, expandSuite, planOrder } from '../../src/suite/expand.ts';
import { prepareSuite } from '../../src/suite/load.ts';

const run = promisify(execFile);
const bin = new URL('../../bin/conlab.js', import.meta.url).pathname;

function suiteError(text: string): LabError {
  try {
    resolveSuite(parseSuiteText(text, 'test.yaml'), 'test.yaml', defaultCatalog);
  } catch (error) {
    assert.ok(error instanceof LabError, `expected a LabError, got ${String(error)}`);
    return error;
  }
  assert.fail('the suite was accepted');
}

const base = `name: t
runtimes: [node]
batch:
  - workload: cpu.sha256
    models: [sequential, threads]
`;

test('a typo in a nested key is refused with its path and a suggestion', () => {
  const error = suiteError(base.replace('models:', 'modles:'));
  assert.equal(error.code, 'LAB_E_SUITE_INVALID');
  assert.match(error.message, /batch\[0\]\.modles: unknown key/);
  assert.match(error.message, /did you mean 'models'\?/);
  assert.match(error.hint ?? '', /rename 'modles' to 'models'/);
});

test('a typo in a top-level key names the key', () => {
  const error = suiteError(`${base}repetitons: 3\n`);
  assert.match(error.message, /repetitons: unknown key/);
  assert.match(error.message, /did you mean 'repetitions'/);
});

test('a wrong type names the field and the expected type', () => {
  const error = suiteError(`${base}repetitions: three\n`);
  assert.equal(error.code, 'LAB_E_SUITE_INVALID');
  assert.match(error.message, /repetitions: .*expected number/i);
  const inList = suiteError(
    base.replace('models: [sequential, threads]', 'models: [sequential, threads]\n    concurrency: [1, two]'),
  );
  assert.match(inList.message, /batch\[0\]\.concurrency\[1\]: .*expected number/i);
});

test('an enum typo lists the allowed values and suggests one', () => {
  const error = suiteError(`${base}order: interleave\n`);
  assert.match(error.message, /order: not one of interleaved, shuffled, sequential/);
  assert.match(error.hint ?? '', /did you mean 'interleaved'/);
});

test('unknown workload, model and architecture names are refused with suggestions', () => {
  const workload = suiteError(base.replace('cpu.sha256', 'cpu.sha265'));
  assert.match(workload.message, /batch\[0\]\.workload: unknown workload 'cpu.sha265'/);
  assert.match(workload.hint ?? '', /did you mean 'cpu.sha256'/);
  const model = suiteError(base.replace('threads]', 'thread]'));
  assert.match(model.message, /batch\[0\]\.models\[1\]: unknown model 'thread'/);
  const arch = suiteError(`name: t\nserver:\n  - architectures: [clustr]\n`);
  assert.match(arch.message, /server\[0\]\.architectures\[0\]: unknown architecture 'clustr'/);
  assert.match(arch.hint ?? '', /did you mean 'cluster'/);
});

test('an empty matrix is refused before anything runs', () => {
  const error = suiteError('name: empty\nruntimes: [node]\n');
  assert.match(error.message, /empty matrix/);
  const emptyList = suiteError('name: t\nbatch:\n  - workload: cpu.sha256\n    models: []\n');
  assert.match(emptyList.message, /batch\[0\]\.models/);
});

test('impossible combinations are refused: threads per process without hybrid, bad params', () => {
  const error = suiteError(
    base.replace('models: [sequential, threads]', 'models: [threads]\n    threadsPerProcess: 2'),
  );
  assert.match(error.message, /threadsPerProcess: .*only applies to model 'hybrid'/);
  const param = suiteError(base.replace('models:', 'params: { itres: 5 }\n    models:'));
  assert.match(param.message, /batch\[0\]\.params: unknown cpu.sha256 param 'itres'/);
});

test('resolution fills every default and expansion collapses axes that do not apply', () => {
  const suite = resolveSuite(
    parseSuiteText(
      `${base.replace('models: [sequential, threads]', 'models: [sequential, threads, hybrid]\n    concurrency: [1, 2]\n    threadsPerProcess: [1, 2]')}seed: 7\n`,
      'x',
    ),
    'x',
    defaultCatalog,
  );
  assert.equal(suite.repetitions, 3);
  assert.equal(suite.order, 'interleaved');
  assert.equal(suite.seed, 7);
  assert.ok(Object.keys(suite.batch[0]?.params ?? {}).length > 0, 'workload param defaults are filled in');
  const cells = expandSuite(suite);
  // sequential ×1, threads ×2 levels, hybrid ×2 levels ×2 threads.
  assert.equal(cells.length, 1 + 2 + 4);
  assert.equal(new Set(cells.map((cell) => cell.cellKey)).size, cells.length);
  const plan = planOrder(suite, cells);
  assert.equal(plan.length, cells.length * 3);
  // Interleaved: every cell's repetition r comes before any repetition r + 1.
  const rounds = plan.map((step) => step.repetition);
  assert.deepEqual(
    rounds,
    [...rounds].sort((a, b) => a - b),
  );
  // The shuffle is seeded: the same seed gives the same order.
  assert.deepEqual(planOrder(suite, cells), plan);
  assert.notDeepEqual(planOrder({ ...suite, seed: 8 }, cells), plan);
});

test('CLI overrides are validated like the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-suite-'));
  try {
    const file = join(dir, 's.yaml');
    writeFileSync(file, base);
    assert.equal(prepareSuite(file, { repetitions: 5 }).suite.repetitions, 5);
    const levels = prepareSuite(file, { concurrency: [1, 4] });
    assert.deepEqual(levels.suite.batch[0]?.concurrency, [1, 4]);
    assert.equal(levels.cells.length, 1 + 2, 'sequential once, threads at 1 and 4');
    assert.throws(() => prepareSuite(file, { concurrency: [0] }), /batch\[0\]\.concurrency/);
    assert.throws(() => prepareSuite(file, { order: 'randm' }), /order: not one of/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('repetitions: auto resolves its rule; minWindowS its window; defaults are filled in', () => {
  const resolve = (extra: string) =>
    resolveSuite(parseSuiteText(`${base}${extra}`, 'x'), 'x', defaultCatalog);
  const fixed = resolve('');
  assert.deepEqual([fixed.repetitions, fixed.adaptive, fixed.minWindowS], [3, null, 1]);
  const auto = resolve('repetitions: auto\n');
  assert.deepEqual(auto.adaptive, { minRepetitions: 3, maxRepetitions: 10, targetPercent: 5 });
  assert.equal(auto.repetitions, 3, 'the plan holds the minimum; extra rounds follow');
  const tuned = resolve('repetitions: auto\nprecision: 2.5%\nmaxRepetitions: 8\nminWindowS: 0.5\n');
  assert.deepEqual(tuned.adaptive, { minRepetitions: 3, maxRepetitions: 8, targetPercent: 2.5 });
  assert.equal(tuned.minWindowS, 0.5);
  assert.equal(
    resolve('repetitions: auto\nprecision: 4\n').adaptive?.targetPercent,
    4,
    'a bare number is a percentage',
  );
});

test('a minimum window, a precision or a maximum out of range is refused with the key and the range', () => {
  const cases: [string, RegExp][] = [
    ['minWindowS: 0\n', /minWindowS: 0 is not a number of seconds in 0\.01\.\.600/],
    ['minWindowS: -1\n', /minWindowS: -1 is not a number of seconds in 0\.01\.\.600/],
    ['minWindowS: 604800\n', /minWindowS: 604800 is not a number of seconds in 0\.01\.\.600/],
    ['repetitions: auto\nprecision: 0%\n', /precision: 0% is not in 0\.1%\.\.50%/],
    ['repetitions: auto\nprecision: -5%\n', /precision: -5% is not in 0\.1%\.\.50%/],
    ['repetitions: auto\nprecision: 1000%\n', /precision: 1000% is not in 0\.1%\.\.50%/],
    ['repetitions: auto\nprecision: lots\n', /precision: 'lots' is not a percentage/],
    ['repetitions: auto\nmaxRepetitions: 2\n', /maxRepetitions: 2 is not a whole number in 3\.\.100/],
    ['repetitions: 3\nprecision: 5%\n', /precision: only apply to repetitions: auto/],
    ['maxRepetitions: 5\n', /maxRepetitions: only apply to repetitions: auto/],
  ];
  for (const [extra, message] of cases) {
    const error = suiteError(`${base}${extra}`);
    assert.equal(error.code, 'LAB_E_SUITE_INVALID', extra);
    assert.match(error.message, message, extra);
    assert.ok(error.hint, `${extra}: a hint says how to fix it`);
  }
});

test('a server duration below the minimum window is refused: the duration is the measured window', () => {
  const server = `name: t
runtimes: [node]
minWindowS: 2
server:
  - architectures: [single]
    durationS: 1.5
`;
  const error = suiteError(server);
  assert.match(error.message, /server\[0\]\.durationS: 1\.5 s is below minWindowS \(2 s\)/);
  assert.match(error.hint ?? '', /raise durationS to at least 2, or lower minWindowS/);
  assert.doesNotThrow(() =>
    resolveSuite(parseSuiteText(server.replace('1.5', '2'), 'x'), 'x', defaultCatalog),
  );
});

test('--reps N over a suite with repetitions: auto drops its precision; --precision alone needs auto', () => {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-suite-'));
  try {
    const file = join(dir, 's.yaml');
    writeFileSync(file, `${base}repetitions: auto\nprecision: 3%\nmaxRepetitions: 6\n`);
    const fixed = prepareSuite(file, { repetitions: 4 }).suite;
    assert.deepEqual([fixed.repetitions, fixed.adaptive], [4, null]);
    assert.equal(prepareSuite(file, { precision: 2 }).suite.adaptive?.targetPercent, 2);
    assert.throws(
      () => prepareSuite(file, { repetitions: 4, precision: 2 }),
      /precision: only apply to repetitions: auto/,
    );
    writeFileSync(file, base);
    assert.equal(
      prepareSuite(file, { repetitions: 'auto', maxRepetitions: 4 }).suite.adaptive?.maxRepetitions,
      4,
    );
    assert.throws(() => prepareSuite(file, { minWindowS: 0 }), /minWindowS: 0 is not/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('conlab suite validate exits 2 with the path and suggestion; the shipped suites are valid', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-suite-'));
  try {
    const file = join(dir, 'typo.yaml');
    writeFileSync(file, base.replace('workload:', 'wrkload:'));
    await assert.rejects(
      run(process.execPath, [bin, 'suite', 'validate', file]),
      (error: { code: number; stderr: string }) => {
        assert.equal(error.code, 2);
        assert.match(error.stderr, /LAB_E_SUITE_INVALID/);
        assert.match(error.stderr, /batch\[0\]\.wrkload: unknown key/);
        assert.match(error.stderr, /did you mean 'workload'/);
        assert.doesNotMatch(error.stderr, /at .*\.ts:\d+/, 'no stack trace');
        return true;
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const file of [
    'suites/quick.yaml',
    'suites/examples/cpu-scaling.yaml',
    'suites/examples/servers.yaml',
  ]) {
    const { stdout } = await run(process.execPath, [
      bin,
      'suite',
      'validate',
      new URL(`../../${file}`, import.meta.url).pathname,
    ]);
    assert.match(stdout, /^ok: suite/);
  }
});

test('a runtime typo is an error even where missing runtimes are skipped', () => {
  const error = suiteError(
    `${base.replace('runtimes: [node]', 'runtimes: [node, nod]')}skipMissingRuntimes: true\n`,
  );
  assert.match(error.message, /runtimes\[1\]: unknown runtime 'nod'/);
  assert.match(error.hint ?? '', /did you mean 'node'/);
});

test('conlab suite show lists the expanded cells with an estimate; --json gives the resolved suite', async () => {
  const quick = new URL('../../suites/quick.yaml', import.meta.url).pathname;
  const { stdout } = await run(process.execPath, [
    bin,
    'suite',
    'show',
    quick,
    '--runtimes',
    'node',
    '--store',
    '/nonexistent/x.db',
  ]);
  assert.match(
    stdout,
    /node cpu\.sha256 \(createHash chain, allocation-heavy\) threads c=2\s+batch\s+\d+\.\ds\?/,
  );
  assert.match(stdout, /node hello cluster c=32\s+server\s+\d+\.\ds\n/);
  assert.match(stdout, /3\+ repetitions \(auto: until ±5%, at most 6\), batch windows ≥ 0\.5s/);
  assert.match(
    stdout,
    /13 cells × 3\+ repetitions \(auto: until ±5%, at most 6\) = 39\+ subject runs, estimated (\d+m)?\d+s/,
  );
  const json = JSON.parse(
    (
      await run(process.execPath, [
        bin,
        'suite',
        'show',
        quick,
        '--runtimes',
        'node',
        '--seed',
        '5',
        '--json',
      ])
    ).stdout,
  ) as { suite: { seed: number; runtimes: string[] }; cells: unknown[]; plan: unknown[]; estimatedS: number };
  assert.equal(json.suite.seed, 5);
  assert.deepEqual(json.suite.runtimes, ['node']);
  assert.equal(json.cells.length, 13);
  assert.equal(json.plan.length, 39, 'the plan holds the minimum repetitions; adaptive rounds follow');
  assert.ok(json.estimatedS > 0);
});

test('an experiment may run on a subset of the suite runtimes; a name the suite lacks is refused', () => {
  // node and bun installed, deno not: the resolution does not depend on this machine.
  const catalog = {
    ...defaultCatalog,
    runtimeStatus: (name: string) =>
      name === 'deno'
        ? { missing: new LabError(ErrorCodes.UNKNOWN_RUNTIME, 'deno is not installed') }
        : ('installed' as const),
  };
  const text = `name: t
runtimes: [node, bun, deno]
skipMissingRuntimes: true
batch:
  - workload: cpu.js
    models: [sequential]
    runtimes: node
  - workload: io.sleep
    models: [sequential]
  - workload: cpu.sha256
    models: [sequential]
    runtimes: [deno]
server:
  - architectures: single
    runtimes: [bun]
`;
  const suite = resolveSuite(parseSuiteText(text, 'x'), 'x', catalog);
  assert.deepEqual(suite.runtimes, ['node', 'bun']);
  assert.deepEqual(
    suite.batch.map((experiment) => experiment.runtimes),
    [['node'], undefined, []],
    'absent stays absent; a skipped runtime is dropped like the suite drops it',
  );
  const cells = expandSuite(suite).map((cell) => `${cell.runtime} ${cell.kind} ${cell.label.split(' ')[1]}`);
  assert.deepEqual(cells, [
    'node batch cpu.js',
    'node batch io.sleep',
    'bun batch io.sleep',
    'bun server hello',
  ]);

  const error = (() => {
    try {
      resolveSuite(
        parseSuiteText(text.replace('runtimes: node', 'runtimes: [node, nod]'), 'x'),
        'x',
        catalog,
      );
    } catch (caught) {
      return caught;
    }
    return undefined;
  })();
  assert.ok(error instanceof LabError);
  assert.equal(error.code, ErrorCodes.SUITE_INVALID);
  assert.match(
    error.message,
    /batch\[0\]\.runtimes\[1\]: 'nod' is not one of the suite's runtimes \(node, bun, deno\)/,
  );
  assert.match(error.hint ?? '', /subset of the suite's runtimes/);

  // --runtimes bun narrows the experiments that name their own: cpu.js (node only) and cpu.sha256 (deno) drop out.
  const narrowed = resolveSuite(
    applyOverrides(parseSuiteText(text, 'x'), { runtimes: ['bun'] }, 'x'),
    'x',
    catalog,
  );
  assert.deepEqual(
    narrowed.batch.map((experiment) => experiment.workload),
    ['io.sleep'],
  );
  assert.deepEqual(narrowed.server[0]?.runtimes, ['bun']);
});

test('an experiment may set its own maxRepetitions under repetitions: auto; out of range or without auto it is refused', () => {
  const text = `name: t
runtimes: [node]
repetitions: auto
maxRepetitions: 6
batch:
  - workload: cpu.js
    models: [sequential, threads]
    maxRepetitions: 20
  - workload: io.sleep
    models: [sequential]
`;
  const suite = resolveSuite(parseSuiteText(text, 'x'), 'x', defaultCatalog);
  assert.equal(suite.batch[0]?.maxRepetitions, 20);
  assert.equal(suite.batch[1]?.maxRepetitions, undefined, "absent: the suite's");
  const cells = expandSuite(suite);
  assert.deepEqual(
    cells.map((cell) => [cell.label.split(' ')[1], cell.maxRepetitions]),
    [
      ['cpu.js', 20],
      ['cpu.js', 20],
      ['io.sleep', undefined],
    ],
  );
  assert.deepEqual(suite.adaptive && cells[0] ? cellRule(suite.adaptive, cells[0]).maxRepetitions : null, 20);

  const tooMany = suiteError(text.replace('maxRepetitions: 20', 'maxRepetitions: 500'));
  assert.match(tooMany.message, /^batch\[0\]\.maxRepetitions: 500 is not a whole number in 3\.\.100/);
  const fixed = suiteError(text.replace('repetitions: auto\nmaxRepetitions: 6\n', 'repetitions: 3\n'));
  assert.match(fixed.message, /^batch\[0\]\.maxRepetitions: only applies to repetitions: auto/);
  assert.match(fixed.hint ?? '', /set repetitions: auto/);
});
