/**
 * Through the real batch driver: the monitor's report carries the measured
 * window (the timed section, placed by the driver) and the per-thread
 * accounting of the subject tree, and the cell's CPU and verdicts come from
 * that window.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBatchCell } from '../../src/batch/driver/run-cell.ts';
import { monitorAvailability } from '../../src/monitor/index.ts';
import { resolveRuntime } from '../../src/runtimes/registry.ts';

const linux = monitorAvailability().available;

test(
  'a threads cell: window = the timed section, CPU from it, two worker threads and a main thread accounted',
  { skip: !linux && 'needs Linux /proc' },
  async () => {
    const cell = await runBatchCell(
      {
        workload: 'cpu.sha256',
        params: { iters: 2000 },
        model: 'threads',
        concurrency: 2,
        items: 8,
        repetitions: 2,
      },
      resolveRuntime('node'),
    );
    assert.equal(cell.status, 'ok', cell.reason ?? '');
    const monitor = cell.monitor;
    assert.ok(monitor?.window, 'the report carries the measured window');
    const window = monitor.window;
    // The last repetition's timed section, where the driver placed it.
    assert.equal(window.offsetMs, cell.measuredOffsetMs);
    assert.equal(window.durationMs, cell.durationsMs.at(-1));
    // The second repetition's interval was chosen for a window like the first (chooseIntervalMs).
    assert.ok(monitor.intervalMs >= 50 && monitor.intervalMs <= 100, `interval ${monitor.intervalMs}`);
    assert.equal(window.tooShort, window.samples < 10);
    assert.equal(cell.verdicts.includes('too-short'), window.tooShort);
    if (window.tooShort) assert.ok(!cell.verdicts.includes('machine-busy'), 'never both');
    const accounting = monitor.accounting;
    assert.ok(accounting);
    const roles = accounting.threads.map((thread) => thread.role);
    assert.equal(roles.filter((role) => role === 'main').length, 1);
    assert.equal(roles.filter((role) => role === 'worker').length, 2, JSON.stringify(accounting.threads));
    assert.ok(
      accounting.threads.filter((thread) => thread.role === 'worker').every((thread) => thread.cpuMs > 0),
      'both workers hashed',
    );
    assert.equal(accounting.processes.length, 1);
    assert.equal(accounting.processes[0]?.role, 'root');
  },
);
