import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const bin = new URL('../bin/conlab.js', import.meta.url).pathname;

test('conlab help lists the commands', async () => {
  const { stdout } = await run(process.execPath, [bin, 'help']);
  assert.match(stdout, /batch/);
  assert.match(stdout, /report/);
});

test('an unknown command exits 2 with a LAB_E code and a suggestion', async () => {
  await assert.rejects(run(process.execPath, [bin, 'bacth']), (error: { code: number; stderr: string }) => {
    assert.equal(error.code, 2);
    assert.match(error.stderr, /LAB_E_UNKNOWN_COMMAND/);
    assert.match(error.stderr, /did you mean 'batch'/);
    return true;
  });
});
