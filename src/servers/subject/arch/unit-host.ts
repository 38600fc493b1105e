/**
 * The unit side of the primary/unit protocol: start a unit, say "listening"
 * (or "failed" with the reason), obey "stop" and "restarts". Shared by the
 * three places a unit can live: a child process, a cluster worker, a thread.
 */
import { threadId } from 'node:worker_threads';
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
    transport.send({
      type: 'failed',
      reason: error instanceof Error ? error.message : String(error),
      ...(typeof errorCode === 'string' ? { errorCode } : {}),
    });
    transport.exit(1);
    return;
  }
  let stopping = false;
  const stop = (graceMs: number): void => {
    if (stopping) return;
    stopping = true;
    void running.close(graceMs).finally(() => transport.exit(0));
  };
  transport.onMessage((message) => {
    if (message.type === 'stop') stop(message.graceMs);
    else running.setRestarts(message.count);
  });
  transport.onPrimaryGone(() => stop(1000));
  transport.send({
    type: 'listening',
    port: running.port,
    address: running.address,
    pid: process.pid,
    thread: threadId,
  });
}
