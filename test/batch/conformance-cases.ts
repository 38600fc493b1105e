/**
 * Conformance cases: every model × every workload gives the same answer as
 * sequential (and as the workload's expected() where it has one), on one
 * runtime. A runtime that is not installed is a named skip. Then one cell
 * through the whole driver path (subject process, monitor).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBatchCell } from '../../src/batch/driver/run-cell.ts';
import { loadRegistryModules } from '../../src/core/registry.ts';
import { baselineModel, models } from '../../src/models/registry.ts';
import { workloadLabel, workloadNames } from '../../src/workloads/index.ts';
import { isAlive, runGroup, runtimeOrSkip } from './helpers.ts';
import type { ConformanceRow as Row } from './fixtures/conformance-subject.ts';
import { CONFORMANCE_MODULES } from './fixtures/conformance-modules.ts';

const subjectScript = new URL('./fixtures/conformance-subject.ts', import.meta.url).pathname;

// The subject imports the same extra registry modules (CONLAB_REGISTRY_MODULES), so both count the same models.
await loadRegistryModules();
const baseline = baselineModel.name;

/** Registers the conformance tests of one runtime (one test file per runtime keeps each file short). */
export function defineConformance(name: string): void {
  const runtime = runtimeOrSkip(name);
  const skip = typeof runtime === 'string' ? runtime : false;

  test(`every model × workload agrees with sequential on ${name}`, { skip }, async (t) => {
    if (typeof runtime === 'string') return;
    const finished = await runGroup(runtime.binPath, runtime.scriptArgs(subjectScript), 120_000);
    assert.equal(finished.code, 0, finished.stderr);
    const rows = JSON.parse(finished.stdout.trim().split('\n').pop() ?? '[]') as Row[];
    const workloadsRun = [...new Set(rows.map((row) => row.workload))];
    assert.equal(
      workloadsRun.length,
      workloadNames.length + CONFORMANCE_MODULES.length,
      'built-ins and module fixtures',
    );
    assert.equal(rows.length, models.names().length * workloadsRun.length, 'one row per model × workload');
    for (const workload of workloadsRun) {
      const sequential = rows.find((row) => row.workload === workload && row.model === baseline);
      assert.ok(
        sequential && sequential.error === undefined,
        `${workload} sequential: ${sequential?.error ?? ''}`,
      );
      if (sequential.expected !== undefined) assert.equal(sequential.answer, sequential.expected, workload);
      for (const row of rows.filter((r) => r.workload === workload && r.model !== baseline)) {
        await t.test(`${name} ${row.model} ${workloadLabel(workload)}`, () => {
          if (row.returnsPromise && models.get(row.model).syncOnly !== undefined) {
            // An asynchronous task has nothing to block with: the model says so instead of measuring `async` again.
            assert.match(row.error ?? '', /returned a Promise for item \d+/);
            return;
          }
          assert.equal(row.error, undefined);
          assert.equal(row.answer, sequential.answer);
        });
      }
    }
  });

  test(
    `a pooled cell through the driver on ${name}: ok, verified, monitored, nothing left`,
    { skip },
    async () => {
      if (typeof runtime === 'string') return;
      const cell = await runBatchCell(
        {
          workload: 'cpu.primes',
          params: { limit: 20_000 },
          model: 'hybrid',
          concurrency: 2,
          items: 6,
          itemsPerTask: 2,
        },
        runtime,
      );
      assert.equal(cell.status, 'ok', cell.reason ?? '');
      assert.equal(cell.answer, 2262); // primes below 20,000
      assert.equal(cell.runtime, runtime.label);
      assert.equal(cell.durationsMs.length, 1);
      assert.ok(cell.pids.length >= 3, `subject + 2 worker processes in ${JSON.stringify(cell.pids)}`);
      assert.deepEqual(cell.pids.filter(isAlive), []);
      // The subject's event loop, through the monitor's probe: a runtime whose API is a stub says so (null + reason).
      const loop = cell.monitor?.eventLoop[0];
      assert.ok(loop, 'event-loop figures reach the monitor report');
      assert.equal(loop.runtime, runtime.label);
      if (name === 'node') assert.equal(typeof loop.utilization, 'number');
      else {
        assert.equal(loop.utilization, null, `${name}'s eventLoopUtilization is a stub`);
        assert.match(loop.unsupportedReason ?? '', /eventLoopUtilization unsupported on /);
      }
      assert.equal(typeof cell.measuredOffsetMs, 'number');
    },
  );
}
