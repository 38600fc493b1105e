/**
 * Capacity searches and gates in suites: `capacity:` experiments resolve
 * and expand to one first step per search (planned once, not per
 * repetition); the one step loop adds each next step to the stored plan, so
 * an interrupted run resumes the search where it stopped; `thresholds:` are
 * checked per cell (and per search) after the run, and a crossed one fails
 * `conlab run` (exit 1, named on stderr).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from '../../src/core/errors.ts';
import { REGISTRY_MODULES_ENV } from '../../src/core/registry.ts';
import type { CellRecord, ServerCell } from '../../src/results/record.ts';
import { openStore, type ResultStore } from '../../src/results/store.ts';
import { advance } from '../../src/servers/capacity/search.ts';
import { summarizeCapacity } from '../../src/servers/capacity/summary.ts';
import { emptyServerCell } from '../../src/servers/driver/record.ts';
import { defaultCatalog } from '../../src/suite/catalog.ts';
import { expandSuite, planOrder } from '../../src/suite/expand.ts';
import { parseSuiteText } from '../../src/suite/parse.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import { runSuiteSteps, type CellExecutor } from '../../src/suite/runner.ts';
import type { CellPlan, PlannedRep, ServerCellPlan } from '../../src/suite/types.ts';
import { env } from '../results/fixtures.ts';
import { runConlab } from '../fixtures/cli.ts';

const suiteYaml = (extra = ''): string => `name: capacity-suite
runtimes: [node]
repetitions: 3
capacity:
  - architectures: [single, cluster]
    endpoint: cpu
    targetMs: 50
    maxErrorRatePercent: 0.5
    maxSteps: 10
    thresholds: ['rps>100']
${extra}`;

function prepare(text: string): { cells: CellPlan[]; plan: PlannedRep[] } {
  const suite = resolveSuite(parseSuiteText(text, 't.yaml'), 't.yaml', defaultCatalog);
  const cells = expandSuite(suite);
  return { cells, plan: planOrder(suite, cells) };
}

test('a capacity experiment resolves and expands to one first step per search, planned once', () => {
  const suite = resolveSuite(parseSuiteText(suiteYaml(), 't.yaml'), 't.yaml', defaultCatalog);
  const [experiment] = suite.capacity ?? [];
  assert.ok(experiment);
  assert.equal(experiment.settings.percentile, 'p99');
  assert.equal(experiment.settings.targetUs, 50_000);
  assert.equal(experiment.settings.maxErrorRate, 0.005);
  assert.equal(experiment.settings.maxSteps, 10);
  assert.deepEqual(experiment.thresholds, ['rps>100']);
  const { cells, plan } = prepare(suiteYaml());
  assert.equal(cells.length, 2);
  for (const cell of cells as ServerCellPlan[]) {
    assert.equal(cell.kind, 'server');
    assert.equal(cell.capacity?.next.phase, 'idle');
    assert.equal(cell.rateRps, 10, 'the first step is the idle rate');
    assert.match(cell.cellKey, /\|r10c64\|d3\|node\|p99<50ms e<=0\.5%$/);
    assert.match(cell.capacity?.search ?? '', /^capacity\|(single|cluster)\|/);
  }
  assert.deepEqual(
    plan.map((step) => step.repetition),
    [0, 0],
    'a search runs once, whatever the repetitions',
  );
  // Ordinary cells still repeat.
  const mixed = prepare(suiteYaml('server:\n  - architectures: [single]\n    connections: [2]\n'));
  assert.equal(mixed.plan.length, 2 + 3);
});

test('bad capacity experiments and thresholds in a suite are refused with their path', () => {
  const refuse = (text: string, code: string, message: RegExp): void => {
    assert.throws(
      () => prepare(text),
      (error: unknown) => error instanceof LabError && error.code === code && message.test(error.message),
    );
  };
  refuse(suiteYaml().replace('targetMs: 50', 'targetMs: 0'), 'LAB_E_SUITE_INVALID', /targetMs/);
  refuse(
    suiteYaml().replace('targetMs: 50', 'targetMs: 50\n    percentile: p98'),
    'LAB_E_SUITE_INVALID',
    /percentile/,
  );
  refuse(
    suiteYaml().replace("['rps>100']", "['p99<5req']"),
    'LAB_E_BAD_THRESHOLD',
    /^capacity\[0\]\.thresholds\[0\]: threshold 'p99<5req' has unit 'req'/,
  );
  refuse(
    `name: t\nbatch:\n  - workload: cpu.sha256\n    models: [sequential]\n    thresholds: ['p99<50ms']\n`,
    'LAB_E_BAD_THRESHOLD',
    /^batch\[0\]\.thresholds\[0\]: .*unknown metric 'p99' \(p99 is not measured here\).*allowed: time/,
  );
  refuse(
    suiteYaml().replace('architectures: [single, cluster]', 'architectures: [singel]'),
    'LAB_E_SUITE_INVALID',
    /capacity\[0\]\.architectures\[0\]: unknown architecture 'singel'/,
  );
});

/** A simulated server with its knee at `kneeRps`, as runServerCell would record a step of it. */
function simulatedStep(cell: ServerCellPlan, kneeRps: number): ServerCell {
  const rate = cell.rateRps;
  const base = emptyServerCell(cell, cell.cellKey, 'node@24');
  const p99 = rate === null ? 80_000 : rate <= kneeRps ? 5_000 : 5_000 + (rate / kneeRps - 1) * 2e6;
  const rps = rate ?? kneeRps * 0.8;
  return {
    ...base,
    requests: Math.round(rps * 3),
    rps,
    rpsPerRep: [rps],
    latencyUs: {
      min: 1,
      mean: rate === null ? (64 / kneeRps) * 1e6 : p99 / 2,
      p50: p99 / 2,
      p90: p99,
      p95: p99,
      p99,
      p999: p99,
      max: p99,
    },
  };
}

