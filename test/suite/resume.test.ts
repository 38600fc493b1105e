// The store loses nothing: `conlab run` killed with SIGKILL during its third cell,
// then `conlab run --resume`, ends with every cell repetition measured exactly once
// and the first two records unchanged. Real CLI, real subjects, real SQLite file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openStore } from '../../src/results/store.ts';
import { descendants, readProcess, stillRunning, type ProcessInfo } from '../fixtures/orphans.ts';

const run = promisify(execFile);
const bin = new URL('../../bin/conlab.js', import.meta.url).pathname;

const suite = `name: resume-test
runtimes: [node]
repetitions: 2
order: sequential
# One pass (about 0.9 s for the fastest model) fills a 0.5 s window: the cells stay one pass long.
minWindowS: 0.5
batch:
  # io.sleep's cells last about a second whatever the machine's load, so the
  # kill (150 ms after step 3 starts) lands inside step 3, never after it.
  - workload: io.sleep
    params: { scale: 1 }
    models: [sequential, async, threads]
    concurrency: 2
    items: 4
`;

/** Processes this test started, killed at the end only if still the same process (never a recycled PID). */
function killLeftovers(started: ProcessInfo[]): void {
  for (const p of started) {
    if (!stillRunning(p)) continue;
    for (const target of [-p.pid, p.pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/**
 * Starts `conlab run` on the test suite in a fresh folder and sends `signal`
 * 150 ms after the progress line of `step` appears (that step has started, so
 * the signal lands mid-cell). Resolves when the run exits.
 */
async function runAndSignal(
  t: { after(fn: () => void): void },
  prefix: string,
  step: number,
  signal: NodeJS.Signals,
): Promise<{
  storePath: string;
  stderr: string;
  subjects: ProcessInfo[];
  code: number | null;
  exitSignal: string | null;
}> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const started: ProcessInfo[] = [];
  t.after(() => {
    killLeftovers(started);
    rmSync(dir, { recursive: true, force: true });
  });
  const suitePath = join(dir, 'suite.yaml');
  const storePath = join(dir, 'results.db');
  writeFileSync(suitePath, suite);
  const child = spawn(process.execPath, [bin, 'run', suitePath, '--store', storePath, '--no-report'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  assert.ok(child.pid);
  const driver = readProcess(child.pid);
  if (driver) started.push(driver);
  let stderr = '';
  let signalled = false;
  const subjects: ProcessInfo[] = [];
  const trigger = new RegExp(`\\[${step}/6\\]`);
  const { code, exitSignal } = await new Promise<{ code: number | null; exitSignal: string | null }>(
    (resolve) => {
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (text: string) => {
        stderr += text;
        if (!signalled && trigger.test(stderr)) {
          signalled = true;
          setTimeout(() => {
            subjects.push(...descendants(child.pid as number));
            started.push(...subjects);
            child.kill(signal);
          }, 150);
        }
      });
      child.on('exit', (exitCode, killedBy) => resolve({ code: exitCode, exitSignal: killedBy }));
    },
  );
  return { storePath, stderr, subjects, code, exitSignal };
}

test(
  'SIGKILL during the third cell, then --resume: every cell exactly once, the first two unchanged',
  { timeout: 90_000 },
  async (t) => {
    // The progress line of step 3 is printed as that step starts: steps 1 and 2 are committed.
    const { storePath, stderr, subjects, code, exitSignal } = await runAndSignal(
      t,
      'conlab-resume-',
      3,
      'SIGKILL',
    );
    assert.equal(exitSignal, 'SIGKILL', `run exited ${code} before the kill: ${stderr}`);

    const store = openStore(storePath, { create: false });
    t.after(() => store.close());
    const runId = store.latestRunId();
    assert.ok(runId);
    const before = store.loadRun(runId);
    assert.equal(before.run.status, 'running', 'a killed run stays unfinished');
    assert.equal(before.cells.length, 2, `exactly the two finished cells are stored:\n${stderr}`);

    assert.ok(subjects.length > 0, 'the kill landed while the third cell had a subject running');
    // The driver's reaper kills the subject's group (its own watch would too, once its loop is free): no orphans.
    for (let i = 0; i < 50 && subjects.some(stillRunning); i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(subjects.filter(stillRunning), [], 'no process of the killed run is left');

    const listed = await run(process.execPath, [bin, 'results', 'list', '--store', storePath]);
    assert.match(listed.stdout, /unfinished \(--resume\)\s+\S+ \S+\s+2\/6/);

    const resumed = await run(
      process.execPath,
      [bin, 'run', '--resume', '--store', storePath, '--no-report'],
      {
        timeout: 60_000,
      },
    );
    assert.match(resumed.stderr, /resuming .*\(2 of 6 already stored\)/);
    assert.match(resumed.stdout, /\(complete\)/);

    const after = store.loadRun(runId);
    assert.equal(after.run.status, 'complete');
    const steps = after.cells.map((cell) => `${cell.cellKey}#${cell.repetitions.join(',')}`);
    assert.equal(steps.length, 6);
    assert.equal(new Set(steps).size, 6, 'each cell repetition measured exactly once');
    // The group was calibrated once, before the kill; the resume measured with the stored size.
    const sizes = new Set(
      after.cells.map((cell) => (cell.kind === 'batch' ? JSON.stringify(cell.sizing) : '')),
    );
    assert.equal(sizes.size, 1, [...sizes].join(' vs '));
    assert.doesNotMatch(resumed.stderr, /calibrating/);
    assert.ok(
      after.cells.every((cell) => cell.status === 'ok'),
      JSON.stringify(after.cells.map((c) => c.reason)),
    );
    assert.deepEqual(after.cells.slice(0, 2), before.cells, 'the first two records are unchanged');
    // --resume again finds nothing to do.
    await assert.rejects(
      run(process.execPath, [bin, 'run', '--resume', '--store', storePath]),
      (error: { code: number; stderr: string }) => {
        assert.equal(error.code, 2);
        assert.match(error.stderr, /LAB_E_NOT_FOUND: no unfinished run/);
        return true;
      },
    );
  },
);

test(
  'Ctrl-C (SIGINT) stops cleanly: run marked interrupted, finished cells kept, no process left',
  { timeout: 60_000 },
  async (t) => {
    const { storePath, stderr, subjects, code } = await runAndSignal(t, 'conlab-sigint-', 2, 'SIGINT');
    assert.equal(code, 130, stderr);
    assert.match(
      stderr,
      /stopped by SIGINT: run \S+ keeps 1 of 6 cell repetitions; 'conlab run --resume' measures the rest/,
    );
    assert.ok(subjects.length > 0);
    for (let i = 0; i < 50 && subjects.some(stillRunning); i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(subjects.filter(stillRunning), [], 'no subject process outlives Ctrl-C');
    const store = openStore(storePath, { create: false });
    t.after(() => store.close());
    const data = store.loadRun('latest');
    assert.equal(data.run.status, 'interrupted');
    assert.equal(data.cells.length, 1);
    assert.equal(data.cells[0]?.status, 'ok');
  },
);
