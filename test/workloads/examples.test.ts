/**
 * The example workload modules of examples/workloads/ run under sequential
 * and threads on every installed runtime and agree on their answer, and the
 * example suite (examples/suites/my-code.yaml) resolves every module
 * relative to itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { prepareSuite } from '../../src/suite/load.ts';
import { splitRef } from '../../src/workloads/module/ref.ts';
import { runBatchCli, runtimeOrSkip } from '../batch/helpers.ts';

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
const runtimes = ['node', 'bun', 'deno'].filter((name) => typeof runtimeOrSkip(name) !== 'string');

/** Each example with params small enough for a test (milliseconds per item). */
const cases: [string, string[]][] = [
  ['json-transform.ts', ['orders=40', 'linesPerOrder=3']],
  ['zlib.ts', ['kib=8']],
  ['remote-api.ts', ['latencyMs=2', 'jitterMs=2']],
];

interface JsonResult {
  model: string;
  runtime: string;
  status: string;
  reason?: string;
  answer: string | null;
}

for (const [file, params] of cases) {
  test(`examples/workloads/${file}: sequential and threads agree on ${runtimes.join(', ')}`, async () => {
    const finished = await runBatchCli(
      [
        '--workload',
        `${examples}workloads/${file}`,
        ...params.flatMap((param) => ['--param', param]),
        ...'--items 6 --models sequential,threads --concurrency 2 --reps 1'.split(' '),
        '--runtime',
        runtimes.join(','),
        '--json',
      ],
      180_000,
    );
    assert.equal(finished.code, 0, finished.stderr);
    const results = (JSON.parse(finished.stdout) as { results: JsonResult[] }).results;
    assert.equal(results.length, 2 * runtimes.length);
    for (const result of results) {
      assert.equal(result.status, 'ok', `${result.runtime} ${result.model}: ${result.reason ?? ''}`);
      assert.match(result.answer ?? '', /^sha256:[0-9a-f]{16}$/);
      assert.equal(result.answer, results[0]?.answer, `${result.runtime} ${result.model}`);
    }
  });
}

test('examples/suites/my-code.yaml names the example modules relative to itself', () => {
  const { suite, cells } = prepareSuite(`${examples}suites/my-code.yaml`, { runtimes: ['node'] });
  assert.deepEqual(
    suite.batch.map((experiment) => experiment.name),
    cases.map(([file]) => file),
  );
  for (const experiment of suite.batch) {
    assert.equal(splitRef(experiment.workload).path, `${examples}workloads/${experiment.name}`);
  }
  assert.ok(cells.length > 0);
});
