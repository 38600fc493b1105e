/**
 * A user's app under conlab's architectures: which export is recognised,
 * hosting a fetch app and a Node listener inline and on pool threads, a
 * request mix verified per request, the bad inputs refused before anything
 * starts (exit 2, a LAB_E_* code, the path and what was found), and what an
 * app that fails at run time does to a cell: a throw is a 500 counted as an
 * error; a process that ends is a replaced, counted unit and a flagged cell
 * (or, where nothing can replace it, a failed cell); nothing is left behind.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { resolveRuntime } from '../../src/runtimes/registry.ts';
import { checkApp } from '../../src/servers/driver/app-check.ts';
import { runServerCell, type ServerCellSpec } from '../../src/servers/driver/run-cell.ts';
import { classifyApp, describeApp } from '../../src/servers/subject/app/app-module.ts';
import type { LoadRequest } from '../../src/load/types.ts';
import { runConlab } from '../fixtures/cli.ts';
import { killMidRun } from '../fixtures/orphans.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/apps/${name}`, import.meta.url));
const node = resolveRuntime('node');

/** One short cell serving `app` on Node. */
async function appCell(
  app: string,
  arch: string,
  requests: LoadRequest[],
  extra: Partial<ServerCellSpec> = {},
) {
  return runServerCell(
    {
      arch,
      workers: 2,
      threads: 1,
      endpoint: 'app',
      app: { ref: checkApp(fixture(app), node), requests },
      connections: 4,
      durationS: 1.5,
      warmupS: 0.2,
      reps: 1,
      ...extra,
    },
    node,
  );
}

describe('which export is the handler', () => {
  it('a default export with fetch (Hono, Workers) is a fetch handler, called as a method', async () => {
    const worker = {
      greeting: 'hi',
      fetch(this: { greeting: string }) {
        return new Response(this.greeting);
      },
    };
    const found = classifyApp({ default: worker });
    assert.ok(found.ok && found.app.kind === 'fetch');
    assert.equal(describeApp(found.app), 'fetch handler (default export)');
    if (found.app.kind === 'fetch')
      assert.equal(await (await found.app.fetch(new Request('http://x/'))).text(), 'hi');
  });

  it("a named 'listener', or a default function of (req, res) or (req, res, next), is a Node listener", () => {
    const named = classifyApp({ listener: (_req: unknown) => undefined });
    assert.ok(named.ok);
    assert.equal(describeApp(named.app), "Node listener (named export 'listener')");
    const express = classifyApp({ default: (_req: unknown, _res: unknown, _next: unknown) => undefined });
    assert.ok(express.ok);
    assert.equal(describeApp(express.app), 'Node listener (default export)');
  });

  it('anything else is refused with the exports listed', () => {
    const found = classifyApp({ default: (_request: unknown) => undefined, port: 80, config: { fetch: 1 } });
    assert.deepEqual(found, {
      ok: false,
      exports: ['config (object)', 'default (function, 1 parameter)', 'port (number)'],
    });
    assert.deepEqual(classifyApp({}), { ok: false, exports: [] });
  });
});

