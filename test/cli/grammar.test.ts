// The grammar every command shares: help, version, unknown flags, durations, -o/--format, completion scripts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { commandNames, loadCommand } from '../../src/cli/command-table.ts';
import { parseDuration } from '../../src/cli/grammar.ts';
import { flagSpellings, type Options } from '../../src/cli/args.ts';

const run = promisify(execFile);
const bin = new URL('../../bin/conlab.js', import.meta.url).pathname;

function conlab(...args: string[]) {
  return run(process.execPath, [bin, ...args]);
}

async function failure(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  try {
    await conlab(...args);
  } catch (error) {
    return error as { code: number; stderr: string; stdout: string };
  }
  throw new Error(`conlab ${args.join(' ')} succeeded`);
}

test('conlab help CMD is conlab CMD --help, for every command', async () => {
  for (const name of commandNames) {
    const [viaHelp, viaFlag] = await Promise.all([conlab('help', name), conlab(name, '--help')]);
    assert.equal(viaHelp.stdout, viaFlag.stdout, name);
    assert.ok(viaHelp.stdout.length > 40, name);
  }
  const unknown = await failure(['help', 'lod']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /did you mean 'load'/);
});

test('-V and --version print the version', async () => {
  const [short, long] = await Promise.all([conlab('-V'), conlab('--version')]);
  assert.match(short.stdout, /^\d+\.\d+\.\d+/);
  assert.equal(short.stdout, long.stdout);
});

test('an unknown flag is refused with the nearest known one', async () => {
  const typo = await failure(['load', '--conections', '5', 'http://127.0.0.1:9/']);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /LAB_E_USAGE: load: unknown flag '--conections'/);
  assert.match(typo.stderr, /did you mean '--connections'\?/);
  const far = await failure(['compare', '--zzzzzzzz']);
  assert.match(far.stderr, /unknown flag '--zzzzzzzz'/);
  assert.doesNotMatch(far.stderr, /did you mean/);
});

test('one duration syntax: bare seconds, s, ms, m', () => {
  assert.equal(parseDuration('duration', '5', 0, 60), 5);
  assert.equal(parseDuration('duration', '5s', 0, 60), 5);
  assert.equal(parseDuration('duration', '500ms', 0, 60), 0.5);
  assert.equal(parseDuration('duration', '1m', 0, 600), 60);
  assert.equal(parseDuration('duration', '1.5s', 0, 60), 1.5);
  assert.throws(() => parseDuration('duration', '5 sec', 0, 60), /LAB_E_BAD_PARAM|not a duration/);
  assert.throws(() => parseDuration('duration', '2m', 0, 60), /outside 0s\.\.60s/);
  assert.throws(() => parseDuration('duration', '-1', 0, 60), /'-1' is outside 0s\.\.60s/);
});

test('bench-server takes --duration 5s (checked before any server starts)', async () => {
  // An unknown architecture fails after the flags are read: the duration was accepted.
  const accepted = await failure([
    'bench-server',
    '--duration',
    '5s',
    '--warmup',
    '500ms',
    '--arch',
    'nosuch',
  ]);
  assert.equal(accepted.code, 2);
  assert.doesNotMatch(accepted.stderr, /duration|warmup/);
  assert.match(accepted.stderr, /nosuch/);
  const refused = await failure(['bench-server', '--duration', '5 parsecs', '--arch', 'nosuch']);
  assert.match(refused.stderr, /--duration '5 parsecs' is not a duration/);
});

test('every command that writes results takes -o/--output and --format', async () => {
  for (const name of [
    'load',
    'merge',
    'bench-server',
    'batch',
    'run',
    'compare',
    'runtimes',
    'pipeline',
    'preset',
    'capacity',
    'doctor',
  ]) {
    const flags = (await loadCommand(name)).flags as Options;
    const spellings = flagSpellings(flags);
    for (const flag of ['-o', '--output', '--format']) assert.ok(spellings.includes(flag), `${name} ${flag}`);
  }
  const results = (await loadCommand('results')).flags as Record<string, Options>;
  for (const sub of ['list', 'show', 'export'])
    for (const flag of ['-o', '--format', '--json'])
      assert.ok(flagSpellings(results[sub] ?? {}).includes(flag), `results ${sub} ${flag}`);
  const suite = (await loadCommand('suite')).flags as Record<string, Options>;
  for (const flag of ['-o', '--format', '--json'])
    assert.ok(flagSpellings(suite.show ?? {}).includes(flag), `suite show ${flag}`);
});

test('runtimes -o writes the file and --json is --format json', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-grammar-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'runtimes.json');
  const written = await conlab('runtimes', '--format', 'json', '-o', path);
  assert.equal(written.stdout, '');
  const fromFile = JSON.parse(readFileSync(path, 'utf8')) as { name: string }[];
  const viaJson = JSON.parse((await conlab('runtimes', '--json')).stdout) as { name: string }[];
  assert.deepEqual(
    fromFile.map((row) => row.name),
    viaJson.map((row) => row.name),
  );
  const bad = await failure(['runtimes', '--format', 'openmetrics']);
  assert.match(bad.stderr, /unknown runtimes format 'openmetrics' → allowed: table, json/);
});

test('the completion scripts name every command; bash completes flags from the declarations', async (t) => {
  const scripts = await Promise.all(
    ['bash', 'zsh', 'fish'].map(async (shell) => (await conlab('completion', shell)).stdout),
  );
  for (const script of scripts) for (const name of commandNames) assert.ok(script.includes(name), name);
  const [bash = '', zsh = '', fish = ''] = scripts;
  assert.match(zsh, /^#compdef conlab/);
  assert.match(fish, /complete -c conlab -n '__fish_seen_subcommand_from load' -l connections -s c -r/);
  const dir = mkdtempSync(join(tmpdir(), 'conlab-completion-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'conlab.bash');
  writeFileSync(script, bash);
  const complete = (...words: string[]): string[] => {
    const result = spawnSync(
      'bash',
      [
        '-c',
        `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _conlab; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.split('\n').filter((line) => line !== '');
  };
  assert.deepEqual(complete('conlab', 'load', '--conn'), ['--connections']);
  assert.deepEqual(complete('conlab', 'bench'), ['bench-server']);
  assert.deepEqual(complete('conlab', 'results', 'ex'), ['export']);
  assert.ok(complete('conlab', 'results', 'export', '--f').includes('--format'));
  assert.deepEqual(complete('conlab', 'completion', 'z'), ['zsh']);
  const bad = await failure(['completion', 'tcsh']);
  assert.equal(bad.code, 2);
});
