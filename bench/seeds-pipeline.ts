/**
 * Does conlab's pipeline harness cost throughput? Runs `conlab pipeline
 * --method async` and a plain one-file async pipeline (the reference,
 * bench/seeds-pipeline-reference.ts) side by side, interleaved, at the same
 * concurrency and duration, and prints conlab ÷ reference of the aggregate
 * MiB/s. Not part of npm test. Usage: node bench/seeds-pipeline.ts [reps=3] [durationS=3]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const reps = Number(process.argv[2] ?? '3');
const durationS = Number(process.argv[3] ?? '3');
const bin = fileURLToPath(new URL('../bin/conlab.js', import.meta.url));
const reference = fileURLToPath(new URL('./seeds-pipeline-reference.ts', import.meta.url));

function conlabMiBps(concurrency: number): number {
  const out = execFileSync(
    process.execPath,
    [
      bin,
      'pipeline',
      '--method',
      'async',
      '--concurrency',
      String(concurrency),
      '--duration',
      String(durationS),
      '--format',
      'json',
    ],
    { encoding: 'utf8' },
  );
  const run = (JSON.parse(out) as { runs: { aggregateMiBps: number }[] }).runs[0];
  if (!run) throw new Error('conlab printed no run');
  return run.aggregateMiBps;
}

function referenceMiBps(concurrency: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-bench-ref-'));
  try {
    const out = execFileSync(process.execPath, [reference, String(concurrency), String(durationS), dir], {
      encoding: 'utf8',
    });
    const { bytes, elapsedS } = JSON.parse(out) as { bytes: number; elapsedS: number };
    return bytes / (1024 * 1024) / elapsedS;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

for (const concurrency of [1, 4, 16]) {
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    ours.push(conlabMiBps(concurrency));
    theirs.push(referenceMiBps(concurrency));
  }
  const ratio = median(ours) / median(theirs);
  process.stdout.write(
    `async × ${concurrency}, ${durationS} s, ${reps} reps: conlab ${median(ours).toFixed(2)} MiB/s [${ours.map((v) => v.toFixed(2)).join(' ')}]` +
      ` | reference ${median(theirs).toFixed(2)} MiB/s [${theirs.map((v) => v.toFixed(2)).join(' ')}] | ratio ${ratio.toFixed(3)}\n`,
  );
}
