/**
 * The one case list every server architecture must pass, on every runtime
 * that can run it (conformance.test.ts runs it on Node 24 for each
 * architecture, conformance-runtimes.test.ts on Bun and Deno). Cases share
 * one running server per architecture, so none may leave it broken; the
 * unit-replacement case runs last.
 */
import assert from 'node:assert/strict';
import { httpCall } from '../../src/servers/driver/http-client.ts';
import { SHA_VECTORS } from '../../src/servers/driver/verify.ts';
import { expectedKv } from '../../src/servers/subject/work/kv.ts';
import { WHOAMI_RE } from '../../src/servers/driver/endpoints.ts';
import { assertLabError, parseRawResponse, rawExchange, type StartedServer } from './helpers.ts';

export interface ConformanceCase {
  name: string;
  run(s: StartedServer): Promise<void>;
}

const json = { 'content-type': 'application/json' };

async function score(s: StartedServer, body: string, headers: Record<string, string> = json) {
  return httpCall(s.baseUrl, '/score', { method: 'POST', headers, body });
}

async function assertStillServing(s: StartedServer): Promise<void> {
  const health = await httpCall(s.baseUrl, '/health');
  assert.equal(health.status, 200);
  assert.equal(health.body, '{"ok":true}');
}

const badScoreBodies: { name: string; body: string; code: string }[] = [
  { name: 'malformed JSON', body: '{"mode":"cpu",', code: 'LAB_E_BAD_JSON' },
  { name: 'JSON array', body: '[1,2]', code: 'LAB_E_BAD_PARAM' },
  { name: 'iters as a string', body: '{"mode":"cpu","iters":"10","seed":"a"}', code: 'LAB_E_BAD_PARAM' },
  { name: 'iters -1', body: '{"mode":"cpu","iters":-1,"seed":"a"}', code: 'LAB_E_BAD_PARAM' },
  { name: 'iters 0', body: '{"mode":"cpu","iters":0,"seed":"a"}', code: 'LAB_E_BAD_PARAM' },
  { name: 'iters above 10^7', body: '{"mode":"cpu","iters":10000001,"seed":"a"}', code: 'LAB_E_BAD_PARAM' },
  { name: 'iters fractional', body: '{"mode":"cpu","iters":1.5,"seed":"a"}', code: 'LAB_E_BAD_PARAM' },
  { name: 'seed missing', body: '{"mode":"cpu","iters":1}', code: 'LAB_E_BAD_PARAM' },
  { name: 'seed a number', body: '{"mode":"cpu","iters":1,"seed":5}', code: 'LAB_E_BAD_PARAM' },
  { name: 'unknown key', body: '{"mode":"cpu","iters":1,"seed":"a","extra":1}', code: 'LAB_E_BAD_PARAM' },
  { name: 'unknown mode', body: '{"mode":"gpu"}', code: 'LAB_E_BAD_PARAM' },
  { name: 'io key a number', body: '{"mode":"io","key":42}', code: 'LAB_E_BAD_PARAM' },
];

