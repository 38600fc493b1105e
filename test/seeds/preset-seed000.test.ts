/**
 * `conlab preset seed000 --quick` scaled down against real TCP servers: the seed
 * controller's CSV columns, one row per mode and architecture, with the server tree's
 * CPU and memory. No timing is asserted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SEED000_CSV_HEADER } from '../../src/seeds/presets/seed000.ts';
import { parseCsv, runCli, tempStore } from './helpers.ts';

test("seed000: the seed controller's CSV columns, with server CPU and memory", async (t) => {
  const store = tempStore('seed000');
  t.after(() => store.remove());
  const { code, stdout, stderr } = await runCli(
    [
      'preset',
      'seed000',
      '--quick',
      '--archs',
      'single,reuseport',
      '--clients',
      '2',
      '--duration',
      '0.5',
      '--format',
      'csv',
      ...store.args,
    ],
    120_000,
  );
  assert.equal(code, 0, stderr);
  const csv = parseCsv(stdout);
  assert.equal(
    csv.header,
    'server_type,runtime,server_threads,client_threads,requests_per_sec,cpu_percent,memory_mb',
  );
  assert.equal(csv.header, SEED000_CSV_HEADER);
  const types = csv.rows.map((row) => row.server_type).sort();
  assert.deepEqual(types, ['reuseport-compute', 'reuseport-echo', 'single-compute', 'single-echo']);
  for (const row of csv.rows) {
    assert.match(row.runtime ?? '', /^node@\d+\.\d+\.\d+$/);
    assert.equal(row.client_threads, '2');
    assert.ok(Number(row.requests_per_sec) > 0);
    assert.ok(Number(row.memory_mb) > 10, 'a runtime process holds more than 10 MiB');
    assert.ok(Number(row.cpu_percent) >= 0);
  }
  assert.equal(csv.rows.find((row) => row.server_type === 'reuseport-echo')?.server_threads, '2');
});
