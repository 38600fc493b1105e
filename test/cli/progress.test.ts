/**
 * Live progress of `conlab load`: the header at once, a line per second on
 * stderr, stdout left to the result (so --format json stays one document);
 * off on a non-terminal unless --progress, off with --quiet and under CI.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LoadProgress, loadHeader, progressWanted } from '../../src/cli/progress.ts';
import { progressPrinter } from '../../src/suite/progress.ts';
import type { ProgressEvent } from '../../src/suite/runner.ts';
import * as fixtures from '../load/fixtures.ts';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../bin/conlab.js', import.meta.url));

/** `conlab load ARGS`; rejects on a non-zero exit (every run here must succeed). */
const load = async (args: string[]) => ({
  code: 0,
  ...(await run(process.execPath, [bin, 'load', ...args])),
});

test('when progress shows: --quiet wins, --progress forces, else a terminal outside CI', () => {
  const tty = { isTTY: true, write: () => true };
  const pipe = { isTTY: false, write: () => true };
  assert.equal(progressWanted({}, tty, {}), true);
  assert.equal(progressWanted({}, tty, { CI: 'true' }), false);
  assert.equal(progressWanted({}, pipe, {}), false);
  assert.equal(progressWanted({ progress: true }, pipe, { CI: '1' }), true);
  assert.equal(progressWanted({ progress: true, quiet: true }, tty, {}), false);
});

test('a terminal gets one redrawn line, a log one line per second', () => {
  const written: string[] = [];
  const tty = new LoadProgress({ isTTY: true, write: (text: string) => written.push(text) }, 'header');
  tty.second({ second: 0, requests: 1000, errors: 0, p50Us: 100, p99Us: 2500 });
  tty.second({ second: 1, requests: 900, errors: 2, p50Us: 100, p99Us: 300 });
  tty.end();
  assert.equal(written[0], 'header\n');
  // Each redraw returns the cursor and clears the line (CR, ESC [K) before the text.
  const redrawn = written.slice(1, 3).map((text) => {
    assert.ok(text.startsWith('\r\u001b[K'), JSON.stringify(text));
    return text.slice(4);
  });
  assert.match(redrawn[0] ?? '', /^ +1s +1000 req\/s +p99 +2\.50ms +errors 0/);
  assert.match(redrawn[1] ?? '', /^ +2s.*900 req\/s.*p99 +300us.*errors 2.*total 1900 requests, 2 errors/);
  assert.equal(written[3], '\n');
  const logged: string[] = [];
  const log = new LoadProgress({ isTTY: false, write: (text: string) => logged.push(text) }, 'header');
  log.second({ second: 0, requests: 10, errors: 0, p50Us: 1, p99Us: 2 });
  log.end();
  assert.equal(logged.length, 2);
  assert.ok(logged[1]?.endsWith('\n') && !logged[1].includes('\r'));
});

test('the header names target, mode, connections or rate, threads and length', () => {
  assert.equal(
    loadHeader({ target: 'http://127.0.0.1:1/x', connections: 4, durationS: 2 }),
    'conlab load http://127.0.0.1:1/x: closed loop, 4 connections, 1 thread, 2s',
  );
  assert.equal(
    loadHeader({
      target: 't',
      connections: 1,
      rateRps: 500,
      threads: 2,
      requests: 100,
      durationS: 3,
      warmupS: 1,
    }),
    'conlab load t: open loop at 500 req/s over 1 connection, 2 threads, 3s or 100 requests after 1s warm-up',
  );
});

test('conlab load --progress --format json: header and seconds on stderr, one JSON document on stdout', async (t) => {
  const f = await fixtures.okServer();
  t.after(() => f.close());
  const shown = await load([f.url, '-c', '2', '-d', '2', '--progress', '--format', 'json']);
  assert.equal(shown.code, 0, shown.stderr);
  const result = JSON.parse(shown.stdout) as { requests: number };
  assert.ok(result.requests > 0);
  const lines = shown.stderr.split('\n').filter((line) => line !== '');
  assert.match(
    lines[0] ?? '',
    /^conlab load http:\/\/127\.0\.0\.1:\d+\/\S*: closed loop, 2 connections, 1 thread, 2s$/,
  );
  const seconds = lines.filter((line) => /^\s+\d+s\s+\d+ req\/s\s+p99/.test(line));
  assert.ok(seconds.length >= 2, shown.stderr);

  // Piped stderr and no --progress: nothing but the result.
  const quiet = await load([f.url, '-c', '1', '-d', '1', '--json']);
  assert.equal(quiet.code, 0);
  assert.equal(quiet.stderr, '');
});

test("run's progress line: a detail is appended to the redrawn line on a terminal, its own line in a log", () => {
  const event = {
    index: 2,
    total: 4,
    cell: { label: 'node single hello c=1' },
    repetition: 0,
    repetitions: 3,
    elapsedS: 5,
    etaS: 10,
  } as unknown as ProgressEvent;
  const terminal: string[] = [];
  const tty = progressPrinter({
    isTTY: true,
    columns: 200,
    write: (text: string) => terminal.push(text),
  } as never);
  tty.start(event);
  tty.detail('   1s  100 req/s');
  const last = terminal.at(-1) ?? '';
  assert.match(last, /^\[2\/4\] .*node single hello c=1 \(rep 1\/3\).* · 1s {2}100 req\/s$/);
  assert.ok(terminal.includes('\r\u001b[K'), 'the detail redraws the line in place');
  const logged: string[] = [];
  const log = progressPrinter({ isTTY: false, write: (text: string) => logged.push(text) } as never);
  log.start(event);
  log.detail('   1s  100 req/s');
  assert.deepEqual(logged.slice(1), ['    1s  100 req/s\n']);
});

test('bench-server --progress --format json: a line per measured second on stderr, one JSON document on stdout', async () => {
  const shown = await run(process.execPath, [
    bin,
    'bench-server',
    '--arch',
    'single',
    '--endpoint',
    'hello',
    '--connections',
    '1',
    '--duration',
    '2',
    '--warmup',
    '0',
    '--reps',
    '1',
    '--progress',
    '--format',
    'json',
  ]);
  const { cells } = JSON.parse(shown.stdout) as { cells: { status: string }[] };
  assert.equal(cells[0]?.status, 'ok', shown.stderr);
  const seconds = shown.stderr.split('\n').filter((line) => /^\s+\d+s\s+\d+ req\/s\s+p99/.test(line));
  assert.ok(seconds.length >= 2, shown.stderr);
});
