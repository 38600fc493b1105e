/**
 * A model that fell short of its workers carries its likely cause from the
 * stored accounting to every place a reader looks: the merged record, the
 * conclusion, the wide terminal table, the `conlab batch` table and the HTML
 * report's per-thread tables.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchRecord, env } from '../results/fixtures.ts';
import { mergeRepetitions } from '../../src/results/merge.ts';
import { conclusionText } from '../../src/report/conclusion.ts';
import { renderTerminalTable } from '../../src/report/terminal.ts';
import { renderHtmlReport } from '../../src/report/html.ts';
import { renderBatchTable } from '../../src/batch/driver/table.ts';
import { placeholderSummary } from '../../src/monitor/index.ts';
import type { BatchCell, RunData } from '../../src/results/record.ts';
import type { MonitorReport, TreeAccounting } from '../../src/monitor/types.ts';
import { threadsOf, treeOf } from '../monitor/fixtures/accounting.ts';

function monitor(tree: TreeAccounting): MonitorReport {
  return {
    available: true,
    intervalMs: 100,
    durationMs: tree.windowMs,
    cores: 2,
    perCore: [],
    tree: [],
    pids: [10],
    summary: placeholderSummary(1),
    accounting: tree,
    eventLoop: [],
  };
}

// Each thread: role, cpu ms, system ms, run-queue wait ms, voluntary and involuntary switches.
const sequential = treeOf(
  1000,
  threadsOf(10, [
    ['main', 1000, 30, 5, 10, 25],
    ['helper', 40, 0, 5, 30, 1],
  ]),
);
const contended = treeOf(
  830,
  threadsOf(10, [
    ['main', 20, 0, 5, 30, 4],
    ['worker', 600, 215, 5, 300, 160],
    ['worker', 600, 215, 5, 290, 169],
    ['helper', 50, 0, 5, 40, 2],
    ['helper', 30, 0, 5, 35, 1],
  ]),
);

function run(): RunData {
  const cells: BatchCell[] = [];
  for (const rep of [0, 1, 2]) {
    cells.push(batchRecord('sequential', rep, 1000 + rep, { cpuPercent: 104, monitor: monitor(sequential) }));
    cells.push(batchRecord('threads', rep, 830 + rep, { cpuPercent: 160, monitor: monitor(contended) }));
  }
  return {
    run: {
      runId: 'r1',
      suiteName: 'quick',
      command: 'run',
      status: 'complete',
      startedAt: env.capturedAt,
      endedAt: env.capturedAt,
      env,
      suite: {},
    },
    cells,
  };
}

test('the merged threads cell carries its likely cause; the baseline and a model at 85% of its workers do not', () => {
  const merged = mergeRepetitions(run().cells) as BatchCell[];
  const threads = merged.find((cell) => cell.model === 'threads');
  assert.equal(threads?.speedup?.toFixed(2), '1.20');
  assert.equal(threads?.likelyCause?.cause, 'lock-contention');
  assert.equal(merged.find((cell) => cell.model === 'sequential')?.likelyCause, undefined);
  const fine = mergeRepetitions(
    run().cells.map((cell) =>
      cell.kind === 'batch' && cell.model === 'threads'
        ? { ...cell, durationsMs: [580], durationMs: 580 }
        : cell,
    ),
  ) as BatchCell[];
  assert.equal(fine.find((cell) => cell.model === 'threads')?.likelyCause, undefined, '1.72× of 2 is 86%');
});

test('the conclusion names the cause with its evidence', () => {
  const text = conclusionText(run());
  assert.match(
    text,
    /Threads \(c=2\) on cpu\.sha256 reached 1\.2× of 2: likely lock contention — sys time 33% vs 3% in sequential, \d+ vs \d+ voluntary switches per CPU-second \(waits on locks\), 336 involuntary switches vs 26\./,
  );
});

test('tables show the evidence: sys share, run-queue wait, switches and the cause', () => {
  const wide = renderTerminalTable(run(), { wide: true });
  const header = wide.split('\n').find((line) => line.includes('speedup')) ?? '';
  for (const column of ['sys', 'rq wait', 'ivcs', 'why'])
    assert.ok(header.includes(column), `${column} in ${header}`);
  const threadsLine = wide.split('\n').find((line) => line.startsWith('threads')) ?? '';
  assert.match(threadsLine, /33%.*336.*contention/);
  const batch = renderBatchTable(mergeRepetitions(run().cells) as BatchCell[]);
  assert.match(batch, /Why/);
  assert.match(
    batch,
    /Why a model fell short of its workers:\n {2}Threaded CPU heavy processing \(2 threads, 1 item per task\) \[node@24\.21\.0\]: 1\.20x: likely lock contention/,
  );
});

test('the HTML report has a per-thread table per cell, helpers summed per process, the cause above it', async () => {
  const html = await renderHtmlReport(run());
  assert.match(html, /<h2 id="time-spent">Where the time went<\/h2>/);
  const sections = [...html.matchAll(/<section class="time-spent" data-cell-key="([^"]+)">/g)].map(
    (m) => m[1],
  );
  assert.equal(sections.length, 2);
  const threads = html.slice(
    html.indexOf(
      '<section class="time-spent" data-cell-key="batch|node|cpu.sha256|{&quot;iters&quot;:1000}|threads',
    ),
  );
  assert.match(threads, /<p class="cause"><strong>1\.20× of 2: <\/strong>likely lock contention/);
  assert.match(
    threads,
    /<tr class="thread"><td>101 WorkerThread<\/td><td>worker<\/td><td class="num">600<\/td><td class="num">72%<\/td>/,
  );
  assert.match(
    threads,
    /<tr class="helpers"><td>2 helper threads \(V8Worker\)<\/td><td>helper<\/td><td class="num">80<\/td>/,
  );
});
