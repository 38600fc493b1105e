/**
 * The OpenMetrics export, checked line by line against the text format's
 * grammar (no OpenMetrics parser is installed, so the rules a textfile
 * collector and Pushgateway enforce are written out here): HELP and TYPE
 * before a family's samples, each family in one block, valid metric and
 * label names, escaped label values, no duplicate label sets, `# EOF` last.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadResultToOpenMetrics, runToOpenMetrics } from '../../src/results/openmetrics.ts';
import type { RunData } from '../../src/results/record.ts';
import type { LoadResult } from '../../src/load/types.ts';
import { batchRecord, env, serverRecord } from './fixtures.ts';

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"/y;
const number = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|NaN|[+-]Inf)$/;

interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses an exposition, asserting every rule on the way; returns the samples. */
function parseExposition(text: string): ParsedSample[] {
  assert.ok(text.endsWith('# EOF\n'), 'ends with # EOF and a newline');
  const lines = text.slice(0, -1).split('\n');
  assert.equal(lines.filter((line) => line === '# EOF').length, 1, 'one # EOF');
  const typed = new Map<string, string>();
  const helped = new Set<string>();
  const closed = new Set<string>();
  const seenLabelSets = new Set<string>();
  let current = '';
  const samples: ParsedSample[] = [];
  for (const [i, line] of lines.slice(0, -1).entries()) {
    const where = `line ${i + 1}: ${line}`;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      const [, keyword, name = '', rest = ''] = meta;
      assert.match(name, metricName, where);
      if (name !== current) {
        assert.ok(!closed.has(name), `family ${name} appears in two blocks (${where})`);
        if (current !== '') closed.add(current);
        current = name;
      }
      if (keyword === 'TYPE') {
        assert.ok(!typed.has(name), `second TYPE (${where})`);
        assert.ok(
          ['gauge', 'counter', 'summary', 'histogram', 'info', 'stateset', 'unknown'].includes(rest),
          where,
        );
        typed.set(name, rest);
      } else {
        assert.ok(!helped.has(name), `second HELP (${where})`);
        assert.ok(!typed.has(name), `HELP after TYPE (${where})`);
        helped.add(name);
      }
      continue;
    }
    assert.ok(!line.startsWith('#'), `unknown comment (${where})`);
    const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{|\s)/.exec(line);
    assert.ok(head, `not a sample (${where})`);
    const name = head[1] ?? '';
    assert.equal(name, current, `sample outside its family block (${where})`);
    assert.equal(typed.get(name), 'gauge', `sample before TYPE (${where})`);
    let pos = name.length;
    const labels: Record<string, string> = {};
    if (line[pos] === '{') {
      pos++;
      while (line[pos] !== '}') {
        labelPair.lastIndex = pos;
        const pair = labelPair.exec(line);
        assert.ok(pair, `bad label at column ${pos} (${where})`);
        const [whole, key = '', value = ''] = pair;
        assert.ok(!(key in labels), `label ${key} twice (${where})`);
        labels[key] = value.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
        pos += whole.length;
        if (line[pos] === ',') pos++;
      }
      pos++;
    }
    assert.equal(line[pos], ' ', `one space before the value (${where})`);
    const valueText = line.slice(pos + 1);
    assert.match(valueText, number, where);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    assert.ok(!seenLabelSets.has(key), `duplicate sample (${where})`);
    seenLabelSets.add(key);
    samples.push({ name, labels, value: Number(valueText.replace('Inf', 'Infinity')) });
  }
  for (const name of typed.keys()) assert.ok(helped.has(name), `${name} has no HELP`);
  return samples;
}

function sampleValue(
  samples: ParsedSample[],
  name: string,
  labels: Record<string, string>,
): number | undefined {
  return samples.find(
    (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  )?.value;
}

const run: RunData = {
  run: {
    runId: '261126-1200a',
    suiteName: 'test "quoted" \\ suite',
    command: 'run',
    status: 'complete',
    startedAt: '2026-11-26T12:00:00.000Z',
    endedAt: '2026-11-26T12:05:00.000Z',
    env,
    suite: {},
  },
  cells: [
    batchRecord('sequential', 0, 400),
    batchRecord('sequential', 1, 420),
    batchRecord('threads', 0, 220),
    {
      ...serverRecord('cluster', 0, 5000, [100, 200, 300, 5000]),
      latencyUs: { min: 100, mean: 1400, p50: 200, p90: 5000, p95: 5000, p99: 5000, p999: 5000, max: 5000 },
    },
    { ...serverRecord('single', 0, 0, []), status: 'failed', reason: 'server died' },
  ],
};

test('a run exports as valid OpenMetrics with one sample per cell and metric', () => {
  const samples = parseExposition(runToOpenMetrics(run));
  assert.equal(sampleValue(samples, 'conlab_run_info', { suite: 'test "quoted" \\ suite' }), 1);
  // Two sequential repetitions merge into one cell, as the tables show it.
  const durations = samples.filter((s) => s.name === 'conlab_cell_duration_seconds');
  assert.equal(durations.length, 2);
  assert.equal(
    sampleValue(samples, 'conlab_cell_duration_seconds', { model: 'threads', kind: 'batch' }),
    0.22,
  );
  assert.equal(
    sampleValue(samples, 'conlab_cell_latency_seconds', { architecture: 'cluster', percentile: '99' }),
    0.005,
  );
  assert.equal(
    sampleValue(samples, 'conlab_cell_requests_per_second', { architecture: 'cluster', workload: 'hello' }),
    5000,
  );
  assert.equal(sampleValue(samples, 'conlab_cell_ok', { architecture: 'single' }), 0);
  assert.equal(
    sampleValue(samples, 'conlab_cell_requests_per_second', { architecture: 'single' }),
    undefined,
  );
});

test('a load result exports with its target, mode and given labels', () => {
  const latencyUs = { min: 50, mean: 120, p50: 100, p90: 150, p95: 180, p99: 250, p999: 900, max: 1500 };
  const result = {
    options: {
      target: 'http://127.0.0.1:8080/hello',
      connections: 10,
      pipelining: 1,
      threads: 1,
      timeoutMs: 10_000,
    },
    mode: 'open',
    protocol: 'http',
    durationS: 2,
    requests: 2000,
    rps: 1000,
    errorsTotal: 3,
    latencyUs,
    latencyUncorrectedUs: { ...latencyUs, p99: 200 },
    clientCpuPercent: 30,
  } as LoadResult;
  const samples = parseExposition(loadResultToOpenMetrics(result, { architecture: 'cluster' }));
  assert.equal(
    sampleValue(samples, 'conlab_load_latency_seconds', { percentile: '99.9', mode: 'open' }),
    0.0009,
  );
  assert.equal(sampleValue(samples, 'conlab_load_latency_uncorrected_seconds', { percentile: '99' }), 0.0002);
  assert.equal(sampleValue(samples, 'conlab_load_errors', { architecture: 'cluster' }), 3);
});

test('the checker itself rejects what a collector would reject', () => {
  assert.throws(() => parseExposition('# TYPE a gauge\na 1\n'), /EOF/);
  assert.throws(() => parseExposition('# HELP a x\n# TYPE a gauge\na{b="1} 1\n# EOF\n'));
  assert.throws(() =>
    parseExposition('# HELP a x\n# TYPE a gauge\na 1\n# HELP b x\n# TYPE b gauge\nb 1\na 2\n# EOF\n'),
  );
  assert.throws(
    () => parseExposition('# HELP a x\n# TYPE a gauge\na{x="1"} 1\na{x="1"} 2\n# EOF\n'),
    /duplicate/,
  );
});
