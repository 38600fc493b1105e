// Temporary entries named after their owner: the sweep removes those whose owner is gone (dead, or
// its PID recycled by a process started at another time) and never touches a live owner's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { makeOwnedDir, ownerTag, processStartTicks, sweepOrphans } from '../../src/core/owned-temp.ts';

test('the sweep removes the entries of dead and recycled owners, and only those', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'conlab-owned-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dead = spawnSync(process.execPath, ['-e', '']).pid;
  assert.ok(dead !== undefined && dead > 0);
  const ownStart = processStartTicks(process.pid);
  assert.ok(ownStart !== null, 'Linux /proc gives the start time');
  const parentStart = processStartTicks(process.ppid);

  const mine = basename(makeOwnedDir(root, 'conlab-pipeline-'));
  assert.match(mine, new RegExp(`^conlab-pipeline-p${process.pid}s${ownStart}-`));
  writeFileSync(join(root, mine, 'data.bin'), 'x');
  const entries = {
    deadDir: `conlab-pipeline-p${dead}s1-aaaaaa`,
    deadNoStart: `conlab-pipeline-p${dead}-bbbbbb`,
    recycled: `conlab-pipeline-p${process.pid}s${ownStart + 1}-cccccc`,
    liveParent: `conlab-pipeline-p${process.ppid}s${parentStart}-dddddd`,
    untagged: 'conlab-pipeline-eeeeee',
    otherPrefix: `conlab-other-p${dead}s1-ffffff`,
    deadFile: `conlab-file-p${dead}s1-0-3.bin`,
  };
  for (const name of Object.values(entries)) {
    if (name.endsWith('.bin')) writeFileSync(join(root, name), 'x');
    else mkdirSync(join(root, name));
  }
  writeFileSync(join(root, entries.deadDir, 'data.bin'), 'x'.repeat(1000));

  const removed = sweepOrphans(root, 'conlab-pipeline-').sort();
  assert.deepEqual(removed, [entries.deadDir, entries.deadNoStart, entries.recycled].sort());
  assert.deepEqual(
    readdirSync(root).sort(),
    [mine, entries.liveParent, entries.untagged, entries.otherPrefix, entries.deadFile].sort(),
  );
  assert.deepEqual(sweepOrphans(root, 'conlab-file-'), [entries.deadFile]);
  assert.deepEqual(readdirSync(join(root, mine)), ['data.bin'], 'a live owner keeps its files');
  assert.deepEqual(sweepOrphans(join(root, 'missing'), 'conlab-pipeline-'), [], 'no folder, nothing to do');
  assert.match(ownerTag(), /^p\d+s\d+$/);
});
