/**
 * The subject launcher, its protocol helpers and the driver's exit hook,
 * against real processes (test/core/fixtures): stray stdout never reaches
 * the protocol; readiness, an unsupported runtime, a crash and a silent
 * subject each end the way they should; stop() reports what it had to kill;
 * and a driver killed by SIGINT or SIGKILL takes a subject whose event loop
 * is blocked with it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { launchSubject, SubjectFailure } from '../../src/core/subject/launcher.ts';
import { groupMembers } from '../../src/core/subject/process-group.ts';
import {
  encodeLine,
  failureOf,
  messageGuard,
  readMessages,
  type Failure,
  type Message,
  type Ready,
} from '../../src/core/subject/protocol.ts';
import { isAlive } from '../fixtures/orphans.ts';

const subjectScript = new URL('./fixtures/subject.ts', import.meta.url).pathname;
const driverScript = new URL('./fixtures/driver.ts', import.meta.url).pathname;

type FromFixture = Ready<{ child?: number }> | Failure;

function start(mode: string) {
  return launchSubject<FromFixture, Message<'stop'>>({
    command: process.execPath,
    args: [subjectScript, mode],
    label: `fixture ${mode}`,
    accepts: messageGuard<FromFixture>(['ready', 'error']),
  });
}

test('readMessages: messages the guard accepts, everything else aside, lines split across chunks', () => {
  const stream = new PassThrough();
  const messages: Message[] = [];
  const stray: string[] = [];
  readMessages(
    stream,
    messageGuard<Message<'ready'>>(['ready']),
    (m) => messages.push(m),
    (l) => stray.push(l),
  );
  stream.write('warning: something\n{"t":"rea');
  stream.write('dy","pid":1}\n{"t":"other"}\n[1,2]\n');
  stream.end(encodeLine({ t: 'ready' }));
  return new Promise<void>((resolve) =>
    setImmediate(() => {
      assert.deepEqual(messages, [{ t: 'ready', pid: 1 }, { t: 'ready' }]);
      assert.deepEqual(stray, ['warning: something', '{"t":"other"}', '[1,2]']);
      resolve();
    }),
  );
});

test('failureOf flags a reason that says "unsupported on" as a named skip', () => {
  assert.deepEqual(failureOf(new Error('boom'), { id: 3 }), { t: 'error', reason: 'boom', id: 3 });
  const wrapped = failureOf(new Error('worker failed: unsupported on bun@1 (no x)'), {});
  assert.equal(wrapped.unsupported, true);
});

test('a ready subject: stray stdout ignored, stop() by message is graceful, nothing left', async () => {
  const subject = start('ready');
  await subject.waitReady(20_000);
  assert.deepEqual(subject.strayLines(), ['a runtime warning on stdout', '{"not":"a message"}']);
  const report = await subject.stop({ message: { t: 'stop' }, graceMs: 5000 });
  assert.deepEqual(report, { graceful: true, exitCode: 0, leftovers: [] });
  assert.deepEqual(groupMembers(subject.pid), []);
});

test('readiness: unsupported, a crash and silence each fail the way they should', async () => {
  const unsupported = start('unsupported');
  const error = await unsupported.waitReady(20_000).catch((e: unknown) => e);
  assert.ok(error instanceof SubjectFailure && error.unsupported, String(error));
  assert.match(error.message, /^unsupported on test@1 \(a capability: missing\)$/);
  await unsupported.stop({ graceMs: 1000 });

  const crash = start('crash');
  const crashed = await crash.waitReady(20_000).catch((e: unknown) => e);
  assert.ok(crashed instanceof SubjectFailure && !crashed.unsupported);
  assert.match(crashed.message, /fixture crash exited with code 4: Error: boom at start-up/);
  await crash.stop({ graceMs: 1000 });

  const silent = start('silent');
  const late = await silent.waitReady(300).catch((e: unknown) => e);
  assert.ok(late instanceof SubjectFailure);
  assert.match(late.message, /timed out after 300 ms waiting for fixture silent to be ready/);
  const report = await silent.stop({ graceMs: 0 });
  assert.equal(report.graceful, false);
  assert.deepEqual(groupMembers(silent.pid), []);
});

test('stop() sweeps the group and reports a process that outlived the subject', async () => {
  const subject = start('leaves-child');
  const ready = await subject.waitReady(20_000);
  assert.ok(ready.child !== undefined && isAlive(ready.child), 'the child is running');
  const report = await subject.stop({ message: { t: 'stop' }, graceMs: 5000, settleMs: 300 });
  assert.equal(report.graceful, true);
  assert.deepEqual(report.leftovers, [ready.child]);
  assert.equal(isAlive(ready.child), false, 'the leftover was killed');
});

for (const signal of ['SIGINT', 'SIGKILL'] as const) {
  test(`a driver ended by ${signal} takes a subject with a blocked event loop with it`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'conlab-exit-hook-'));
    const marker = join(dir, 'cleaned');
    const driver = spawn(process.execPath, [driverScript, marker], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    driver.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const subjectPid = await new Promise<number>((resolve, reject) => {
      let out = '';
      driver.stdout.setEncoding('utf8').on('data', (text: string) => {
        out += text;
        const pid = /subject (\d+)/.exec(out)?.[1];
        if (pid) resolve(Number(pid));
      });
      driver.once('exit', () => reject(new Error(`the driver exited early: ${stderr}`)));
    });
    t.after(() => {
      for (const target of [-subjectPid, driver.pid ?? 0])
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          // gone
        }
      rmSync(dir, { recursive: true, force: true });
    });
    const exited = new Promise<number | null>((resolve) => driver.once('exit', (code) => resolve(code)));
    driver.kill(signal);
    const code = await exited;
    if (signal === 'SIGINT') {
      assert.equal(code, 130);
      assert.match(stderr, /interrupted by SIGINT/);
      assert.ok(existsSync(marker), 'the cleanup ran');
    }
    for (let i = 0; i < 50 && groupMembers(subjectPid).length > 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(groupMembers(subjectPid), [], 'no process of the subject group is left');
  });
}