export const conformanceCases: ConformanceCase[] = [
  {
    name: 'GET /health answers {"ok":true}',
    async run(s) {
      await assertStillServing(s);
    },
  },
  {
    name: 'GET /hello answers text/plain hello',
    async run(s) {
      const r = await httpCall(s.baseUrl, '/hello');
      assert.equal(r.status, 200);
      assert.equal(r.body, 'hello');
      assert.match(String(r.headers['content-type']), /^text\/plain/);
    },
  },
  {
    name: 'GET /whoami names ppid, pid, thread, uri and client address',
    async run(s) {
      const r = await httpCall(s.baseUrl, '/whoami?x=1');
      const m = WHOAMI_RE.exec(r.body);
      assert.ok(m, r.body);
      assert.equal(m[4], '/whoami?x=1');
      assert.equal(m[5], '127.0.0.1');
      assert.ok(Number(m[2]) > 0);
    },
  },
  {
    name: 'GET /info reports architecture, runtime, workers and the primary pid',
    async run(s) {
      const r = await httpCall(s.baseUrl, '/info');
      const info = JSON.parse(r.body) as Record<string, unknown>;
      assert.equal(info.architecture, s.config.arch);
      assert.equal(info.runtime, s.runtime.label);
      assert.equal(info.workers, s.config.workers);
      assert.equal(info.pid, s.server.pid);
    },
  },
  {
    name: 'POST /score cpu answers the PROTOCOL.md vectors',
    async run(s) {
      for (const v of SHA_VECTORS) {
        const r = await score(s, JSON.stringify({ mode: 'cpu', iters: v.iters, seed: v.seed }));
        assert.equal(r.status, 200);
        assert.deepEqual(JSON.parse(r.body), { mode: 'cpu', iters: v.iters, digest: v.digest });
      }
    },
  },
  {
    name: 'POST /score io reads the store; a missing key is 404',
    async run(s) {
      const { key, val } = expectedKv(42);
      const r = await score(s, JSON.stringify({ mode: 'io', key }));
      assert.equal(r.status, 200);
      assert.deepEqual(JSON.parse(r.body), { mode: 'io', key, val });
      const missing = await score(s, '{"mode":"io","key":"k9999"}');
      assertLabError(missing.status, missing.body, 404, 'LAB_E_NOT_FOUND');
    },
  },
  {
    name: 'bad /score bodies get 400 with a LAB_E_ code, and the server keeps serving',
    async run(s) {
      for (const bad of badScoreBodies) {
        const r = await score(s, bad.body);
        assertLabError(r.status, r.body, 400, bad.code);
      }
      await assertStillServing(s);
    },
  },
  {
    name: 'unknown path 404, wrong method 405 with Allow',
    async run(s) {
      const nf = await httpCall(s.baseUrl, '/nope');
      assertLabError(nf.status, nf.body, 404, 'LAB_E_NOT_FOUND');
      const get = await httpCall(s.baseUrl, '/score');
      assertLabError(get.status, get.body, 405, 'LAB_E_METHOD');
      assert.equal(get.headers.allow, 'POST');
      const post = await httpCall(s.baseUrl, '/hello', { method: 'POST', headers: json, body: '{}' });
      assertLabError(post.status, post.body, 405, 'LAB_E_METHOD');
    },
  },
  {
    name: 'POST /score without application/json is 415',
    async run(s) {
      const none = await httpCall(s.baseUrl, '/score', {
        method: 'POST',
        body: '{"mode":"io","key":"k0001"}',
      });
      assertLabError(none.status, none.body, 415, 'LAB_E_MEDIA_TYPE');
      const text = await score(s, '{"mode":"io","key":"k0001"}', { 'content-type': 'text/plain' });
      assertLabError(text.status, text.body, 415, 'LAB_E_MEDIA_TYPE');
    },
  },
  {
    name: 'bodies over 64 KiB are 413, declared or chunked',
    async run(s) {
      const big = `{"mode":"io","key":"${'x'.repeat(70 * 1024)}"}`;
      const declared = await score(s, big);
      assertLabError(declared.status, declared.body, 413, 'LAB_E_TOO_LARGE');
      const head =
        'POST /score HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n';
      const chunk = 'a'.repeat(16 * 1024);
      const chunkFrame = `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
      const raw = await rawExchange(s.server.port, [head, ...Array.from({ length: 5 }, () => chunkFrame)], {
        gapMs: 5,
      });
      const parsed = parseRawResponse(raw.data);
      assertLabError(parsed.status, parsed.body, 413, 'LAB_E_TOO_LARGE');
      await assertStillServing(s);
    },
  },
  {
    name: 'more than 100 header lines or 16 KiB of headers is 431',
    async run(s) {
      const many: Record<string, string> = {};
      for (let i = 0; i < 101; i++) many[`x-h${i}`] = 'v';
      const lines = await httpCall(s.baseUrl, '/hello', { headers: many });
      assertLabError(lines.status, lines.body, 431, 'LAB_E_HEADERS_TOO_LARGE');
      const wide = await httpCall(s.baseUrl, '/hello', { headers: { 'x-big': 'y'.repeat(17 * 1024) } });
      assertLabError(wide.status, wide.body, 431, 'LAB_E_HEADERS_TOO_LARGE');
      // Past the parser's own ceiling: still our 431 (or, where the runtime cuts first, a clean close).
      const huge = await rawExchange(s.server.port, [
        `GET /hello HTTP/1.1\r\nhost: x\r\nx-huge: ${'z'.repeat(80 * 1024)}\r\n\r\n`,
      ]);
      if (huge.data !== '') {
        const parsed = parseRawResponse(huge.data);
        assertLabError(parsed.status, parsed.body, 431, 'LAB_E_HEADERS_TOO_LARGE');
      } else {
        assert.ok(huge.closed, 'no answer and no close');
      }
      await assertStillServing(s);
    },
  },
  {
    name: 'keep-alive: several requests on one connection',
    async run(s) {
      const req = 'GET /hello HTTP/1.1\r\nhost: x\r\n\r\n';
      const raw = await rawExchange(s.server.port, [req, req, req], {
        gapMs: 50,
        waitMs: 15_000,
        until: (text) => text.match(/HTTP\/1\.1 200/g)?.length === 3,
      });
      assert.equal(raw.data.match(/HTTP\/1\.1 200/g)?.length, 3, raw.data);
    },
  },
  {
    // The three misbehaving clients run at once: each waits out the request deadline, and the suite is shared.
    name: 'slow, header-dribbling and half-closed clients are closed (slow body: 408), never hung',
    async run(s) {
      const waitMs = s.config.limits.requestTimeoutMs + 8000;
      const post =
        'POST /score HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 40\r\n\r\n';
      const [slowBody, slowHeaders, halfClosed] = await Promise.all([
        rawExchange(s.server.port, [`${post}{"mode":`], { waitMs }),
        rawExchange(s.server.port, ['GET /hello HTTP/1.1\r\nhost: x\r\nx-slow: '], { waitMs }),
        rawExchange(s.server.port, [`${post}{"mo`], { halfClose: true, waitMs }),
        // Others are served while those hang around.
        assertStillServing(s),
      ]);
      assert.ok(slowBody.closed, 'slow body: connection closed');
      if (slowBody.data !== '') {
        const parsed = parseRawResponse(slowBody.data);
        assertLabError(parsed.status, parsed.body, 408, 'LAB_E_TIMEOUT');
      }
      assert.ok(slowHeaders.closed, 'slow headers: connection closed');
      assert.doesNotMatch(slowHeaders.data, /HTTP\/1\.1 200/);
      assert.ok(halfClosed.closed, 'half-closed: connection closed');
      assert.doesNotMatch(halfClosed.data, /HTTP\/1\.1 200/);
      await assertStillServing(s);
    },
  },
  {
    name: 'a client disconnecting mid-request does not hurt the server',
    async run(s) {
      const head =
        'POST /score HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"mode":"cpu"';
      for (let i = 0; i < 5; i++) await rawExchange(s.server.port, [head], { destroyAfterWrite: true });
      await assertStillServing(s);
      const r = await score(s, '{"mode":"cpu","iters":1,"seed":"conlab"}');
      assert.equal(r.status, 200);
    },
  },
  {
    name: 'garbage instead of HTTP gets 400 or a close, and the server keeps serving',
    async run(s) {
      const raw = await rawExchange(s.server.port, ['\x00\x01NOT HTTP AT ALL\r\n\r\n'], { waitMs: 3000 });
      if (raw.data !== '') assert.equal(parseRawResponse(raw.data).status, 400);
      else assert.ok(raw.closed);
      await assertStillServing(s);
    },
  },
];
