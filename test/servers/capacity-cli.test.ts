/**
 * `conlab capacity` end to end: real servers, real load, a real store.
 * The done-when command (a capacity per architecture, and the report's
 * curves), a server that dies mid-search (its steps kept, the result says
 * where), a target below the idle latency (exit 2) and bad input. The
 * fixture-queue architecture (test/servers/fixtures/queue-arch.ts) has a
 * known service time and slot count; short steps keep this quick, and
 * nothing here asserts a timing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REGISTRY_MODULES_ENV } from '../../src/core/registry.ts';
import { capacityStatuses } from '../../src/results/record.ts';
import { openStore } from '../../src/results/store.ts';
import type { CapacitySummary } from '../../src/servers/capacity/summary.ts';
import { runConlab } from '../fixtures/cli.ts';
import { QUEUE_DIE_AFTER_ENV, QUEUE_SERVICE_ENV } from './fixtures/queue-arch.ts';

process.env[REGISTRY_MODULES_ENV] = fileURLToPath(new URL('./fixtures/queue-arch.ts', import.meta.url));

async function tempStore(t: {
  after(fn: () => Promise<void>): void;
}): Promise<{ dir: string; store: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'conlab-capacity-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return { dir, store: join(dir, 'results.db') };
}

/** Runs the CLI with extra environment for the fixture server (inherited by the subjects it starts). */
async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

const short = ['--duration', '500ms', '--warmup', '200ms'];
/** A search of the fixture server (c = 4 slots), cpu requests of 1 SHA-256 step. */
const queueSearch = ['capacity', '--arch', 'fixture-queue', '--endpoint', 'cpu', '--iters', '1'];

interface CapacityJson {
  runId: string;
  searches: CapacitySummary[];
}

test(
  'conlab capacity --arch single,cluster,reuseport --endpoint cpu --p99 50ms --json: a capacity per architecture, and the report draws the curves',
  { timeout: 300_000 },
  async (t) => {
    const { dir, store } = await tempStore(t);
    const result = await runConlab(
      [
        'capacity',
        '--arch',
        'single,cluster,reuseport',
        '--endpoint',
        'cpu',
        '--p99',
        '50ms',
        '--json',
        ...short,
        '--iters',
        '1000',
        '--max-steps',
        '6',
        '--workers',
        '2',
        '--store',
        store,
      ],
      280_000,
    );
    const doc = JSON.parse(result.stdout) as CapacityJson;
    // On a machine so busy that the load generator itself falls behind its schedule, a search stops there and
    // says so (exit 2): the generator, not the server, would be measured. Every other search has its capacity.
    const limited = doc.searches.filter((search) => search.status === 'generator-limited');
    assert.equal(result.code, limited.length > 0 ? 2 : 0, result.stderr);
    if (limited.length > 0)
      assert.match(result.stderr, /LAB_E_GENERATOR_LIMITED: .*fell behind its schedule/);
    assert.deepEqual(
      doc.searches.map((search) => search.architecture),
      ['single', 'cluster', 'reuseport'],
    );
    for (const search of doc.searches) {
      assert.ok((capacityStatuses as readonly string[]).includes(search.status), search.status);
      assert.notEqual(search.status, 'idle-fails', search.reason);
      assert.notEqual(search.status, 'server-failed', search.reason);
      if (search.status === 'generator-limited') {
        assert.match(search.reason, /the generator fell behind its schedule/);
        continue;
      }
      assert.ok(
        search.capacityRps !== null && search.capacityRps >= 10,
        `${search.architecture}: ${search.reason}`,
      );
      assert.ok(search.steps.length >= 2 && search.steps.length <= 6, `${search.steps.length} steps`);
      assert.equal(search.steps[0]?.phase, 'idle');
      assert.equal(search.percentile, 'p99');
      assert.equal(search.targetUs, 50_000);
      const passed = search.steps.filter((step) => step.passed === true);
      assert.ok(
        passed.some((step) => step.offeredRps === search.capacityRps),
        'the capacity is a passing step',
      );
    }
    // Stored like any run: every step a server cell record of the run, the run named for the target.
    const opened = openStore(store, { create: false });
    try {
      const run = opened.loadRun(doc.runId);
      assert.equal(run.run.command, 'capacity');
      assert.equal(run.run.status, 'complete');
      const steps = doc.searches.reduce((sum, search) => sum + search.steps.length, 0);
      assert.equal(run.cells.length, steps);
      assert.ok(run.cells.every((cell) => cell.kind === 'server' && cell.capacity !== undefined));
    } finally {
      opened.close();
    }
    const out = join(dir, 'report.html');
    const report = await runConlab(['report', doc.runId, '-o', out, '--store', store]);
    assert.equal(report.code, 0, report.stderr);
    const html = await readFile(out, 'utf8');
    assert.match(html, /<h2 id="capacity">Capacity under the latency target<\/h2>/);
    assert.match(html, /<table class="cells capacity">/);
    const chart =
      /<figure class="chart" id="chart-capacity-1-cpu-p99" data-chart="capacity-1-cpu-p99">([\s\S]*?)<\/figure>/.exec(
        html,
      );
    assert.ok(chart, 'one capacity chart for the three architectures');
    const svg = chart[1] ?? '';
    assert.match(svg, /<svg/);
    assert.match(svg, /offered load \(req\/s\)/);
    assert.match(svg, /target 50\.00ms/, 'the target drawn as a rule with its label');
    for (const arch of ['single', 'cluster', 'reuseport']) assert.match(svg, new RegExp(`>${arch}<`));
  },
);

