/**
 * Benchmark: the results store's durability cost. Writes the same N cell
 * records (i) through openStore().addCell — one SQLite transaction per
 * record, WAL, what `conlab run` does after each cell — and (ii) the
 * reference: one JSON line per record appended to a file with fsync after
 * each (the simplest store that also survives SIGKILL). Then reads them back
 * (loadRun vs reading and parsing the JSONL file). Same run, alternating
 * rounds, medians; prints the ratios.
 *
 *   node bench/store-write.ts [records=300] [rounds=5]
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/results/store.ts';
import type { CellRecord } from '../src/results/record.ts';
import { batchRecord, env, serverRecord } from '../test/results/fixtures.ts';

const records = Number(process.argv[2] ?? 300);
const rounds = Number(process.argv[3] ?? 5);

function makeRecords(): CellRecord[] {
  const latencies = Array.from({ length: 5000 }, (_, i) => 80 + ((i * 7919) % 3000));
  return Array.from({ length: records }, (_, i) => {
    const record =
      i % 2 === 0 ? batchRecord('threads', 0, 500 + i) : serverRecord('cluster', 0, 9000 + i, latencies);
    return { ...record, cellKey: `${record.cellKey}|${i}` };
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function timeMs(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

const data = makeRecords();
const dir = mkdtempSync(join(tmpdir(), 'conlab-bench-store-'));
const storeWrite: number[] = [];
const jsonlWrite: number[] = [];
const storeRead: number[] = [];
const jsonlRead: number[] = [];
try {
  for (let round = 0; round < rounds; round++) {
    const dbPath = join(dir, `r${round}.db`);
    const jsonlPath = join(dir, `r${round}.jsonl`);
    const store = openStore(dbPath);
    const runId = store.createRun({ suiteName: 'bench', env, suite: {}, cells: [], plan: [] });
    storeWrite.push(timeMs(() => data.forEach((record) => store.addCell(runId, record))));
    jsonlWrite.push(
      timeMs(() => {
        const fd = openSync(jsonlPath, 'a');
        for (const record of data) {
          writeSync(fd, `${JSON.stringify(record)}\n`);
          fsyncSync(fd);
        }
        closeSync(fd);
      }),
    );
    let loaded = 0;
    storeRead.push(timeMs(() => (loaded = store.loadRun(runId).cells.length)));
    jsonlRead.push(
      timeMs(() => {
        const lines = readFileSync(jsonlPath, 'utf8').trimEnd().split('\n');
        if (lines.map((line) => JSON.parse(line) as unknown).length !== loaded)
          throw new Error('count mismatch');
      }),
    );
    store.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const w = median(storeWrite);
const jw = median(jsonlWrite);
const r = median(storeRead);
const jr = median(jsonlRead);
console.log(`records=${records} rounds=${rounds} (medians)`);
console.log(
  `write  store.addCell ${w.toFixed(1)} ms (${((w / records) * 1000).toFixed(0)} µs/record)  jsonl+fsync ${jw.toFixed(1)} ms (${((jw / records) * 1000).toFixed(0)} µs/record)  ratio store/jsonl ${(w / jw).toFixed(2)}`,
);
console.log(
  `read   store.loadRun ${r.toFixed(1)} ms  jsonl parse ${jr.toFixed(1)} ms  ratio store/jsonl ${(r / jr).toFixed(2)}`,
);
