/**
 * Benchmark: the cost of checking a store before writing into it (issue 14:
 * < 5% of `conlab run`'s time on the default lab's store after 20 runs).
 *
 * 1. Two real cells are measured with the real CLI (`conlab run` of a
 *    2-cell suite: cpu.sha256 on threads, /hello on single, node) and their
 *    records serve as templates.
 * 2. The default lab's store after 20 runs is synthesised through the store
 *    API: 20 runs × 99 cell repetitions (the quick suite on node, bun and
 *    deno: 72 batch, 27 server per run), each record a template with its
 *    own cellKey. Its size is printed.
 * 3. Side by side, rounds alternating: the open-for-writing check alone
 *    (quick_check + json_valid, as openStore does it), the thorough check
 *    `conlab results check` uses (integrity_check + json_valid), and a real
 *    `conlab run` of the 2-cell suite into a copy of that store (which
 *    includes the check). The ratio check ÷ run is an upper bound of the
 *    check's share of the default lab, which runs 99 cells, not 2.
 * 4. Detection: 4 KiB overwritten at random offsets in the middle half of
 *    the file (random bytes and zeros, page-aligned and not), how often each
 *    layer (quick_check, json_valid, both) notices.
 *
 *   node bench/store-integrity.ts [--rounds 5] [--trials 50]
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import { checkIntegrity } from '../src/results/integrity.ts';
import type { CellRecord } from '../src/results/record.ts';
import { openStore } from '../src/results/store.ts';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, trials: { type: 'string', default: '50' } },
});
const rounds = Number(values.rounds);
const trials = Number(values.trials);
const bin = new URL('../bin/conlab.js', import.meta.url).pathname;
const RUNS = 20;
const BATCH_PER_RUN = 72;
const SERVER_PER_RUN = 27;

const suite = `name: two-cells
runtimes: [node]
repetitions: 1
warmupS: 0.5
batch:
  - workload: cpu.sha256
    params: { iters: 20000 }
    models: [threads]
    concurrency: 2
    items: 16
server:
  - endpoint: hello
    architectures: [single]
    workers: 2
    connections: 32
    durationS: 1.5
`;

function median(list: number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function timeMs(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

function conlabRun(store: string, suitePath: string): void {
  execFileSync(process.execPath, [bin, 'run', suitePath, '--store', store, '--no-report'], {
    stdio: 'ignore',
  });
}

const dir = mkdtempSync(join(tmpdir(), 'conlab-bench-integrity-'));
try {
  const suitePath = join(dir, 'two-cells.yaml');
  writeFileSync(suitePath, suite);
  const seedPath = join(dir, 'seed.db');
  conlabRun(seedPath, suitePath);
  const seed = openStore(seedPath, { create: false });
  const seedRun = seed.runInfo(seed.resolveRunId('latest'));
  const templates = seed.loadCells(seedRun.runId);
  seed.close();
  const batch = templates.find((cell) => cell.kind === 'batch');
  const server = templates.find((cell) => cell.kind === 'server');
  if (!batch || !server) throw new Error('the 2-cell run did not store a batch and a server cell');

  const basePath = join(dir, 'store-20-runs.db');
  const store = openStore(basePath);
  for (let run = 0; run < RUNS; run++) {
    const plan = Array.from({ length: BATCH_PER_RUN + SERVER_PER_RUN }, (_, i) => ({
      cellKey: `cell${i % 33}`,
      repetition: Math.floor(i / 33),
    }));
    const runId = store.createRun({
      suiteName: 'quick',
      env: seedRun.env,
      suite: seedRun.suite,
      cells: Array.from({ length: 33 }, (_, i) => seedRun.cells[i % seedRun.cells.length]),
      plan,
    });
    plan.forEach((step, i) => {
      const template: CellRecord = i < BATCH_PER_RUN ? batch : server;
      store.addCell(runId, {
        ...template,
        cellKey: `${template.cellKey}|${step.cellKey}`,
        repetitions: [step.repetition],
      });
    });
    store.markRun(runId, 'complete');
  }
  store.close();
  const sizeBytes = statSync(basePath).size;

  const check: number[] = [];
  const thorough: number[] = [];
  const run: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const copy = join(dir, `round${round}.db`);
    copyFileSync(basePath, copy);
    const steps: (() => void)[] = [
      () => {
        const db = new DatabaseSync(copy);
        check.push(timeMs(() => checkIntegrity(db, { thorough: false })));
        db.close();
      },
      () => {
        const db = new DatabaseSync(copy, { readOnly: true });
        thorough.push(timeMs(() => checkIntegrity(db, { thorough: true })));
        db.close();
      },
      () => run.push(timeMs(() => conlabRun(copy, suitePath))),
    ];
    for (const step of round % 2 === 0 ? steps : [...steps].reverse()) step();
    rmSync(copy, { force: true });
  }

  // Detection of a 4 KiB overwrite in the middle half of the file.
  const caught = new Map<string, { quick: number; content: number; both: number }>();
  const base = readFileSync(basePath);
  for (const variant of ['random', 'zeros'] as const) {
    for (const aligned of [true, false]) {
      const key = `${variant}, ${aligned ? 'page-aligned' : 'unaligned'}`;
      const tally = { quick: 0, content: 0, both: 0 };
      for (let trial = 0; trial < trials; trial++) {
        const damaged = Buffer.from(base);
        let offset = Math.floor(base.length * (0.25 + Math.random() * 0.5));
        if (aligned) offset -= offset % 4096;
        (variant === 'random' ? randomBytes(4096) : Buffer.alloc(4096)).copy(damaged, offset);
        const path = join(dir, 'damaged.db');
        writeFileSync(path, damaged);
        const db = new DatabaseSync(path, { readOnly: true });
        const report = checkIntegrity(db, { thorough: false, limit: 100 });
        db.close();
        // A value that no longer parses on an intact page is content damage; anything else is structure.
        const content = report.problems.some((line) => line.endsWith('stored JSON is damaged'));
        const structure = report.problems.some((line) => !line.endsWith('stored JSON is damaged'));
        tally.quick += structure ? 1 : 0;
        tally.content += content ? 1 : 0;
        tally.both += report.ok ? 0 : 1;
        rmSync(path, { force: true });
      }
      caught.set(key, tally);
    }
  }

  const [load1] = loadavg();
  console.log(`busy machine (load average ${load1?.toFixed(1)}), ${rounds} rounds, medians [min–max]`);
  console.log(
    `store: ${RUNS} runs × ${BATCH_PER_RUN + SERVER_PER_RUN} cell repetitions = ${(sizeBytes / 2 ** 20).toFixed(1)} MiB (${sizeBytes} bytes)`,
  );
  const show = (label: string, list: number[]): void =>
    console.log(
      `${label.padEnd(52)} ${median(list).toFixed(1).padStart(8)} ms  [${Math.min(...list).toFixed(1)}–${Math.max(...list).toFixed(1)}]`,
    );
  show('check on open for writing (quick_check + json_valid)', check);
  show('results check (integrity_check + json_valid)', thorough);
  show('conlab run, 2 cells, into that store', run);
  console.log(
    `check ÷ 2-cell run: ${((median(check) / median(run)) * 100).toFixed(2)}% (the default lab runs 99 cells: its share there is ~50× smaller)`,
  );
  console.log(`detection of a 4 KiB overwrite in the middle half (${trials} trials each):`);
  for (const [key, tally] of caught) {
    console.log(
      `  ${key.padEnd(22)} quick_check ${tally.quick}/${trials}  json_valid ${tally.content}/${trials}  either ${tally.both}/${trials}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