test(
  'a server that dies mid-search: the steps so far are stored and the result says where it stopped',
  { timeout: 120_000 },
  async (t) => {
    const { store } = await tempStore(t);
    const result = await withEnv({ [QUEUE_SERVICE_ENV]: '5', [QUEUE_DIE_AFTER_ENV]: '30' }, () =>
      runConlab(
        [...queueSearch, '--p99', '500ms', '--max-rate', '200', ...short, '--json', '--store', store],
        110_000,
      ),
    );
    assert.equal(result.code, 1, result.stderr);
    const doc = JSON.parse(result.stdout) as CapacityJson;
    const [search] = doc.searches;
    assert.ok(search);
    assert.equal(search.status, 'server-failed');
    assert.match(search.reason, /^step 2 \(ramp at 50 req\/s\) failed: /);
    assert.deepEqual(
      search.steps.map((step) => [step.phase, step.status]),
      [
        ['idle', 'ok'],
        ['ramp', 'failed'],
      ],
    );
    assert.equal(search.capacityRps, 10, 'the idle step passed: the capacity so far');
    assert.match(result.stderr, /^conlab capacity: cell failed: .*fixture-queue 50 req\/s/m);
    const opened = openStore(store, { create: false });
    try {
      assert.equal(opened.loadRun(doc.runId).cells.length, 2, 'both steps stored');
    } finally {
      opened.close();
    }
    const allowed = await withEnv({ [QUEUE_SERVICE_ENV]: '5', [QUEUE_DIE_AFTER_ENV]: '30' }, () =>
      runConlab(
        [
          ...queueSearch,
          '--p99',
          '500ms',
          '--max-rate',
          '200',
          '--max-steps',
          '2',
          ...short,
          '--allow-failures',
          '--store',
          store,
        ],
        110_000,
      ),
    );
    assert.equal(allowed.code, 0, `--allow-failures\n${allowed.stderr}`);
    assert.match(allowed.stdout, /server-failed: [^\n]*\n\s+step 2 \(ramp at 50 req\/s\) failed/);
  },
);

test(
  'a target below the idle latency: exit 2, said so, the idle step stored',
  { timeout: 120_000 },
  async (t) => {
    const { store } = await tempStore(t);
    const result = await withEnv({ [QUEUE_SERVICE_ENV]: '60' }, () =>
      runConlab([...queueSearch, '--p99', '20ms', ...short, '--store', store], 110_000),
    );
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /LAB_E_TARGET_BELOW_IDLE: fixture-queue on node@[\d.]+: even at the idle rate 10 req\/s: p99 [\d.]+ ms ≥ the target 20 ms/,
    );
    assert.match(result.stderr, /hint: give a target above the idle p99/);
    assert.match(result.stdout, /idle-fails/);
    const opened = openStore(store, { create: false });
    try {
      const runs = opened.listRuns();
      assert.equal(runs.length, 1);
      assert.equal(runs[0]?.storedCells, 1);
    } finally {
      opened.close();
    }
  },
);

test('bad input is refused before any server starts (exit 2)', { timeout: 60_000 }, async (t) => {
  const { dir, store } = await tempStore(t);
  for (const [args, message] of [
    [['--p99', '0ms'], /LAB_E_BAD_PARAM: --p99 '0ms' is not a latency above 0/],
    [['--p99=-5ms'], /LAB_E_BAD_PARAM: --p99 '-5ms' is not a latency above 0/],
    [
      ['--p99', '50'],
      /LAB_E_BAD_PARAM: --p99 '50' is not a latency above 0.*\n.*hint: give a number with a unit/,
    ],
    [
      ['--percentile', 'p98', '--target', '5ms'],
      /LAB_E_BAD_PARAM: unknown metric 'p98' for a capacity target → allowed: p50, p90/,
    ],
    [[], /LAB_E_USAGE: capacity needs a target/],
    [['--p99', '5ms', '--p50', '1ms'], /LAB_E_USAGE: capacity takes one target, got --p50, --p99/],
    [
      ['--p99', '50ms', '--max-rate', '1e9'],
      /LAB_E_BAD_PARAM: --max-rate 1000000000 is beyond what the load generator can schedule/,
    ],
    [
      ['--p99', '50ms', '--max-error-rate', '0.1'],
      /LAB_E_BAD_PARAM: --max-error-rate '0\.1' is not a percentage/,
    ],
    [
      ['--p99', '50ms', '--threshold', 'p99<5req'],
      /LAB_E_BAD_THRESHOLD: threshold 'p99<5req' has unit 'req'/,
    ],
    [
      ['--p99', '50ms', '--arch', 'singel'],
      /LAB_E_UNKNOWN_ARCH: unknown architecture 'singel'.*\n.*did you mean 'single'/,
    ],
  ] as const) {
    const result = await runConlab(['capacity', ...args, '--store', store]);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
  const { existsSync } = await import('node:fs');
  assert.ok(!existsSync(join(dir, 'results.db')), 'no store was created for bad input');
});
