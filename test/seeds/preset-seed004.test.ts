/**
 * `conlab preset seed004` scaled down (--archs, --clients, --duration) against real
 * servers: prefork answers /whoami with no failures from several processes, every
 * recorded PID is gone afterwards, and the CSV has the seed 004 columns. No timing is asserted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEED004_CSV_HEADER, seed004Csv, type Seed004Row } from '../../src/seeds/presets/seed004.ts';
import { alive, makeTempRoot, parseCsv, removeTempRoot, runCli, tempStore } from './helpers.ts';

test('seed004: prefork answers with no failures from several processes; single from one', async () => {
  const root = makeTempRoot('seed004');
  const store = tempStore('seed004');
  try {
    const output = join(root, 'seed004.json');
    const { code, stderr } = await runCli(
      [
        'preset',
        'seed004',
        '--archs',
        'prefork,single',
        '--clients',
        '10',
        '--duration',
        '1',
        '--format',
        'json',
        '--output',
        output,
        ...store.args,
      ],
      120_000,
    );
    assert.equal(code, 0, stderr);
    const report = JSON.parse(readFileSync(output, 'utf8')) as { rows: Seed004Row[] };
    const prefork = report.rows.find((row) => row.arch === 'prefork');
    const single = report.rows.find((row) => row.arch === 'single');
    assert.ok(prefork && single);
    assert.equal(prefork.status, 'ok', prefork.reason ?? '');
    assert.equal(prefork.errors, 0);
    assert.ok(prefork.requests > 0);
    assert.ok(prefork.distinctProcesses >= 2, `prefork served from ${prefork.distinctProcesses} processes`);
    assert.equal(prefork.workers, 4);
    assert.equal(single.distinctProcesses, 1);
    for (const pid of [...prefork.pids, ...single.pids])
      assert.equal(alive(pid), false, `pid ${pid} is gone`);
    const csv = parseCsv(seed004Csv(report.rows, 'node@test'));
    assert.equal(csv.header, SEED004_CSV_HEADER);
    assert.equal(csv.rows.length, 2);
    assert.equal(csv.rows[0]?.failures, '0');
  } finally {
    removeTempRoot(root);
    store.remove();
  }
});
