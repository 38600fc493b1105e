/**
 * Seed 000 compatibility (PROTOCOL.md §1), against Python re-implementations
 * of the seed's programs written from its documented contract (fixtures/):
 * its benchmark client gets a non-zero rate from `conlab serve --tcp`, and
 * `conlab load tcp://...` drives its threaded and SO_REUSEPORT servers with
 * every reply verified (and a wrong expectation shows up as errors).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runLoad } from '../../src/load/index.ts';
import { groupMembers } from '../../src/core/subject/process-group.ts';
import { LISTENING_RE } from '../../src/servers/driver/launch.ts';
import { startServer } from './helpers.ts';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const conlab = fileURLToPath(new URL('../../bin/conlab.js', import.meta.url));

function findPython(): string | null {
  for (const candidate of ['/root/.pyenv/shims/python3', 'python3']) {
    if (candidate.includes('/') && !existsSync(candidate)) continue;
    const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  return null;
}

const python = findPython();
const noPython = python === null ? 'python3 is not installed (needed to run the seed 000 fixtures)' : false;

const groups: ChildProcess[] = [];
after(() => {
  for (const child of groups) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    groups.push(child);
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

/** Starts a fixture server and resolves with its port once it prints "ready PORT". */
function startPythonServer(script: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(python ?? 'python3', [`${fixtures}${script}`, ...args], {
      cwd: fixtures,
      env: { ...process.env, CONLAB_SEED_ITERS: '20000' },
      detached: true,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    groups.push(child);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${script} did not get ready`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /ready (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

describe('seed 000 benchmark.py against conlab serve --tcp', { skip: noPython }, () => {
  it('reports a non-zero rate against the CLI `conlab serve --tcp --mode echo --port 0`', async (t) => {
    const cli = spawn(process.execPath, [conlab, 'serve', '--tcp', '--mode', 'echo', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    t.after(() => cli.kill('SIGKILL'));
    let out = '';
    const line = await new Promise<RegExpExecArray>((resolve, reject) => {
      cli.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = LISTENING_RE.exec(out);
        if (m) resolve(m);
      });
      cli.once('exit', (code) => reject(new Error(`conlab serve exited (${code}): ${out}`)));
    });
    assert.equal(line[1], 'tcp');
    const bench = await run(python ?? 'python3', [`${fixtures}benchmark.py`, '4', '1', String(line[3])]);
    assert.equal(bench.code, 0);
    assert.ok(Number(/Requests per second: ([\d.]+)/.exec(bench.stdout)?.[1]) > 0, bench.stdout);
    const exited = new Promise<number | null>((resolve) => cli.once('exit', resolve));
    cli.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.deepEqual(groupMembers(Number(line[4])), []);
  });

  for (const mode of ['echo', 'compute'] as const) {
    it(`reports a non-zero rate against --mode ${mode}`, async (t) => {
      const result = await startServer({ arch: 'single', tcp: true, mode, spinIters: 100_000 });
      assert.equal(result.kind, 'ok');
      if (result.kind !== 'ok') return;
      const { server } = result.started;
      t.after(() => server.stop());
      const bench = await run(python ?? 'python3', [
        `${fixtures}benchmark.py`,
        '4',
        '1',
        String(server.port),
      ]);
      assert.equal(bench.code, 0);
      const rate = Number(/Requests per second: ([\d.]+)/.exec(bench.stdout)?.[1]);
      assert.ok(rate > 0, bench.stdout);
      const report = await server.stop();
      assert.deepEqual(report.leftovers, []);
    });
  }
});

describe('conlab load tcp:// drives the seed-style Python servers', { skip: noPython }, () => {
  it('threaded-server.py echo: verified replies, no errors', async () => {
    const port = await startPythonServer('threaded-server.py', ['8', 'echo', '0']);
    const result = await runLoad({
      target: `tcp://127.0.0.1:${port}`,
      connections: 4,
      durationS: 1,
      connectionPerRequest: true,
    });
    assert.ok(result.requests > 0);
    assert.equal(result.errorsTotal, 0);
  });

  it('multiprocess-server.py compute: verified "done" replies on persistent connections', async () => {
    const port = await startPythonServer('multiprocess-server.py', ['2', 'compute', '0']);
    const result = await runLoad({
      target: `tcp://127.0.0.1:${port}`,
      connections: 4,
      durationS: 1,
      tcpExpect: 'done',
    });
    assert.ok(result.requests > 0);
    assert.equal(result.errorsTotal, 0);
  });

  it('a wrong reply is an error, never a success', async () => {
    const port = await startPythonServer('threaded-server.py', ['4', 'echo', '0']);
    const result = await runLoad({
      target: `tcp://127.0.0.1:${port}`,
      connections: 2,
      durationS: 0.5,
      tcpExpect: 'done',
    });
    assert.equal(result.requests, 0);
    assert.ok(result.errorsTotal > 0);
  });

  it('the conlab load CLI drives threaded-server.py with --new-connection', async () => {
    const port = await startPythonServer('threaded-server.py', ['8', 'echo', '0']);
    const cli = await run(process.execPath, [
      conlab,
      'load',
      `tcp://127.0.0.1:${port}`,
      '-c',
      '2',
      '-d',
      '1',
      '--new-connection',
      '--json',
    ]);
    assert.equal(cli.code, 0);
    const parsed = JSON.parse(cli.stdout) as { requests: number; errorsTotal: number };
    assert.ok(parsed.requests > 0);
    assert.equal(parsed.errorsTotal, 0);
  });
});
