import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellsToCsv } from '../../src/results/csv.ts';
import { batchRecord, pipelineRecord, serverRecord } from './fixtures.ts';

/** A small RFC 4180 reader, enough to check what we write. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  return rows;
}

test('CSV: one row per cell, identifying columns first, flattened fields with units in their names', () => {
  const cells = [
    batchRecord('threads', 0, 500, { reason: 'a, "quoted" reason' }),
    serverRecord('cluster', 1, 9000, [100, 200]),
    pipelineRecord('threads', 4, 0, 9.5),
  ];
  const rows = parseCsv(cellsToCsv('run-1', cells));
  const [header, batch, server, pipeline] = rows as [string[], string[], string[], string[]];
  assert.equal(rows.length, 4);
  assert.deepEqual(header.slice(0, 8), [
    'runId',
    'cellKey',
    'repetition',
    'kind',
    'status',
    'reason',
    'runtime',
    'startedAt',
  ]);
  for (const column of [
    'durationMs',
    'durationsMs',
    'peakRssBytes',
    'cpuPercent',
    'latencyUs.p99',
    'params.iters',
    'errors.timeout',
    'monitor.treeCpuPercent',
  ]) {
    assert.ok(header.includes(column), `column ${column}`);
  }
  // Series and encodings are not columns.
  for (const absent of ['histogram', 'timeline', 'monitor.perCore', 'repetitions'])
    assert.ok(!header.includes(absent), absent);
  const value = (row: string[], column: string) => row[header.indexOf(column)];
  assert.equal(value(batch, 'runId'), 'run-1');
  assert.equal(value(batch, 'reason'), 'a, "quoted" reason');
  assert.equal(value(batch, 'durationMs'), '500');
  assert.equal(value(batch, 'params.iters'), '1000');
  assert.equal(value(batch, 'latencyUs.p99'), '', 'a batch row has no latency');
  assert.equal(value(server, 'repetition'), '1');
  assert.equal(value(server, 'errors.timeout'), '1');
  assert.equal(value(server, 'monitor.coreBusyMeanPercent'), '55;45');
  assert.equal(value(pipeline, 'kind'), 'pipeline');
  assert.equal(value(pipeline, 'aggregateMiBps'), '9.5');
  assert.equal(value(pipeline, 'method'), 'threads');
  assert.equal(value(pipeline, 'coreBusyMeanPercent'), '20;10');
  assert.equal(value(pipeline, 'durationMs'), '', 'a pipeline row has no batch time');
  assert.ok(rows.every((row) => row.length === header.length));
});
