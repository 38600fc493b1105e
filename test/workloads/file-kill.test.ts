// io.file leaves nothing on disk when its process is SIGKILLed mid-item: each file is unlinked
// right after it is opened (written, fsynced and checked with no name), and the next io.file cell
// (prepare) sweeps a file a kill might catch in the instant between open and unlink.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ioFile } from '../../src/workloads/file.ts';
import { resolveParams } from '../../src/workloads/params.ts';

const writer = new URL('./fixtures/file-writer.ts', import.meta.url).pathname;

/** Starts the writer, SIGKILLs it a random moment after its first item, resolves when it is gone. */
function killWriterMidItem(dir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let items = 0;
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      items += chunk.toString().split('\n').length - 1;
      timer ??= setTimeout(() => child.kill('SIGKILL'), Math.random() * 30);
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve(items);
      else reject(new Error('the writer ended by itself'));
    });
  });
}

test('SIGKILL during io.file items leaves no file behind (after the next cell starts at worst)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-iofile-kill-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  let items = 0;
  let caughtBetweenOpenAndUnlink = 0;
  for (let round = 0; round < 8; round++) {
    items += await killWriterMidItem(dir);
    caughtBetweenOpenAndUnlink += readdirSync(dir).length;
    ioFile.prepare?.(resolveParams(ioFile, { dir }));
    assert.deepEqual(readdirSync(dir), [], `round ${round}: nothing left once the next cell prepares`);
  }
  assert.ok(items > 0, 'the writer wrote items between kills');
  t.diagnostic(
    `${items} items written over 8 kills; ${caughtBetweenOpenAndUnlink} files were caught between open and unlink`,
  );
});
