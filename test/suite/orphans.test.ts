/**
 * `conlab run` on a suite with a server cell, interrupted (SIGINT) and
 * SIGKILLed during the measured load: no process of the server's group nor
 * anything else the driver started outlives it. (Batch subjects under
 * `conlab run` are covered by resume.test.ts.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { killMidRun } from '../fixtures/orphans.ts';

const suite = `name: orphans
runtimes: [node]
repetitions: 1
warmupS: 0.2
server:
  - endpoint: hello
    architectures: [prefork]
    workers: 2
    threads: 1
    connections: 4
    durationS: 30
`;

for (const signal of ['SIGINT', 'SIGKILL'] as const) {
  test(`run with a server cell: ${signal} mid-load leaves no process`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'conlab-orphans-run-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'suite.yaml'), suite);
    const result = await killMidRun(t, {
      args: ['run', join(dir, 'suite.yaml'), '--store', join(dir, 'results.db'), '--no-report'],
      signal,
      minGroupSize: 3,
      delayMs: 1000,
    });
    if (signal === 'SIGINT') {
      assert.equal(result.code, 130, result.stderr);
      assert.match(result.stderr, /stopped by SIGINT: run \S+ keeps 0 of 1 cell repetitions/);
    } else assert.equal(result.exitSignal, 'SIGKILL');
  });
}
