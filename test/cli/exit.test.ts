/**
 * The one exit-code decision every command uses: 0 all good, 1 a failed
 * cell or a crossed gate (each named on stderr), failed cells excused only
 * by --allow-failures; a capacity step the search judged (overloaded) is a
 * measurement, not a failed cell.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossedThresholds, exitCode, failedCells, recordLabel, type Problem } from '../../src/cli/exit.ts';
import { checkThresholds, parseThreshold } from '../../src/stats/thresholds.ts';
import { batchRecord, serverRecord } from '../results/fixtures.ts';

/** exitCode's verdict and what it wrote to stderr. */
function decide(problems: Problem[], allowFailures?: boolean): { code: number; lines: string[] } {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = (chunk: string) => {
    lines.push(...chunk.split('\n').filter((line) => line !== ''));
    return true;
  };
  try {
    return { code: exitCode('test', problems, allowFailures === undefined ? {} : { allowFailures }), lines };
  } finally {
    process.stderr.write = write;
  }
}

test('0 when nothing failed, 1 for a failed cell or a crossed gate, each named', () => {
  assert.deepEqual(decide([]), { code: 0, lines: [] });
  const failed = failedCells([
    batchRecord('threads', 0, 100),
    batchRecord('processes', 0, 100, { status: 'failed', reason: 'worker died' }),
    batchRecord('async', 0, 100, { status: 'skipped', reason: 'unsupported' }),
  ]);
  assert.deepEqual(decide(failed), {
    code: 1,
    lines: ['conlab test: cell failed: node@24.21.0 cpu.sha256 processes c=2: worker died'],
  });
  const checks = checkThresholds([parseThreshold('p99<1ms'), parseThreshold('rps>10')], {
    p99: 2000,
    rps: 50,
  });
  assert.deepEqual(decide(crossedThresholds(checks, 'cell A')), {
    code: 1,
    lines: ['conlab test: threshold crossed: cell A: p99<1ms: p99 = 2ms'],
  });
  // Not measured is not crossed: the caller decides (capacity counts it as crossed itself).
  assert.deepEqual(crossedThresholds(checkThresholds([parseThreshold('cpu<5%')], {})), []);
});

test('--allow-failures excuses failed cells, never a crossed gate', () => {
  const failed = failedCells([batchRecord('processes', 0, 100, { status: 'failed', reason: 'x' })]);
  const allowed = decide(failed, true);
  assert.equal(allowed.code, 0);
  assert.match(allowed.lines[0] ?? '', /^conlab test: cell failed \(allowed\): /);
  const gate: Problem = { kind: 'threshold', text: 'p99<1ms: p99 = 2ms' };
  assert.equal(decide([...failed, gate], true).code, 1);
  assert.equal(decide([{ kind: 'regression', text: 'r' }], true).code, 1);
});

test('a capacity step the search judged as failing is not a failed cell; a dead server is', () => {
  const base = serverRecord('single', 0, 0, []);
  const judged = { ...base, status: 'failed' as const, reason: 'no verified replies', rateRps: 500 };
  const info = {
    search: 's',
    phase: 'ramp' as const,
    offeredRps: 500,
    percentile: 'p99',
    targetUs: 50_000,
    maxErrorRate: 0.001,
    valueUs: 2e6,
    errorRate: 0,
    why: ['not one reply'],
    steps: 3,
    spentS: 9,
    idleUs: 1000,
    probeRps: 400,
    ceilingRps: 800,
    lastPassRps: 10,
    firstFailRps: 500,
    next: { phase: 'bisect' as const, rateRps: 70.7 },
  };
  assert.deepEqual(failedCells([{ ...judged, capacity: { ...info, passed: false } }]), []);
  const dead = failedCells([{ ...judged, capacity: { ...info, passed: null, next: null } }]);
  assert.equal(dead.length, 1);
  assert.equal(recordLabel(judged), 'node@24.21.0 hello single 500 req/s');
});
