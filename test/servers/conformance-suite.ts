/**
 * Runs the shared conformance cases against one running server per
 * architecture, then checks unit replacement and shutdown. An architecture
 * the runtime cannot run shows up as named skips with the server's own
 * "unsupported on RUNTIME@VERSION (...)" reason.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { httpCall } from '../../src/servers/driver/http-client.ts';
import { groupMembers } from '../../src/core/subject/process-group.ts';
import { WHOAMI_RE } from '../../src/servers/driver/endpoints.ts';
import { architectures } from '../../src/servers/subject/arch/registry.ts';
import { conformanceCases } from './conformance-cases.ts';
import { startServer, type StartedServer } from './helpers.ts';

async function findUnitPid(s: StartedServer): Promise<number | null> {
  for (let i = 0; i < 40; i++) {
    const r = await httpCall(s.baseUrl, '/whoami');
    const pid = Number(WHOAMI_RE.exec(r.body)?.[2]);
    if (pid && pid !== s.server.pid) return pid;
  }
  return null;
}

export function defineConformance(runtimeName: string, archs: readonly string[], skipWhy?: string): void {
  // Two architectures at a time: most of a suite is waiting out request deadlines, not CPU.
  describe(`conformance on ${runtimeName}`, { concurrency: 2 }, () =>
    defineArchs(runtimeName, archs, skipWhy),
  );
}

function defineArchs(runtimeName: string, archs: readonly string[], skipWhy?: string): void {
  for (const arch of archs) {
    // Cases share one server and the last one stops it: strictly one after another (concurrency is inherited otherwise).
    describe(`${arch} on ${runtimeName}`, { concurrency: 1 }, () => {
      let started: StartedServer | undefined;
      let skipReason = skipWhy ?? '';
      before(async () => {
        if (skipWhy) return;
        const result = await startServer(
          { arch, workers: 2, threads: 2, requestTimeoutMs: 1500 },
          runtimeName,
        );
        if (result.kind === 'unsupported') skipReason = result.reason;
        else started = result.started;
      });
      after(async () => {
        await started?.server.stop();
      });

      for (const testCase of conformanceCases) {
        it(testCase.name, async (t) => {
          if (!started) return t.skip(skipReason);
          await testCase.run(started);
        });
      }

      it('a unit that dies is replaced and counted in /info', async (t) => {
        if (!started) return t.skip(skipReason);
        // The registry says where the units live: only a unit that is its own process can die alone.
        const unit = architectures.get(arch).unit;
        if (unit !== 'process') {
          const where = unit === 'thread' ? 'from worker threads' : 'in the primary process';
          return t.skip(
            `${arch} serves ${where}: no unit process to kill (its units die with their process)`,
          );
        }
        const s = started;
        const victim = await findUnitPid(s);
        assert.ok(victim, 'a unit pid other than the primary answered /whoami');
        process.kill(victim, 'SIGKILL');
        let restarts = 0;
        for (let i = 0; i < 100 && restarts < 1; i++) {
          await new Promise((r) => setTimeout(r, 100));
          try {
            const info = JSON.parse((await httpCall(s.baseUrl, '/info')).body) as { restarts?: number };
            restarts = info.restarts ?? 0;
          } catch {
            // The dead unit's connections may fail while it is replaced.
          }
        }
        assert.ok(restarts >= 1, 'restarts counted');
        const r = await httpCall(s.baseUrl, '/hello');
        assert.equal(r.body, 'hello');
      });

      it('SIGTERM stops every process of the architecture', async (t) => {
        if (!started) return t.skip(skipReason);
        const pid = started.server.pid;
        const report = await started.server.stop();
        assert.equal(
          report.graceful,
          true,
          `graceful exit (code ${report.exitCode}): ${started.server.stderrTail()}`,
        );
        assert.deepEqual(report.leftovers, []);
        assert.deepEqual(groupMembers(pid), []);
      });
    });
  }
}
