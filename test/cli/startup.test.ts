/**
 * What the CLI loads for help: `conlab help` prints every command's summary
 * without loading a single command module, and `conlab load --help` loads the
 * load command but not the load generator itself. Checked by recording every
 * module the process loads (no timing).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { conlabBin } from '../fixtures/cli.ts';

const recorder = new URL('./fixtures/record-imports.ts', import.meta.url).pathname;

async function modulesLoadedBy(args: string[]): Promise<{ stdout: string; modules: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-imports-'));
  const record = join(dir, 'modules.txt');
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', recorder, conlabBin, ...args],
      {
        env: { ...process.env, RECORD_IMPORTS_TO: record },
        timeout: 60_000,
      },
    );
    const modules = readFileSync(record, 'utf8')
      .split('\n')
      .filter((url) => url.includes('/src/'))
      .map((url) => url.slice(url.indexOf('/src/') + 1));
    return { stdout, modules };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('conlab help lists every command without loading any command module', async () => {
  const { stdout, modules } = await modulesLoadedBy(['help']);
  for (const name of ['batch', 'load', 'serve', 'bench-server', 'report', 'pipeline']) {
    assert.match(stdout, new RegExp(`^  ${name} +\\S`, 'm'));
  }
  assert.ok(modules.includes('src/cli/main.ts'), modules.join());
  assert.deepEqual(
    modules.filter((m) => m.startsWith('src/cli/commands/')),
    [],
  );
  assert.ok(modules.length <= 10, `help loaded ${modules.length} modules: ${modules.join(', ')}`);
});

test('conlab load --help prints the usage without loading the load generator', async () => {
  const { stdout, modules } = await modulesLoadedBy(['load', '--help']);
  assert.match(stdout, /usage: conlab load/);
  assert.ok(modules.includes('src/cli/commands/load.ts'));
  for (const engine of [
    'src/load/index.ts',
    'src/load/engine.ts',
    'src/load/connection.ts',
    'src/load/render.ts',
  ])
    assert.ok(!modules.includes(engine), `${engine} was loaded`);
});
