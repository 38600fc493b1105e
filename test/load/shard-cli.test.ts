/**
 * Load beyond one machine as a user runs it: real `conlab load --shard`
 * processes in parallel against a fixture server, `conlab merge` on their
 * JSON, `--store` then `conlab report`, and every bad input the issue
 * names, each through the real CLI (exit codes and LAB_E_* codes).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { LoadResult } from '../../src/load/types.ts';
import { Hdr, summarizeLatency } from '../../src/stats/hdr.ts';
import { conlabBin, runConlab } from '../fixtures/cli.ts';
import * as fixtures from './fixtures.ts';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-shards-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * One histogram of every value the shards recorded, built without
 * Hdr.merge: each shard's slots are recorded again one by one, and the
 * exact extremes and sum restored from the shards.
 */
function histogramOfAllValues(shards: LoadResult[]): Hdr {
  const all = new Hdr();
  const decoded = shards.map((shard) => Hdr.decode(shard.histogram));
  for (const hist of decoded) for (const [value, count] of hist.entries()) all.recordCount(value, count);
  all.min = Math.min(...decoded.map((hist) => hist.min));
  all.max = Math.max(...decoded.map((hist) => hist.max));
  all.sum = decoded.reduce((sum, hist) => sum + hist.sum, 0);
  return all;
}

