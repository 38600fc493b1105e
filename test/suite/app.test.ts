/**
 * Server experiments that serve a user's app (`app:` and `requests:` in a
 * suite): paths relative to the suite file, the probe before anything runs,
 * the resolved form the run stores, the cells, and bad input refused with
 * the path in the suite and what was found.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LabError } from '../../src/core/errors.ts';
import { serverSpecOf } from '../../src/suite/expand.ts';
import { prepareSuite } from '../../src/suite/load.ts';
import type { ServerCellPlan } from '../../src/suite/types.ts';
import { runConlab } from '../fixtures/cli.ts';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../servers/fixtures/apps/${name}`, import.meta.url));

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'conlab-suite-app-'));
  copyFileSync(fixture('hello-fetch.ts'), join(dir, 'app.ts'));
  copyFileSync(fixture('no-handler.ts'), join(dir, 'no-handler.ts'));
  writeFileSync(join(dir, 'payload.json'), '{"size":3}');
});
after(() => rmSync(dir, { recursive: true, force: true }));

function suiteFile(server: string): string {
  const file = join(dir, `suite-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `name: app suite\nruntimes: [node]\nwarmupS: 0.2\nserver:\n${server}`);
  return file;
}

const mix = `  - name: my app
    app: ./app.ts
    architectures: [single, reuseport]
    workers: 2
    connections: 4
    durationS: 1
    requests:
      - { path: /hello, expect: { body: hello }, weight: 3 }
      - method: post
        path: /echo
        headers: { content-type: application/json }
        bodyFile: payload.json
        expect: { status: 200, bodyRegex: '"size":3' }
`;

function refusal(server: string): LabError {
  try {
    prepareSuite(suiteFile(server));
  } catch (error) {
    assert.ok(error instanceof LabError, String(error));
    return error;
  }
  assert.fail('the suite was accepted');
}

describe('app: in a suite', () => {
  it('resolves relative to the suite file, probes the app and plans app cells with their requests', () => {
    const { suite, cells } = prepareSuite(suiteFile(mix));
    const app = suite.server[0]?.app;
    assert.ok(app);
    assert.equal(app.path, join(dir, 'app.ts'));
    assert.equal(app.kind, 'fetch');
    assert.equal(app.from, 'default export');
    assert.deepEqual(app.requests[1], {
      method: 'POST',
      path: '/echo',
      headers: { 'content-type': 'application/json' },
      bodyFile: join(dir, 'payload.json'),
      weight: 1,
      expect: { status: 200, bodyRegex: '"size":3' },
    });
    // What the run stores is plain JSON.
    assert.deepEqual(JSON.parse(JSON.stringify(suite.server[0])), suite.server[0]);
    const server = cells.filter((cell): cell is ServerCellPlan => cell.kind === 'server');
    assert.deepEqual(
      server.map((cell) => [cell.architecture, cell.endpoint]),
      [
        ['single', 'app'],
        ['reuseport', 'app'],
      ],
    );
    assert.match(
      server[0]?.cellKey ?? '',
      /^server\|single\|w1\|t0\|app:app\.ts#[0-9a-f]{12}\|c4\|d1\|node$/,
    );
    const spec = serverSpecOf(server[0] as ServerCellPlan);
    assert.equal(Buffer.from(spec.app?.requests[1]?.body ?? '').toString(), '{"size":3}');
  });

  it('bad input names the suite path and what was found', () => {
    const cases: [string, string, RegExp][] = [
      [
        mix.replace('./app.ts', './missing.ts'),
        'LAB_E_APP_NOT_FOUND',
        /server\[0\]\.app '\.\/missing\.ts': found nothing at /,
      ],
      [
        mix.replace('./app.ts', './no-handler.ts'),
        'LAB_E_APP_NO_HANDLER',
        /found: default \(function, 1 parameter\), port \(number\)/,
      ],
      [
        mix.replace('payload.json', 'gone.json'),
        'LAB_E_IO',
        /server\[0\]\.requests\[1\]\.bodyFile 'gone\.json': found nothing there at /,
      ],
      [
        mix.replace('    app: ./app.ts\n', ''),
        'LAB_E_SUITE_INVALID',
        /server\[0\]\.requests: requests are sent to an app/,
      ],
      [
        mix.replace('    app: ./app.ts\n', '    app: ./app.ts\n    endpoint: cpu\n'),
        'LAB_E_SUITE_INVALID',
        /endpoint describe the built-in contract/,
      ],
      [
        mix.replace('weight: 3', 'weight: 3, headers: { "bad name": x }'),
        'LAB_E_SUITE_INVALID',
        /server\[0\]\.requests: request 1 of the mix \(GET \/hello\): header 'bad name' is malformed/,
      ],
    ];
    for (const [server, code, message] of cases) {
      const error = refusal(server);
      assert.equal(error.code, code, error.message);
      assert.match(error.message, message);
    }
  });

  it('conlab run measures the app and stores the cell with its app and requests', async () => {
    const store = join(dir, 'results.db');
    const result = await runConlab(
      [
        'run',
        suiteFile(mix.replace('[single, reuseport]', '[single]')),
        '--store',
        store,
        '--json',
        '--no-report',
      ],
      180_000,
    );
    assert.equal(result.code, 0, result.stderr);
    const data = JSON.parse(result.stdout) as {
      cells: {
        kind: string;
        status: string;
        endpoint: string;
        app?: { kind: string; requests: { path: string; bodyBytes?: number }[] };
        errors: object;
      }[];
    };
    const cell = data.cells.find((c) => c.kind === 'server');
    assert.ok(cell, result.stdout.slice(0, 300));
    assert.equal(cell.status, 'ok');
    assert.equal(cell.endpoint, 'app');
    assert.deepEqual(cell.errors, {});
    assert.equal(cell.app?.kind, 'fetch');
    assert.deepEqual(
      cell.app?.requests.map((r) => [r.path, r.bodyBytes]),
      [
        ['/hello', undefined],
        ['/echo', 10],
      ],
    );
  });
});
