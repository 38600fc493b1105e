import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderLoadText } from '../../src/load/render.ts';
import type { LoadResult } from '../../src/load/types.ts';

const latency = { min: 90, mean: 250.5, p50: 200, p90: 400, p95: 500, p99: 1500, p999: 2500, max: 3000 };

function result(extra: Partial<LoadResult> = {}): LoadResult {
  return {
    options: {
      target: 'http://127.0.0.1:8080/',
      connections: 50,
      pipelining: 1,
      threads: 2,
      timeoutMs: 10_000,
      durationS: 5,
    },
    mode: 'closed',
    protocol: 'http',
    durationS: 5,
    requests: 100_000,
    rps: 20_000,
    bytesRead: 10 * 2 ** 20,
    errors: {},
    errorsTotal: 0,
    latencyUs: latency,
    histogram: '',
    timeline: [],
    threads: [
      { threadIndex: 0, cpuPercent: 40, requests: 50_000, cpuSource: 'thread' },
      { threadIndex: 1, cpuPercent: 41, requests: 50_000, cpuSource: 'thread' },
    ],
    clientCpuPercent: 81,
    warnings: [],
    ...extra,
  };
}

test('closed loop summary: wrk-like lines with units', () => {
  const text = renderLoadText(result());
  assert.match(text, /^Running 5s test @ http:\/\/127\.0\.0\.1:8080\/ \(http, closed loop\)$/m);
  assert.match(text, /2 threads and 50 connections/);
  assert.match(text, /200us\s+400us\s+1\.50ms\s+2\.50ms\s+3\.00ms\s+251us/);
  assert.match(text, /100000 requests in 5\.00s, 10\.0MiB read/);
  assert.match(text, /Errors: none/);
  assert.match(text, /Requests\/sec:\s+20000\.00/);
  assert.match(text, /Transfer\/sec:\s+2\.0MiB/);
  assert.match(text, /Client CPU:\s+81% of one core \(t0 40%, t1 41%\)/);
  assert.doesNotMatch(text, /WARNING/);
});

test('errors by kind with samples; zero successes says so instead of printing zeros', () => {
  const text = renderLoadText(
    result({
      requests: 0,
      rps: 0,
      errors: { refused: 7, timeout: 2 },
      errorsTotal: 9,
      errorSamples: ['refused: connect ECONNREFUSED 127.0.0.1:8080'],
    }),
  );
  assert.match(text, /Errors: 9 \(refused 7, timeout 2\)/);
  assert.match(text, /e\.g\. refused: connect ECONNREFUSED/);
  assert.match(text, /Latency: no successful replies/);
});

test('warnings are printed first and last; open loop shows both latencies and the schedule', () => {
  const text = renderLoadText(
    result({
      mode: 'open',
      options: { ...result().options, rateRps: 1000 },
      latencyUncorrectedUs: { ...latency, p99: 900 },
      schedule: {
        targetRps: 1000,
        scheduled: 5000,
        achievedRps: 999.5,
        backlogged: 3,
        sendLagUs: { ...latency, p50: 600 },
      },
      warnings: ['client-saturated', 'schedule-drift'],
      warningDetails: [
        'client-saturated: a generator thread used 97% of a core',
        'schedule-drift: p99 send lateness 12.0 ms',
      ],
    }),
  );
  const lines = text.trimEnd().split('\n');
  assert.match(lines[0] ?? '', /^!!! WARNING client-saturated/);
  assert.match(lines.at(-1) ?? '', /^!!! WARNING schedule-drift/);
  assert.match(text, /open loop at 1000 req\/s/);
  assert.match(text, /Latency \(corrected: from each request's scheduled send time\)/);
  assert.match(text, /Latency \(uncorrected: from the actual send time\)/);
  assert.match(
    text,
    /Schedule: target 1000 req\/s, achieved 1000 req\/s, 3 waited for a free connection, send lag p50 600us/,
  );
});

test('unanswered requests: counted in the latency as lower bounds, and said so', () => {
  const text = renderLoadText(
    result({
      requests: 300,
      unfinished: 300,
      censored: { requests: 300, share: 0.5, stalled: 290, stalledShare: 0.483, oldestAgeUs: 1_500_000 },
    }),
  );
  assert.match(text, /Latency \(unanswered requests at their age: lower bounds\)/);
  assert.match(
    text,
    /Unanswered when the window closed: 300 \(50\.0% of the measured requests; 290 older than the completed p99\), oldest 1\.50s/,
  );
  // None unanswered: no such line, and the latency title is the plain one.
  assert.doesNotMatch(renderLoadText(result()), /Unanswered|lower bounds/);
});