test('two shards in parallel, then conlab merge: the sum of requests, percentiles of all recorded values', async (t) => {
  const server = await fixtures.okServer();
  t.after(() => server.close());
  const dir = tempDir(t);
  const shardArgs = (i: number): string[] => [
    'load',
    server.url,
    '-c',
    '8',
    '-d',
    '3',
    '--shard',
    `${i}/2`,
    '--start-at',
    '+2s',
    '--json',
    '--expect-body',
    'hello',
  ];
  const [one, two] = await Promise.all([runConlab(shardArgs(1)), runConlab(shardArgs(2))]);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(two.code, 0, two.stderr);
  const shards = [JSON.parse(one.stdout), JSON.parse(two.stdout)] as LoadResult[];
  assert.deepEqual(
    shards.map((s) => [s.shard?.index, s.shard?.count, s.shard?.connections, s.options.connections]),
    [
      [1, 2, 4, 8],
      [2, 2, 4, 8],
    ],
  );
  for (const shard of shards) {
    assert.ok(shard.requests > 0);
    assert.ok(
      shard.timeline.every((point) => point.histogram !== undefined && point.atEpochMs !== undefined),
    );
    assert.ok(shard.clock !== undefined && shard.clock.requestedStartEpochMs !== undefined);
    assert.equal(typeof shard.host, 'string');
  }
  writeFileSync(join(dir, 'a.json'), one.stdout);
  writeFileSync(join(dir, 'b.json'), two.stdout);

  const merged = await runConlab(['merge', join(dir, 'a.json'), join(dir, 'b.json'), '--json']);
  assert.equal(merged.code, 0, merged.stderr);
  const result = JSON.parse(merged.stdout) as LoadResult;
  const [a, b] = shards as [LoadResult, LoadResult];
  assert.equal(result.requests, a.requests + b.requests);
  assert.equal(result.errorsTotal, a.errorsTotal + b.errorsTotal);
  assert.ok(server.answered() >= result.requests, 'the server answered at least what was counted');
  assert.deepEqual(result.latencyUs, summarizeLatency(histogramOfAllValues(shards)));
  assert.deepEqual(result.latencyUs, summarizeLatency(Hdr.decode(result.histogram)));
  assert.equal(
    result.timeline.reduce((sum, point) => sum + point.requests, 0),
    result.requests,
  );
  assert.equal(result.merge?.shardCount, 2);
  assert.deepEqual(result.merge?.missingShards, []);
  assert.equal(result.merge?.shards.length, 2);
  assert.equal(result.merge?.clockSkew, 'none');

  // The text form is conlab load's, with the merge's own line.
  const text = await runConlab(['merge', join(dir, 'a.json'), join(dir, 'b.json')]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(
    text.stdout,
    /2 threads and 8 connections\n {2}Merged 2 of 2 shards from one host; start spread/,
  );
  assert.match(text.stdout, new RegExp(`${result.requests} requests in`));

  // Bad merges of these real results.
  const duplicate = await runConlab(['merge', join(dir, 'a.json'), join(dir, 'a.json')]);
  assert.equal(duplicate.code, 2);
  assert.match(duplicate.stderr, /LAB_E_MERGE_MISMATCH: shard 1\/2 is given twice/);
  const missing = await runConlab(['merge', join(dir, 'b.json')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stdout, /WARNING shards-missing: 1\/2 gave no result/);
  assert.match(missing.stderr, /1 of 2 shards missing/);
  writeFileSync(
    join(dir, 'other.json'),
    JSON.stringify({ ...a, options: { ...a.options, target: 'http://127.0.0.1:1/' } }),
  );
  const otherTarget = await runConlab(['merge', join(dir, 'other.json'), join(dir, 'b.json')]);
  assert.equal(otherTarget.code, 2);
  assert.match(otherTarget.stderr, /LAB_E_MERGE_MISMATCH: .*loaded http:\/\/127.0.0.1:1\//);
  writeFileSync(join(dir, 'junk.json'), '{"hello": "world"}\n');
  const junk = await runConlab(['merge', join(dir, 'junk.json')]);
  assert.equal(junk.code, 2);
  assert.match(junk.stderr, /LAB_E_NOT_A_RESULT: .*junk.json is not a conlab load result/);
  const none = await runConlab(['merge']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /LAB_E_USAGE/);

  // stdin: the concatenated logs of the two generators, with a stray error line.
  const piped = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [conlabBin, 'merge', '-', '--json'], { stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(`${one.stdout}conlab: a line from stderr\n${two.stdout}`);
  });
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal((JSON.parse(piped.stdout) as LoadResult).requests, result.requests);
  assert.match(piped.stderr, /skipped a line that is not JSON: conlab: a line from stderr/);

  // --store keeps it as a run that conlab report draws.
  const store = join(dir, 'results.db');
  const stored = await runConlab(['merge', join(dir, 'a.json'), join(dir, 'b.json'), `--store=${store}`]);
  assert.equal(stored.code, 0, stored.stderr);
  const runId = /stored as run (\S+)/.exec(stored.stderr)?.[1];
  assert.ok(runId !== undefined, stored.stderr);
  const report = await runConlab(['report', runId, '--table', '--wide', '--store', store]);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /external/);
  assert.match(report.stdout, new RegExp(server.url.replace(/[/.]/g, '\\$&')));
  const shown = await runConlab(['results', 'show', runId, '--store', store]);
  assert.equal(shown.code, 0, shown.stderr);
  // The shards were measured elsewhere: the merging machine's doctor checks are not stored as theirs.
  const json = await runConlab(['results', 'show', runId, '--store', store, '--format', 'json']);
  assert.equal(json.code, 0, json.stderr);
  const env = (JSON.parse(json.stdout) as { run: { env: { stability?: unknown; cpuModel: string } } }).run
    .env;
  assert.equal(env.stability, undefined);
  assert.ok(env.cpuModel.length > 0, 'the rest of the environment is still recorded');
});

test('bad --shard and --start-at are refused before any load; a past start runs at once and says how late', async (t) => {
  const server = await fixtures.okServer();
  t.after(() => server.close());
  for (const shard of ['0/4', '5/4', '1/0', 'two', '1/2/3']) {
    const run = await runConlab(['load', server.url, '-c', '8', '-d', '1', '--shard', shard]);
    assert.equal(run.code, 2, shard);
    assert.match(run.stderr, /LAB_E_BAD_SHARD/, shard);
  }
  const tooFew = await runConlab(['load', server.url, '-c', '3', '-d', '1', '--shard', '1/4']);
  assert.match(tooFew.stderr, /LAB_E_BAD_SHARD: 4 shards for 3 connections leaves shards idle/);
  const both = await runConlab(['load', server.url, '-d', '1', '--shard', '1/2', '--shard-index', '0/2']);
  assert.match(both.stderr, /LAB_E_USAGE: --shard and --shard-index are exclusive/);
  const daysAhead = new Date(Date.now() + 3 * 86_400_000).toISOString();
  const ahead = await runConlab(['load', server.url, '-d', '1', '--start-at', daysAhead]);
  assert.equal(ahead.code, 2);
  assert.match(ahead.stderr, /LAB_E_BAD_START: start time .* h ahead/);
  const noZone = await runConlab(['load', server.url, '-d', '1', '--start-at', '2026-01-01T00:00:00']);
  assert.match(noZone.stderr, /LAB_E_BAD_START/);
  assert.equal(server.answered(), 0, 'nothing was sent for bad input');

  const past = await runConlab([
    'load',
    server.url,
    '-c',
    '2',
    '-d',
    '0.5',
    '--shard-index',
    '0/1',
    '--start-at',
    new Date(Date.now() - 5000).toISOString(),
    '--json',
  ]);
  assert.equal(past.code, 0, past.stderr);
  const result = JSON.parse(past.stdout) as LoadResult;
  assert.ok((result.clock?.startLateMs ?? 0) >= 5000, `late by ${result.clock?.startLateMs} ms`);
  assert.ok(result.requests > 0);
  assert.deepEqual([result.shard?.index, result.shard?.count], [1, 1]);
  assert.match(past.stderr, /started \d+ ms late/);
});

test('a remote target is refused without --allow-remote, before any connection', async () => {
  const run = await runConlab(['load', 'http://10.255.255.1:80/', '-d', '1', '--shard', '1/2']);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /LAB_E_REMOTE_TARGET/);
});