/** The suite's executor for capacity steps, with the server simulated: one step per call. */
const simulated: CellExecutor = (cell) => {
  assert.ok(cell.kind === 'server' && cell.capacity);
  const record = simulatedStep(cell, cell.architecture === 'single' ? 300 : 700);
  return Promise.resolve({ ...record, capacity: advance(cell.capacity, record, 1).info } as CellRecord);
};

function store(t: { after(fn: () => void): void }): ResultStore {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-suite-capacity-'));
  const opened = openStore(join(dir, 'r.db'));
  t.after(() => {
    opened.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return opened;
}

test('each step adds the next to the stored plan; an interrupted run resumes the searches where they stopped', async (t) => {
  const { cells, plan } = prepare(suiteYaml());
  // Uninterrupted, for reference.
  const whole = store(t);
  const wholeId = whole.createRun({ suiteName: 's', env, suite: {}, cells, plan });
  const outcome = await runSuiteSteps({
    store: whole,
    runId: wholeId,
    cells,
    plan,
    repetitions: 3,
    execute: simulated,
    timeBudgetS: null,
  });
  assert.equal(outcome.status, 'complete');
  const reference = summarizeCapacity(whole.loadCells(wholeId));
  assert.deepEqual(
    reference.map((summary) => [summary.architecture, summary.status, summary.capacityRps]).sort(),
    [
      ['cluster', 'found', reference.find((s) => s.architecture === 'cluster')?.capacityRps],
      ['single', 'found', reference.find((s) => s.architecture === 'single')?.capacityRps],
    ],
  );
  // Knees at 300 and 700 req/s, crossing the 50 ms target 2.25% above them.
  for (const [arch, knee] of [
    ['single', 300],
    ['cluster', 700],
  ] as const) {
    const found = reference.find((s) => s.architecture === arch);
    assert.ok(found && found.lowRps !== null && found.highRps !== null);
    assert.ok(
      found.lowRps < knee * 1.0225 && knee * 1.0225 <= found.highRps,
      `${arch}: ${found.lowRps}–${found.highRps}`,
    );
  }
  const [run] = whole.listRuns();
  assert.equal(run?.plannedCells, run?.storedCells, 'every step added was planned, and stored');
  assert.ok((run?.storedCells ?? 0) > 6);
  // The steps of the two searches alternate.
  const order = whole.loadCells(wholeId).map((cell) => (cell.kind === 'server' ? cell.architecture : ''));
  assert.notEqual(order[0], order[1]);
  assert.deepEqual(order.slice(2, 4), order.slice(0, 2), 'one step of each search in turn');

  // Stopped after 5 steps, then resumed from what the store holds (as `conlab run --resume` does).
  const cut = store(t);
  const cutId = cut.createRun({ suiteName: 's', env, suite: {}, cells, plan });
  let steps = 0;
  const first = await runSuiteSteps({
    store: cut,
    runId: cutId,
    cells,
    plan,
    repetitions: 3,
    execute: simulated,
    timeBudgetS: null,
    stopRequested: () => steps >= 5,
    onEnd: () => void steps++,
  });
  assert.equal(first.status, 'interrupted');
  assert.ok(summarizeCapacity(cut.loadCells(cutId)).every((summary) => summary.status === 'interrupted'));
  const info = cut.runInfo(cutId);
  const resumed = await runSuiteSteps({
    store: cut,
    runId: cutId,
    cells: info.cells as CellPlan[],
    plan: info.plan,
    repetitions: 3,
    execute: simulated,
    timeBudgetS: null,
  });
  assert.equal(resumed.status, 'complete');
  const after = summarizeCapacity(cut.loadCells(cutId));
  const strip = (summaries: typeof reference) =>
    summaries.map(({ spentS: _s, steps: list, ...rest }) => ({
      ...rest,
      steps: list.map(({ cellKey, passed }) => [cellKey, passed]),
    }));
  assert.deepEqual(strip(after), strip(reference), 'the same searches, step for step');
});

test(
  'conlab run: a crossed suite threshold exits 1 naming it; capacity steps are stored as the search goes',
  { timeout: 240_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'conlab-suite-gates-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const suite = join(dir, 'suite.yaml');
    writeFileSync(
      suite,
      `name: gates
runtimes: [node]
repetitions: 1
minWindowS: 0.2
warmupS: 0.2
server:
  - architectures: [single]
    connections: [2]
    durationS: 0.5
    thresholds: ['p99<1us', 'rps>1']
capacity:
  - architectures: [fixture-queue]
    endpoint: cpu
    params: { cpuIters: 1 }
    targetMs: 500
    maxRateRps: 100
    maxSteps: 3
    durationS: 0.5
`,
    );
    const storePath = join(dir, 'r.db');
    const previous = process.env[REGISTRY_MODULES_ENV];
    process.env[REGISTRY_MODULES_ENV] = fileURLToPath(
      new URL('../servers/fixtures/queue-arch.ts', import.meta.url),
    );
    t.after(() => {
      if (previous === undefined) delete process.env[REGISTRY_MODULES_ENV];
      else process.env[REGISTRY_MODULES_ENV] = previous;
    });
    const result = await runConlab(
      ['run', suite, '--store', storePath, '--no-report', '--json', '--threshold', 'errors<50%'],
      230_000,
    );
    assert.equal(result.code, 1, result.stderr);
    const crossed = result.stderr.match(/^conlab run: threshold crossed: .*$/gm) ?? [];
    assert.equal(crossed.length, 1, result.stderr);
    assert.match(crossed[0] ?? '', /server\|single\|.*: p99<1us: p99 = \d+us$/);
    const doc = JSON.parse(result.stdout) as {
      cells: CellRecord[];
      thresholds: { key: string; checks: { threshold: string; passed: boolean }[] }[];
    };
    const single = doc.thresholds.find((gate) => gate.key.startsWith('server|single|'));
    assert.deepEqual(
      single?.checks.map((check) => [check.threshold, check.passed]),
      [
        ['p99<1us', false],
        ['rps>1', true],
        ['errors<50%', true],
      ],
    );
    const [search] = summarizeCapacity(doc.cells);
    assert.ok(search);
    assert.equal(search.architecture, 'fixture-queue');
    assert.equal(search.steps.length, 3);
    assert.deepEqual(
      search.steps.map((step) => step.phase),
      ['idle', 'ramp', 'ramp'],
    );
    const capacityGate = doc.thresholds.find((gate) => gate.key === search.search);
    assert.deepEqual(
      capacityGate?.checks.map((check) => check.threshold),
      ['errors<50%'],
    );
    const opened = openStore(storePath, { create: false });
    try {
      const [run] = opened.listRuns();
      assert.equal(run?.storedCells, 4);
      assert.equal(run?.plannedCells, 4);
    } finally {
      opened.close();
    }
  },
);
