// The store loses nothing: `conlab run` killed with SIGKILL during its third cell,
// then `conlab run --resume`, ends with every cell repetition measured exactly once
// and the first two records unchanged. Real CLI, real subjects, real SQLite file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openStore } from '../../src/results/store.ts';

const run = promisify(execFile);
const bin = new URL('../../bin/conlab.js', import.meta.url).pathname;

const suite = `name: resume-test
runtimes: [node]
repetitions: 2
order: sequential
batch:
  # io.sleep's cells last about a second whatever the machine's load, so the
  # kill (150 ms after step 3 starts) lands inside step 3, never after it.
  - workload: io.sleep
    params: { scale: 1 }
    models: [sequential, async, threads]
    concurrency: 2
    items: 4
`;

/** PIDs whose parent chain leads to `root` (Linux /proc). */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited while listing
    }
  }
  const found: number[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const next = [...parents].filter(([, ppid]) => frontier.includes(ppid)).map(([pid]) => pid);
    found.push(...next);
    frontier = next;
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Processes this test started, killed at the end only if the PID still names the same process (never a recycled one). */
class Tracked {
  private readonly processes = new Map<number, string>();

  add(pid: number): void {
    const started = startTime(pid);
    if (started !== null) this.processes.set(pid, started);
  }

  killAll(): void {
    for (const [pid, started] of this.processes) {
      if (startTime(pid) !== started) continue;
      for (const target of [-pid, pid]) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          // already gone
        }
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
  subjects: Set<number>;
  code: number | null;
  exitSignal: string | null;
}> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const started = new Tracked();
  t.after(() => {
    started.killAll();
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
  started.add(child.pid);
  let stderr = '';
  let signalled = false;
  const subjects = new Set<number>();
  const trigger = new RegExp(`\\[${step}/6\\]`);
  const { code, exitSignal } = await new Promise<{ code: number | null; exitSignal: string | null }>(
    (resolve) => {
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (text: string) => {
        stderr += text;
        if (!signalled && trigger.test(stderr)) {
          signalled = true;
          setTimeout(() => {
            for (const pid of descendants(child.pid as number)) {
              subjects.add(pid);
              started.add(pid);
            }
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

    assert.ok(subjects.size > 0, 'the kill landed while the third cell had a subject running');
    // The killed driver's subject notices its stdin closing and exits: no orphans.
    for (let i = 0; i < 50 && [...subjects].some(alive); i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual([...subjects].filter(alive), [], 'no process of the killed run is left');

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
    assert.ok(subjects.size > 0);
    for (let i = 0; i < 50 && [...subjects].some(alive); i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual([...subjects].filter(alive), [], 'no subject process outlives Ctrl-C');
    const store = openStore(storePath, { create: false });
    t.after(() => store.close());
    const data = store.loadRun('latest');
    assert.equal(data.run.status, 'interrupted');
    assert.equal(data.cells.length, 1);
    assert.equal(data.cells[0]?.status, 'ok');
  },
);