describe('bad input: exit 2 before any server starts', () => {
  const cases: { name: string; args: string[]; code: string; says: RegExp[] }[] = [
    {
      name: 'a missing module',
      args: ['bench-server', '--app', 'test/servers/fixtures/apps/nope.ts'],
      code: 'LAB_E_APP_NOT_FOUND',
      says: [/found nothing at \/\S+\/fixtures\/apps\/nope\.ts/],
    },
    {
      name: 'a directory instead of a module',
      args: ['serve', '--app', 'test/servers/fixtures/apps'],
      code: 'LAB_E_APP_NOT_FOUND',
      says: [/found a directory at/],
    },
    {
      name: 'a module with neither fetch nor a listener',
      args: ['bench-server', '--app', fixture('no-handler.ts')],
      code: 'LAB_E_APP_NO_HANDLER',
      says: [/no-handler\.ts exports neither/, /found: default \(function, 1 parameter\), port \(number\)/],
    },
    {
      name: 'a module that throws while loading',
      args: ['serve', '--app', fixture('throws-on-load.ts')],
      code: 'LAB_E_APP_LOAD',
      says: [/throws-on-load\.ts threw while loading on node@/, /database URL is not set/],
    },
    {
      name: 'a --request that does not parse',
      args: ['bench-server', '--app', fixture('hello-fetch.ts'), '--request', 'FETCH everything'],
      code: 'LAB_E_BAD_PARAM',
      says: [/--request 'FETCH everything' is not 'METHOD \/path' → found 'FETCH everything'/],
    },
    {
      name: 'a missing --body-file',
      args: [
        'bench-server',
        '--app',
        fixture('hello-fetch.ts'),
        '--request',
        'POST /echo',
        '--body-file',
        'nope.json',
      ],
      code: 'LAB_E_IO',
      says: [/--body-file 'nope\.json': found nothing there at \/\S+nope\.json/],
    },
    {
      name: 'request options before the --request they belong to',
      args: ['bench-server', '--app', fixture('hello-fetch.ts'), '-H', 'a: b', '--request', 'GET /'],
      code: 'LAB_E_USAGE',
      says: [/request options come before the first --request/],
    },
    {
      name: '--request without --app',
      args: ['bench-server', '--request', 'GET /hello'],
      code: 'LAB_E_USAGE',
      says: [/it needs --app/],
    },
  ];
  for (const { name, args, code, says } of cases) {
    it(name, async () => {
      const result = await runConlab(args);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, new RegExp(`^conlab: ${code}: `, 'm'));
      for (const pattern of says) assert.match(result.stderr, pattern);
      assert.doesNotMatch(`${result.stdout}${result.stderr}`, /repetition 1|listening /);
    });
  }
});

