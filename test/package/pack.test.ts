/**
 * The package as a user gets it: `npm pack`, installed into a fresh project
 * (dependencies from npm's cache: nothing is downloaded that `npm ci` did not
 * already fetch), then `npx conlab` and `import('concurrency-lab')` there.
 * One packed project is shared by the tests of this file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const binDir = join(repoRoot, 'node_modules', '.bin');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end with Node 24 first on PATH (as `npm test` has it); never rejects. */
function run(command: string, args: string[], cwd: string, timeoutMs = 180_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd,
        timeout: timeoutMs,
        maxBuffer: 32 * 1024 * 1024,
        env: {
          ...process.env,
          PATH: `${binDir}:${process.env.PATH ?? ''}`,
          npm_config_update_notifier: 'false',
        },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let workDir = '';
let projectDir = '';

before(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'conlab-pack-'));
  const packed = await run('npm', ['pack', '--silent', '--pack-destination', workDir], repoRoot);
  assert.equal(packed.code, 0, `npm pack failed: ${packed.stderr}`);
  const tarball = (await readdir(workDir)).find((name) => name.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack made no tarball');
  projectDir = join(workDir, 'project');
  await run('mkdir', ['-p', projectDir], workDir);
  await writeFile(
    join(projectDir, 'package.json'),
    '{ "name": "user-project", "private": true, "type": "module" }\n',
  );
  const installed = await run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '-D', join(workDir, tarball)],
    projectDir,
  );
  assert.equal(installed.code, 0, `npm install of the tarball failed: ${installed.stderr}`);
});

after(async () => {
  if (workDir !== '') await rm(workDir, { recursive: true, force: true });
});

test('the tarball ships compiled JavaScript and no TypeScript sources', () => {
  const installedRoot = join(projectDir, 'node_modules', 'concurrency-lab');
  assert.ok(existsSync(join(installedRoot, 'dist', 'cli', 'main.js')));
  assert.ok(existsSync(join(installedRoot, 'dist', 'api', 'index.d.ts')), 'type declarations for the API');
  assert.equal(existsSync(join(installedRoot, 'src')), false, 'src/ must not be shipped');
});

test('npx conlab works in the user project', async () => {
  const version = await run('npx', ['conlab', '--version'], projectDir);
  assert.equal(version.code, 0, version.stderr);
  assert.match(version.stdout, /^\d+\.\d+\.\d+/);
  const batch = await run(
    'npx',
    [
      'conlab',
      'batch',
      '--workload',
      'cpu.primes',
      '--items',
      '2',
      '--models',
      'sequential,threads',
      '--concurrency',
      '2',
      '--reps',
      '1',
      '--json',
    ],
    projectDir,
  );
  assert.equal(batch.code, 0, batch.stderr);
  const cells = (JSON.parse(batch.stdout) as { results: { status: string; answer: unknown }[] }).results;
  assert.equal(cells.length, 2);
  assert.deepEqual(
    cells.map((cell) => cell.status),
    ['ok', 'ok'],
  );
  assert.deepEqual(cells[0]?.answer, cells[1]?.answer, 'both models give the same answer');
});

/** The README's API example: the first ```js block after its api-example marker. */
async function readmeApiExample(): Promise<string> {
  const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
  const marker = readme.indexOf('<!-- api-example');
  assert.ok(marker >= 0, 'README has no api-example marker');
  const block = /```js\n([\s\S]*?)```/.exec(readme.slice(marker));
  assert.ok(block?.[1], 'README has no js block after the api-example marker');
  return block[1];
}

test("the README's API example runs in the user project", async () => {
  await writeFile(join(projectDir, 'measure.mjs'), await readmeApiExample());
  const result = await run(process.execPath, ['measure.mjs'], projectDir);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /Sequential/);
  assert.match(result.stdout, /Threaded/);
  assert.doesNotMatch(result.stdout, /failed/);
});

test('the API is typed: a TypeScript file using it type-checks against the shipped declarations', async () => {
  const source = [
    "import { planBatch, runLoad, openResults, type BatchCell, type LoadResult } from 'concurrency-lab';",
    "const plan = planBatch({ workload: 'cpu.primes', models: ['sequential'] });",
    'const count: number = plan.cells.length;',
    'type Loads = (o: Parameters<typeof runLoad>[0]) => Promise<LoadResult>;',
    'const cells: BatchCell[] = [];',
    'export { count, cells, openResults };',
    'export type { Loads };',
    '',
  ].join('\n');
  await writeFile(join(projectDir, 'use-api.ts'), source);
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const typeRoots = join(repoRoot, 'node_modules', '@types');
  const flags = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext'];
  const more = ['--target', 'es2024', '--skipLibCheck', '--types', 'node', '--typeRoots', typeRoots];
  const result = await run(process.execPath, [tsc, ...flags, ...more, 'use-api.ts'], projectDir);
  assert.equal(result.code, 0, `${result.stdout}${result.stderr}`);
});

test(
  'an old Node gets a clear error naming the version it needs',
  { skip: systemNode20() === null ? 'no Node < 22 on this machine to try' : false },
  async () => {
    const oldNode = systemNode20() ?? '';
    const result = await run(
      oldNode,
      [join(projectDir, 'node_modules', 'concurrency-lab', 'bin', 'conlab.js'), '--version'],
      projectDir,
    );
    assert.equal(result.code, 2);
    assert.match(result.stderr, /LAB_E_UNSUPPORTED: conlab needs Node\.js 22 or newer/);
  },
);

/** A node older than 22 outside node_modules (Debian's /usr/bin/node is 20 here), or null. */
function systemNode20(): string | null {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    if (!existsSync(candidate)) continue;
    const major = Number(
      execFileSync(candidate, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).trim(),
    );
    if (major < 22) return candidate;
  }
  return null;
}
