/**
 * "A new model or architecture is one file and one registry line": a
 * fixture model (test/batch/fixtures/model-fixture.ts) and a fixture
 * architecture (test/servers/fixtures/arch-fixture.ts), each registering
 * itself, named in CONLAB_REGISTRY_MODULES so that the CLI and every subject
 * process import them. Nothing else knows about them, yet they show up in
 * the help texts, run end to end (a batch cell with the efficiency divisor
 * its model declares, a verified server cell), expand in a suite along their
 * declared axis, and resolve by their declared unit kind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { LabError } from '../../src/core/errors.ts';
import { loadRegistryModules, REGISTRY_MODULES_ENV } from '../../src/core/registry.ts';
import { models } from '../../src/models/registry.ts';
import type { BatchCell, ServerCell } from '../../src/results/record.ts';
import { resolveServerConfig } from '../../src/servers/resolve.ts';
import { architectures } from '../../src/servers/subject/arch/registry.ts';
import { defaultCatalog } from '../../src/suite/catalog.ts';
import { expandSuite } from '../../src/suite/expand.ts';
import { parseSuiteText } from '../../src/suite/parse.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import type { BatchCellPlan } from '../../src/suite/types.ts';
import { runConlab } from '../fixtures/cli.ts';
import { fixtureModel } from '../batch/fixtures/model-fixture.ts';
import { fixtureArchitecture } from '../servers/fixtures/arch-fixture.ts';

const fixtureModules = [
  fileURLToPath(new URL('../batch/fixtures/model-fixture.ts', import.meta.url)),
  fileURLToPath(new URL('../servers/fixtures/arch-fixture.ts', import.meta.url)),
];
// Children (the CLI, and the subjects it starts) inherit this; this process registered them by importing them.
process.env[REGISTRY_MODULES_ENV] = fixtureModules.join(':');
// Importing them again through the list is a no-op: one module instance, one registration.
await loadRegistryModules();

const model = fixtureModel.name;
const arch = fixtureArchitecture.name;

test('the fixtures appear in the help text and listing of every command', async () => {
  const [batchHelp, list, serveHelp, benchHelp] = await Promise.all([
    runConlab(['batch', '--help']),
    runConlab(['batch', '--list']),
    runConlab(['serve', '--help']),
    runConlab(['bench-server', '--help']),
  ]);
  for (const result of [batchHelp, list, serveHelp, benchHelp]) assert.equal(result.code, 0, result.stderr);
  assert.match(batchHelp.stdout, new RegExp(`--models a,b .*${model}`));
  assert.match(batchHelp.stdout, new RegExp(`--threads-per-process .*${model}: default 3`));
  assert.match(
    list.stdout,
    new RegExp(`${model} .*\\n\\s+axes: concurrency 1 \\(1\\.\\.4\\), threadsPerProcess 3 \\(1\\.\\.4\\)`),
  );
  assert.match(serveHelp.stdout, new RegExp(`--arch A .*${arch}`));
  assert.match(serveHelp.stdout, new RegExp(`--threads T .*${arch}: default 1`));
  assert.match(benchHelp.stdout, new RegExp(`--arch a,b,.* .*${arch}`));
});

test('a batch cell of the fixture model runs end to end, with the cores it declares as the efficiency divisor', async () => {
  const result = await runConlab(
    [
      'batch',
      '--workload',
      'cpu.primes',
      '--param',
      'limit=20000',
      '--items',
      '6',
      '--models',
      model,
      '--concurrency',
      '2',
      '--reps',
      '1',
      '--json',
    ],
    120_000,
  );
  assert.equal(result.code, 0, result.stderr);
  const { results } = JSON.parse(result.stdout) as { results: BatchCell[] };
  // The baseline is added in front, as for any model.
  assert.deepEqual(
    results.map((cell) => cell.model),
    ['sequential', model],
  );
  const cell = results[1] as BatchCell;
  assert.equal(cell.status, 'ok', cell.reason ?? '');
  assert.equal(cell.answer, 2262, 'the subject ran the fixture model (primes below 20,000)');
  assert.equal(cell.concurrency, 2);
  assert.equal(cell.threadsPerProcess, 3, "the model's declared default");
  assert.equal(cell.itemsPerTask, 1, 'an axis the model does not declare stays at 1');
  assert.ok(cell.speedup !== null && cell.efficiency !== null);
  assert.ok(Math.abs(cell.efficiency - cell.speedup / 6) < 1e-9, 'efficiency = speedup / (2 × 3 cores)');
});

test('a suite expands the fixture model along the axis it declares, and takes its default otherwise', () => {
  const resolve = (text: string) => resolveSuite(parseSuiteText(text, 't.yaml'), 't.yaml', defaultCatalog);
  const yaml = (extra: string) =>
    `name: t\nruntimes: [node]\nbatch:\n  - workload: cpu.sha256\n    models: [sequential, ${model}]\n    concurrency: [1, 2]\n${extra}`;
  const swept = expandSuite(resolve(yaml('    threadsPerProcess: [1, 3]\n'))) as BatchCellPlan[];
  const fixtureCells = swept.filter((cell) => cell.model === model);
  assert.deepEqual(
    fixtureCells.map((cell) => [cell.concurrency, cell.threadsPerProcess]),
    [
      [1, 1],
      [1, 3],
      [2, 1],
      [2, 3],
    ],
  );
  assert.ok(
    fixtureCells.every((cell) => / c=\dx\d$/.test(cell.label)),
    'labels show the declared axis',
  );
  assert.equal(swept.length, 1 + 4, 'sequential once');
  const defaulted = expandSuite(resolve(yaml(''))) as BatchCellPlan[];
  assert.deepEqual(
    defaulted.filter((cell) => cell.model === model).map((cell) => cell.threadsPerProcess),
    [3, 3],
  );
  assert.throws(() => resolve(yaml('    threadsPerProcess: 9\n')), /threadsPerProcess.*1\.\.4/);
});

test('the fixture architecture resolves by its declared unit kind and defaults', () => {
  assert.equal(architectures.get(arch).unit, 'in-process');
  const config = resolveServerConfig({ arch, workers: 4 });
  assert.equal(config.workers, 1, 'an in-process architecture has one unit, whatever is asked');
  assert.equal(config.threads, 1, 'its declared --threads default');
  assert.equal(resolveServerConfig({ arch, threads: 3 }).threads, 3);
  // A definition that contradicts itself, or a name taken, is refused when registered.
  assert.throws(
    () => architectures.register({ ...fixtureArchitecture, name: 'fixture-bad', workers: { default: 2 } }),
    (error: unknown) =>
      error instanceof LabError && /in-process \(one unit\) but takes --workers/.test(error.message),
  );
  assert.throws(() => architectures.register(fixtureArchitecture), /registered twice/);
  assert.throws(
    () =>
      models.register({
        ...fixtureModel,
        name: 'fixture-bad',
        axes: { concurrency: { default: 9, min: 1, max: 4 } },
      }),
    /concurrency default 9 outside 1\.\.4/,
  );
});

test('a server cell of the fixture architecture is served and verified end to end', async () => {
  const result = await runConlab(
    [
      'bench-server',
      '--arch',
      arch,
      '--endpoint',
      'cpu',
      '--connections',
      '2',
      '--duration',
      '0.5',
      '--warmup',
      '0',
      '--iters',
      '100',
      '--json',
    ],
    120_000,
  );
  assert.equal(result.code, 0, result.stderr);
  const { cells } = JSON.parse(result.stdout) as { cells: ServerCell[] };
  assert.equal(cells.length, 1);
  const cell = cells[0] as ServerCell;
  assert.equal(cell.status, 'ok', cell.reason ?? '');
  assert.equal(cell.architecture, arch);
  assert.equal(cell.workers, 1);
  assert.equal(cell.threads, 1);
  assert.ok(cell.requests > 0);
  assert.deepEqual(cell.errors, {});
});
