/**
 * The unit side of the primary/unit protocol: start a unit, say `ready`
 * (or `error` with the reason), obey `stop` and `restarts`, and report its
 * event loop over the measured window (`measure` … `stats`). Shared by the
 * three places a unit can live: a child process, a cluster worker, a thread.
 */
import { threadId } from 'node:worker_threads';
import { failureOf } from '../../../core/subject/protocol.ts';
import { startEventLoopProbe } from '../../../monitor/subject-stats.ts';
import type { UnitConfig } from '../../config.ts';
import { startUnit, type RunningUnit } from '../unit.ts';
import type { PrimaryMessage, UnitMessage } from './messages.ts';

export interface UnitTransport {
  send(message: UnitMessage): void;
  onMessage(handler: (message: PrimaryMessage) => void): void;
  /** Called when the primary is gone (pipe closed): stop without being told. */
  onPrimaryGone(handler: () => void): void;
  exit(code: number): void;
}

export async function hostUnit(unit: UnitConfig, transport: UnitTransport): Promise<void> {
  let running: RunningUnit;
  try {
    running = await startUnit(unit);
  } catch (error) {
    const errorCode = (error as { code?: unknown }).code;
    transport.send(failureOf(error, typeof errorCode === 'string' ? { errorCode } : {}));
    transport.exit(1);
    return;
  }
  let stopping = false;
  const stop = (graceMs: number): void => {
    if (stopping) return;
    stopping = true;
    probe.stop();
    void running.close(graceMs).finally(() => transport.exit(0));
  };
  // From listening until `measure`, then over the measured window: a 10 ms timer, nothing per request.
  let probe = startEventLoopProbe();
  transport.onMessage((message) => {
    if (message.t === 'stop') stop(message.graceMs);
    else if (message.t === 'restarts') running.setRestarts(message.count);
    else if (message.t === 'measure') {
      probe.stop();
      probe = startEventLoopProbe();
    } else transport.send({ t: 'stats', eventLoop: probe.stop() });
  });
  transport.onPrimaryGone(() => stop(1000));
  running.onPoolRestart(() => transport.send({ t: 'pool-restart' }));
  transport.send({
    t: 'ready',
    host: running.host,
    port: running.port,
    pid: process.pid,
    thread: threadId,
    ...(running.front === undefined ? {} : { front: running.front }),
  });
}
