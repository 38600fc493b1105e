/**
 * runLoad against real misbehaving servers (test/load/fixtures.ts). Runs are
 * 1 s or a fixed request count; assertions are about counts and kinds, and
 * the one latency assertion is the coordinated-omission check the stall
 * fixture exists for.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runLoad } from '../../src/load/index.ts';
import { renderLoadText } from '../../src/load/render.ts';
import type { LoadOptions } from '../../src/load/types.ts';
import { Hdr } from '../../src/stats/hdr.ts';
import * as fixtures from './fixtures.ts';

async function withFixture<T, F extends fixtures.Fixture>(
  start: Promise<F>,
  body: (f: F) => Promise<T>,
): Promise<T> {
  const fixture = await start;
  try {
    return await body(fixture);
  } finally {
    await fixture.close();
  }
}

const quick = (target: string, extra: Partial<LoadOptions> = {}): LoadOptions => ({
  target,
  connections: 4,
  durationS: 1,
  timeoutMs: 2000,
  ...extra,
});

test('ok server: verified successes, no errors, the server agrees on the count', async () => {
  await withFixture(fixtures.okServer(), async (f) => {
    const r = await runLoad(quick(f.url, { expectBody: 'hello', threads: 2 }));
    assert.ok(r.requests > 0);
    assert.equal(r.errorsTotal, 0);
    assert.ok(r.requests <= f.answered(), `client ${r.requests} > server ${f.answered()}`);
    assert.equal(r.mode, 'closed');
    assert.equal(r.latencyUs.min > 0, true);
    assert.ok(r.latencyUs.p50 <= r.latencyUs.p99 && r.latencyUs.p99 <= r.latencyUs.max);
    assert.deepEqual(
      r.threads.map((t) => t.connections),
      [2, 2],
    );
    assert.equal(
      r.threads.reduce((a, t) => a + t.requests, 0),
      r.requests,
    );
    assert.ok(r.timeline.length >= 1);
    assert.equal(
      r.timeline.reduce((a, p) => a + p.requests, 0),
      r.requests,
    );
    assert.ok(r.bytesRead >= r.requests * 'HTTP/1.1 200 OK\r\n\r\nhello'.length);
  });
});

test('-n is exact across threads and connections (10 over 3 threads)', async () => {
  await withFixture(fixtures.okServer(), async (f) => {
    const r = await runLoad({ target: f.url, connections: 10, threads: 3, requests: 1001, timeoutMs: 5000 });
    assert.equal(r.requests + r.errorsTotal, 1001);
    assert.equal(r.errorsTotal, 0);
    assert.deepEqual(
      r.threads.map((t) => t.connections),
      [4, 3, 3],
    );
    assert.equal(f.answered(), 1001);
  });
});

test('-n smaller than the thread count still ends (a thread may get no requests)', async () => {
  await withFixture(fixtures.okServer(), async (f) => {
    const r = await runLoad({ target: f.url, connections: 3, threads: 3, requests: 2 });
    assert.equal(r.requests, 2);
    assert.deepEqual(
      r.threads.map((t) => t.requests),
      [1, 1, 0],
    );
  });
});

test('pipelining keeps several requests in flight and counts each reply once', async () => {
  await withFixture(fixtures.okServer(), async (f) => {
    const r = await runLoad({
      target: f.url,
      connections: 2,
      pipelining: 8,
      requests: 800,
      expectBody: 'hello',
    });
    assert.equal(r.requests, 800);
    assert.equal(f.answered(), 800);
  });
});

test('method, headers and body reach the server as given; HEAD replies carry no body', async () => {
  await withFixture(fixtures.echoRequestServer(), async (f) => {
    const r = await runLoad({
      target: f.url,
      connections: 2,
      requests: 50,
      method: 'POST',
      headers: { 'x-test': 'abc' },
      body: '{"a":1}',
      expectBody: 'POST abc {"a":1}',
    });
    assert.equal(r.requests, 50, JSON.stringify(r.errors));
    assert.equal(r.options.method, 'POST');
  });
  await withFixture(fixtures.okServer(), async (f) => {
    const r = await runLoad({ target: f.url, connections: 2, requests: 50, method: 'HEAD' });
    assert.equal(r.requests, 50, JSON.stringify(r.errorSamples));
  });
});

test('large pipelined request bodies survive socket back-pressure intact', async () => {
  await withFixture(fixtures.echoRequestServer(), async (f) => {
    const body = 'x'.repeat(512 * 1024);
    const r = await runLoad({
      target: f.url,
      connections: 2,
      // 8 × 512 KiB in flight per connection is more than loopback socket buffers hold: writes go asynchronous.
      pipelining: 8,
      requests: 40,
      method: 'PUT',
      body,
      expectBody: `PUT - ${body}`,
    });
    assert.equal(r.requests, 40, JSON.stringify({ errors: r.errors, samples: r.errorSamples }));
    assert.equal(f.answered(), 40);
  });
});

test('chunked bodies are reassembled and verified', async () => {
  await withFixture(fixtures.chunkedServer(), async (f) => {
    const r = await runLoad({ target: f.url, connections: 2, requests: 200, expectBody: 'hello' });
    assert.equal(r.requests, 200);
    assert.equal(r.errorsTotal, 0);
  });
});

test('HTTP/1.0 close-delimited replies succeed, one connection per reply', async () => {
  await withFixture(fixtures.http10Server(), async (f) => {
    const r = await runLoad({ target: f.url, connections: 2, requests: 100, expectBody: 'hello' });
    assert.equal(r.errorsTotal, 0, JSON.stringify(r.errorSamples));
    assert.equal(r.requests, 100);
  });
});

test('slow server: latency reflects the delay, throughput is bounded by it', async () => {
  await withFixture(fixtures.slowServer(50), async (f) => {
    const r = await runLoad(quick(f.url, { connections: 2 }));
    // 2 connections × 1 s ÷ 50 ms = 40; slack for timers that fire up to a millisecond early.
    assert.ok(r.requests > 0 && r.requests <= 2 * 25, `requests ${r.requests}`);
    // p50, not min: the 2 requests in transit at the end count at their age (a lower bound below 50 ms).
    assert.ok(r.latencyUs.p50 >= 45_000, `p50 ${r.latencyUs.p50}`);
    // Each connection has a request in transit at the end (a large share of so few): younger than
    // the latency of the completed ones, so not a stall.
    assert.ok(!r.warnings.includes('stalled'), JSON.stringify(r.censored));
  });
});

test('open loop against a server that stalls once: corrected p99 shows the stall, uncorrected does not', async () => {
  const stallMs = 500;
  await withFixture(fixtures.stallOnceServer(600, stallMs), async (f) => {
    const r = await runLoad({ target: f.url, connections: 4, rateRps: 500, durationS: 2, timeoutMs: 5000 });
    assert.equal(r.mode, 'open');
    assert.equal(r.errorsTotal, 0);
    const corrected = r.latencyUs;
    const uncorrected = r.latencyUncorrectedUs;
    assert.ok(uncorrected);
    // ~250 of ~1000 requests were scheduled inside the stall: the corrected p99 is most of it.
    assert.ok(corrected.p99 >= (stallMs / 2) * 1000, `corrected p99 ${corrected.p99}`);
    // Only the ≤4 requests in flight when it froze waited on the wire (<1% of samples).
    assert.ok(uncorrected.p99 < (stallMs / 2) * 1000, `uncorrected p99 ${uncorrected.p99}`);
    assert.ok(uncorrected.max >= (stallMs / 2) * 1000, `uncorrected max ${uncorrected.max}`);
    assert.ok(r.schedule && r.schedule.backlogged > 0);
    assert.ok(r.histogramUncorrected);
  });
});

test('a server that stops answering mid-run: the unanswered requests count at their age, the run is stalled', async () => {
  // The fixture: -R 200 for 3 s, the server holds every reply from 1.5 s on (for 20 s).
  await withFixture(fixtures.stallingServer(1500, 20_000), async (f) => {
    const r = await runLoad({ target: f.url, connections: 10, rateRps: 200, durationS: 3 });
    const endedAt = performance.now();
    const stalledAt = f.stalledAt();
    assert.ok(stalledAt !== null, 'the server stalled');
    // How long the stall had lasted when the window closed (at most; the window closed a little before).
    const stallAgeUs = (endedAt - stalledAt) * 1000;
    const censored = r.censored;
    assert.ok(censored, 'censored figures are reported');
    assert.equal(r.errorsTotal, 0);
    assert.equal(censored.requests, r.unfinished);
    // Every request scheduled after the stall began is unanswered: about half of the 600.
    assert.ok(censored.requests >= 200, `unanswered ${censored.requests}`);
    assert.ok(censored.stalledShare > 0.25, `stalled share ${censored.stalledShare}`);
    assert.ok(r.warnings.includes('stalled'));
    assert.ok(r.warningDetails?.some((line) => line.startsWith('stalled: ')));
    // Their ages are in the latency: the max is the stall's age, the p99 nearly so (the unanswered
    // requests' ages spread evenly from 0 to the stall's age, so p99 of all is ~98% of it).
    assert.ok(r.latencyUs.max >= stallAgeUs * 0.9, `max ${r.latencyUs.max} vs stall ${stallAgeUs}`);
    assert.ok(r.latencyUs.p99 >= stallAgeUs * 0.8, `p99 ${r.latencyUs.p99} vs stall ${stallAgeUs}`);
    assert.ok(censored.oldestAgeUs >= stallAgeUs * 0.9);
    assert.equal(Hdr.decode(r.histogram).totalCount, r.requests + censored.requests);
    // Before: p99 2.36 ms and "Errors: none". The text now says what happened.
    const text = renderLoadText(r);
    assert.match(text, /!!! WARNING stalled: \d+ requests/);
    assert.match(text, /Unanswered when the window closed: \d+ \(\d+\.\d% of the measured requests/);
  });
});

test('closed loop against the same stall: the max shows it, the few stuck requests are counted', async () => {
  await withFixture(fixtures.stallingServer(500, 20_000), async (f) => {
    const r = await runLoad({ target: f.url, connections: 4, durationS: 1.5 });
    const stalledAt = f.stalledAt();
    assert.ok(stalledAt !== null);
    // One request per connection was stuck; a closed loop sends nothing more, so they are few.
    assert.equal(r.censored?.requests, 4);
    assert.ok(r.latencyUs.max >= 800_000, `max ${r.latencyUs.max}`);
  });
});

test('reset server: every attempt is a reset error, zero successes', async () => {
  await withFixture(fixtures.resetServer(), async (f) => {
    const r = await runLoad(quick(f.url));
    assert.equal(r.requests, 0);
    assert.ok((r.errors.reset ?? 0) > 0);
    assert.equal(r.errorsTotal, r.errors.reset);
  });
});

test('500 server: status errors, zero successes; --expect-status 500 accepts them', async () => {
  await withFixture(fixtures.errorServer(), async (f) => {
    const r = await runLoad({ target: f.url, connections: 2, requests: 50 });
    assert.equal(r.requests, 0);
    assert.equal(r.errors.status, 50);
    // The samples say what came back: the status, what was expected, the first bytes of the body.
    assert.deepEqual(r.errorSamples, ['status 500, expected 2xx; body "oops"']);
    const accepted = await runLoad({ target: f.url, connections: 2, requests: 50, expectStatus: 500 });
    assert.equal(accepted.requests, 50);
  });
});

test('wrong body: body errors with --expect-body and --expect-body-regex', async () => {
  await withFixture(fixtures.wrongBodyServer(), async (f) => {
    const exact = await runLoad({ target: f.url, connections: 2, requests: 40, expectBody: 'hello' });
    assert.equal(exact.requests, 0);
    assert.equal(exact.errors.body, 40);
    assert.deepEqual(exact.errorSamples, ['body "nope", expected "hello" (status 200)']);
    const regex = await runLoad({ target: f.url, connections: 2, requests: 40, expectBodyRegex: '^hel+o$' });
    assert.equal(regex.errors.body, 40);
    assert.deepEqual(regex.errorSamples, ['body "nope", expected a body matching /^hel+o$/ (status 200)']);
    const matching = await runLoad({ target: f.url, connections: 2, requests: 40, expectBodyRegex: 'no.e' });
    assert.equal(matching.requests, 40);
  });
});

test('a reply that changes after many identical ones is verified again (template fast path)', async () => {
  const total = 300;
  const good = 120;
  for (const change of ['same-length', 'longer', 'status'] as const) {
    await withFixture(fixtures.changingServer(good, change), async (f) => {
      const r = await runLoad({ target: f.url, connections: 2, requests: total, expectBody: 'hello' });
      assert.equal(r.requests, good, change);
      const kind = change === 'status' ? 'status' : 'body';
      assert.equal(r.errors[kind], total - good, `${change}: ${JSON.stringify(r.errors)}`);
      assert.equal(r.errorsTotal, total - good, change);
    });
  }
  // Chunked framing of the right body is right: every reply succeeds.
  await withFixture(fixtures.changingServer(good, 'chunked'), async (f) => {
    const r = await runLoad({ target: f.url, connections: 2, requests: total, expectBody: 'hello' });
    assert.equal(r.requests, total);
    assert.equal(r.errorsTotal, 0);
  });
});

test('accept-and-close: all errors, zero successes', async () => {
  await withFixture(fixtures.acceptCloseServer(), async (f) => {
    const r = await runLoad(quick(f.url));
    assert.equal(r.requests, 0);
    assert.ok(r.errorsTotal > 0);
    // No reply ever succeeds, so the latency holds nothing but the requests in flight when the window
    // closed (a request sent just before the end is unanswered, not failed), at their age.
    const unanswered = r.censored?.requests ?? 0;
    if (unanswered === 0) assert.equal(r.latencyUs.p50, 0);
    else assert.equal(r.latencyUs.max, r.censored?.oldestAgeUs);
    const kinds = Object.keys(r.errors).sort();
    assert.ok(
      kinds.every((k) => k === 'short-read' || k === 'reset'),
      kinds.join(),
    );
  });
});

test('hanging server: requests time out and the run still ends on time', async () => {
  await withFixture(fixtures.hangServer(), async (f) => {
    const started = performance.now();
    const r = await runLoad(quick(f.url, { timeoutMs: 200 }));
    const tookMs = performance.now() - started;
    assert.equal(r.requests, 0);
    assert.ok((r.errors.timeout ?? 0) >= 4, JSON.stringify(r.errors));
    assert.ok(tookMs < 10_000, `took ${tookMs} ms`);
  });
});

test('closed port: refused errors, no crash', async () => {
  const port = await fixtures.closedPort();
  const r = await runLoad(quick(`http://127.0.0.1:${port}/`, { durationS: 0.5 }));
  assert.equal(r.requests, 0);
  assert.ok((r.errors.refused ?? 0) > 0);
  assert.ok(r.errorSamples?.some((s) => s.includes('ECONNREFUSED')));
});

test('TCP echo and compute, persistent and a new connection per request, verified', async () => {
  await withFixture(fixtures.tcpServer('echo'), async (f) => {
    const persistent = await runLoad({ target: f.url, connections: 2, requests: 300 });
    assert.equal(persistent.protocol, 'tcp');
    assert.equal(persistent.requests, 300);
    assert.equal(f.answered(), 300);
    const perRequest = await runLoad({
      target: f.url,
      connections: 2,
      requests: 50,
      connectionPerRequest: true,
    });
    assert.equal(perRequest.requests, 50);
    const wrongExpect = await runLoad({ target: f.url, connections: 1, requests: 5, tcpExpect: 'done' });
    assert.equal(wrongExpect.errors.body, 5);
  });
  await withFixture(fixtures.tcpServer('compute'), async (f) => {
    const r = await runLoad({ target: f.url, connections: 2, requests: 100, tcpExpect: 'done' });
    assert.equal(r.requests, 100);
  });
  await withFixture(fixtures.tcpServer('wrong'), async (f) => {
    const r = await runLoad({ target: f.url, connections: 2, requests: 20 });
    assert.equal(r.requests, 0);
    assert.equal(r.errors.body, 20);
  });
});

test('HTTP with a new connection per request', async () => {
  await withFixture(fixtures.okServer(), async (f) => {
    const r = await runLoad({ target: f.url, connections: 2, requests: 100, connectionPerRequest: true });
    assert.equal(r.requests, 100);
  });
});

test('warmup is not recorded; an abort ends the run early with what was measured', async () => {
  await withFixture(fixtures.okServer(), async (f) => {
    const warm = await runLoad({ target: f.url, connections: 2, requests: 100, warmupS: 0.3 });
    assert.equal(warm.requests, 100);
    assert.ok(f.answered() > 100, 'warmup requests reached the server');
    const controller = new AbortController();
    const started = performance.now();
    // Abort once the first second is in, so the run has surely started.
    const aborted = await runLoad(quick(f.url, { durationS: 30 }), {
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    assert.equal(aborted.interrupted, true);
    assert.ok(performance.now() - started < 10_000);
    assert.ok(aborted.requests > 0);
  });
});

test('progress hook sees each finished second', async () => {
  await withFixture(fixtures.okServer(), async (f) => {
    const seen: number[] = [];
    const r = await runLoad(quick(f.url, { durationS: 1.5, threads: 2 }), {
      onProgress: (p) => seen.push(p.second),
    });
    assert.deepEqual(
      seen,
      r.timeline.map((p) => p.second),
    );
    assert.ok(seen.length >= 2);
  });
});

test('an abort before the threads start rejects with LAB_E_ABORTED', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    runLoad({ target: 'http://127.0.0.1:9/', connections: 1 }, { signal: controller.signal }),
    {
      code: 'LAB_E_ABORTED',
    },
  );
});

test('bad input is rejected before any thread starts', async () => {
  await assert.rejects(runLoad({ target: 'nonsense', connections: 1 }), { code: 'LAB_E_BAD_URL' });
  await assert.rejects(runLoad({ target: 'http://10.1.2.3:80/', connections: 1 }), {
    code: 'LAB_E_REMOTE_TARGET',
  });
  await assert.rejects(runLoad({ target: 'http://127.0.0.1:80/', connections: -1 }), {
    code: 'LAB_E_BAD_PARAM',
  });
});