describe('hosting an app under the architectures (Node)', () => {
  it('a fetch app: a mix, each reply checked against its own request, inline and on pool threads', async () => {
    const requests: LoadRequest[] = [
      { path: '/x', expectBody: 'hello', weight: 2 },
      {
        method: 'POST',
        path: '/echo',
        headers: { 'content-type': 'application/json' },
        body: '{"n":1}',
        expectBody: '{"n":1}',
      },
    ];
    for (const arch of ['single', 'offload', 'reuseport']) {
      const cell = await appCell('hello-fetch.ts', arch, requests);
      assert.equal(cell.status, 'ok', `${arch}: ${cell.reason ?? ''}`);
      assert.equal(cell.endpoint, 'app');
      assert.ok(cell.requests > 0);
      assert.deepEqual(cell.errors, {}, arch);
      assert.equal(cell.app?.kind, 'fetch');
      assert.deepEqual(
        cell.app?.requests.map((r) => [r.method, r.path, r.weight]),
        [
          ['GET', '/x', 2],
          ['POST', '/echo', 1],
        ],
      );
      assert.match(cell.cellKey, /\|app:hello-fetch\.ts#[0-9a-f]{12}\|/);
    }
  });

  it('a Node listener: inline under single and cluster; on pool threads a named skip', async () => {
    for (const arch of ['single', 'cluster']) {
      const cell = await appCell('hello-listener.ts', arch, [
        { path: '/', expectBody: 'hello from listener' },
      ]);
      assert.equal(cell.status, 'ok', `${arch}: ${cell.reason ?? ''}`);
      assert.deepEqual(cell.errors, {});
    }
    const express = await appCell('express-like.ts', 'reuseport-threads', [
      { path: '/a?b=1', expectBody: 'express-like GET /a?b=1' },
    ]);
    assert.equal(express.status, 'ok', express.reason ?? '');
    const pooled = await appCell('hello-listener.ts', 'offload', [{ path: '/' }]);
    assert.equal(pooled.status, 'skipped');
    assert.match(
      pooled.reason ?? '',
      /^unsupported on node@\S+ \(Node listener on pool threads: .*export a fetch handler/,
    );
  });

  it('a wrong expectation fails the cell before the load, naming the request', async () => {
    const cell = await appCell('hello-fetch.ts', 'single', [
      { path: '/x' },
      { path: '/y', expectStatus: 201 },
    ]);
    assert.equal(cell.status, 'failed');
    assert.match(cell.reason ?? '', /request 2 of 2 \(GET \/y\): status 200, expected 201; body "hello"/);
  });
});

describe('a fetch app on Bun and Deno: their own server, under every architecture that can share a port', () => {
  for (const [name, front] of [
    ['bun', 'Bun.serve'],
    ['deno', 'Deno.serve'],
  ] as const) {
    it(`${name}: ${front} for single and reuseport; cluster through node:http or a named skip`, async (t) => {
      let runtime;
      try {
        runtime = resolveRuntime(name);
      } catch (error) {
        t.skip(`${name} is not installed: ${String(error)}`);
        return;
      }
      const ref = checkApp(fixture('hello-fetch.ts'), runtime);
      const spec = (arch: string): ServerCellSpec => ({
        arch,
        workers: 2,
        endpoint: 'app',
        app: { ref, requests: [{ path: '/x', expectBody: 'hello' }] },
        connections: 4,
        durationS: 1,
        warmupS: 0.2,
        reps: 1,
      });
      for (const arch of ['single', 'reuseport']) {
        const cell = await runServerCell(spec(arch), runtime);
        assert.equal(cell.status, 'ok', `${arch}: ${cell.reason ?? ''}`);
        assert.deepEqual(cell.errors, {});
        assert.equal(cell.app?.front, front, arch);
      }
      const cluster = await runServerCell(spec('cluster'), runtime);
      if (cluster.status === 'skipped') assert.match(cluster.reason ?? '', /^unsupported on bun@/);
      else {
        assert.equal(cluster.status, 'ok', cluster.reason ?? '');
        assert.equal(cluster.app?.front, 'node:http');
      }
    });
  }
});

describe('an app that fails at run time', () => {
  it('a throw or a rejection answers 500, and every such reply is a status error', async () => {
    for (const path of ['/throw-every-5th', '/reject-every-5th']) {
      const cell = await appCell('fails-sometimes.ts', 'single', [{ path }]);
      assert.equal(cell.status, 'ok', cell.reason ?? '');
      const failed = cell.errors.status ?? 0;
      assert.ok(failed > 0, `${path}: ${JSON.stringify(cell.errors)}`);
      // One in five fails: the others were answered and verified.
      assert.ok(cell.requests >= failed * 3, `${path}: ${cell.requests} ok, ${failed} failed`);
    }
  });

  it('a unit that ends its process is replaced, counted and the cell flagged', async () => {
    const cell = await appCell('fails-sometimes.ts', 'reuseport', [{ path: '/exit-at-40' }], {
      durationS: 2.5,
    });
    assert.equal(cell.status, 'ok', cell.reason ?? '');
    assert.ok((cell.unitRestarts ?? 0) >= 1, `unitRestarts ${cell.unitRestarts}`);
    assert.ok(cell.verdicts.includes('unit-restarted'), cell.verdicts.join());
  });

  it('a pool thread that ends is replaced and counted too; a request it held answers 500', async () => {
    const cell = await appCell('fails-sometimes.ts', 'offload', [{ path: '/exit-at-40' }]);
    assert.equal(cell.status, 'ok', cell.reason ?? '');
    assert.ok((cell.poolThreadRestarts ?? 0) >= 1, `poolThreadRestarts ${cell.poolThreadRestarts}`);
    assert.ok(cell.verdicts.includes('unit-restarted'));
    assert.ok((cell.errors.status ?? 0) >= 1, JSON.stringify(cell.errors));
  });

  it('where the process that ends is the only one (single), the cell fails and says why', async () => {
    const cell = await appCell('fails-sometimes.ts', 'single', [{ path: '/exit-at-40' }]);
    assert.equal(cell.status, 'failed');
    assert.match(cell.reason ?? '', /primary process exited during the repetition \(exit code 7\)/);
  });

  it('SIGKILL of bench-server mid-run leaves no process of the app behind', async (t) => {
    await killMidRun(t, {
      args: [
        ...['bench-server', '--app', fixture('hello-fetch.ts'), '--arch', 'prefork'],
        ...['--workers', '2', '--threads', '1', '--duration', '30'],
      ],
      signal: 'SIGKILL',
      minGroupSize: 3,
      stderrMatch: /repetition 1\/1/,
      delayMs: 1000,
    });
  });
});
