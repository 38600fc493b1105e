/**
 * Faults through the whole CLI path: a worker that throws, a worker that
 * dies (process.exit inside the thread/process running the item) and a cell
 * that overruns its timeout each fail that cell with the reason; the run goes
 * on to the next cell; no process of theirs is left alive. A failed cell
 * makes the command exit 1, naming it on stderr, unless --allow-failures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAlive, runBatchCli } from './helpers.ts';

const batch = runBatchCli;

interface JsonDoc {
  results: Record<string, unknown>[];
}

test('a throwing worker and a dying worker fail their cells; the run goes on; nothing is left', async () => {
  for (const fault of ['throwAt=2', 'exitAt=2']) {
    const finished = await batch([
      '--workload',
      'echo',
      '--param',
      fault,
      '--items',
      '6',
      '--models',
      'sequential,async,threads,processes,hybrid,spawn',
      '--concurrency',
      '2',
      '--reps',
      '1',
      '--json',
    ]);
    assert.equal(finished.code, 1, 'every cell failed: never an exit 0');
    const doc = JSON.parse(finished.stdout) as JsonDoc;
    assert.equal(doc.results.length, 6, 'every cell reported, none aborted the run');
    assert.equal(
      finished.stderr.match(/^conlab batch: cell failed: /gm)?.length,
      6,
      `each failed cell named on stderr:\n${finished.stderr}`,
    );
    for (const result of doc.results) {
      assert.equal(result.status, 'failed', `${String(result.model)} ${fault}`);
      const reason = String(result.reason);
      if (fault.startsWith('throw')) assert.match(reason, /injected failure at item 2/);
      else assert.match(reason, /exited with code 3/);
      assert.deepEqual(
        (result.pids as number[]).filter(isAlive),
        [],
        `${String(result.model)} left processes`,
      );
    }
  }
});

test('a cell that overruns --timeout-ms fails with the reason and its processes are killed', async () => {
  const finished = await batch([
    '--workload',
    'io.sleep',
    '--items',
    '20',
    '--models',
    'processes',
    '--concurrency',
    '2',
    '--timeout-ms',
    '300',
    '--reps',
    '1',
    '--json',
    '--allow-failures',
  ]);
  assert.equal(
    finished.code,
    0,
    `--allow-failures: the failed cells do not fail the command\n${finished.stderr}`,
  );
  assert.match(finished.stderr, /conlab batch: cell failed \(allowed\): .*timed out after 300 ms/);
  const doc = JSON.parse(finished.stdout) as JsonDoc;
  assert.equal(doc.results.length, 2);
  for (const result of doc.results) {
    assert.equal(result.status, 'failed');
    assert.match(String(result.reason), /timed out after 300 ms/);
    const pids = result.pids as number[];
    // The processes cell had a subject and two workers running when the timeout hit.
    assert.ok(pids.length >= (result.model === 'processes' ? 3 : 1), JSON.stringify(pids));
    assert.deepEqual(pids.filter(isAlive), []);
  }
});
