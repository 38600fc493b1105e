/**
 * The lifecycle every architecture shares, in one place: prepare the store,
 * start the architecture, say `ready` with the address really bound, report
 * every event loop over the measured window when asked, stop every unit on
 * SIGINT/SIGTERM (or when the driver goes away), and turn "this runtime
 * cannot do that" into a typed `error {unsupported: true}` — a named skip —
 * rather than a crash. Messages: src/servers/protocol.ts.
 */
import { currentRuntimeLabel } from '../../../core/runtime-info.ts';
import { linkToDriver } from '../../../core/subject/driver-link.ts';
import { unsupportedOn } from '../../../core/subject/protocol.ts';
import { startEventLoopProbe } from '../../../monitor/subject-stats.ts';
import type { ServerConfig } from '../../config.ts';
import { isToServer, type FromServer, type ToServer } from '../../protocol.ts';
import { ensureKv } from '../work/kv.ts';
import { architectures } from './registry.ts';
import { UnsupportedError, type ArchContext, type RunningArch } from './types.ts';

export const EXIT_UNSUPPORTED = 3;
const STOP_GRACE_MS = 3000;
/** Past this the primary exits anyway; units notice their pipe closing and exit too. */
const STOP_DEADLINE_MS = 10_000;

export async function runPrimary(config: ServerConfig): Promise<void> {
  const log = (line: string): void => void process.stderr.write(`conlab serve: ${line}\n`);
  const context: ArchContext = { config, log };
  let running: RunningArch | null = null;
  let stopping = false;
  // The primary's own loop: the one serving loop of single/offload/spawn, the dispatcher of cluster.
  let probe = startEventLoopProbe();

  const stop = (why: string): void => {
    if (stopping) return;
    stopping = true;
    const deadline = setTimeout(() => {
      log(`units did not stop within ${STOP_DEADLINE_MS} ms; exiting`);
      process.exit(1);
    }, STOP_DEADLINE_MS);
    deadline.unref();
    log(`stopping (${why})`);
    probe.stop();
    const done = running ? running.stop(STOP_GRACE_MS) : Promise.resolve();
    void done.finally(() => {
      driver.send({
        t: 'done',
        pid: process.pid,
        restarts: running?.restarts() ?? 0,
        poolRestarts: running?.poolRestarts?.() ?? 0,
      });
      process.exit(0);
    });
  };
  const onRequest = async (message: ToServer): Promise<void> => {
    if (!running || stopping) return;
    if (message.t === 'measure') {
      probe.stop();
      probe = startEventLoopProbe();
      running.measure();
      return;
    }
    const units = await running.unitEventLoops();
    driver.send({ t: 'stats', eventLoop: [probe.stop(), ...units] });
  };
  const driver = linkToDriver<ToServer, FromServer>({
    accepts: isToServer,
    onMessage: (message) => void onRequest(message),
    // Started by hand (stopOnStdinEnd false), a closed stdin means nothing; Ctrl-C stops it.
    onDriverGone: (why) => {
      if (config.stopOnStdinEnd) stop(`the driver is gone: ${why}`);
    },
  });
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  try {
    // The io store belongs to the built-in contract; a user's app has its own data.
    if (config.protocol === 'http' && !config.app) await ensureKv(config.kvPath, config.kvKeys);
    running = await architectures.get(config.arch).start(context);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof UnsupportedError) {
      driver.send({ t: 'error', reason: unsupportedOn(currentRuntimeLabel(), reason), unsupported: true });
      process.exit(EXIT_UNSUPPORTED);
    }
    driver.send({ t: 'error', reason: `failed to start ${config.arch}: ${reason}` });
    process.exit(1);
  }
  if (stopping) {
    // A signal came during start-up: stop() already ran without the units; stop them now.
    await running.stop(STOP_GRACE_MS);
    process.exit(0);
  }
  driver.send({
    t: 'ready',
    protocol: config.protocol,
    host: running.host,
    port: running.port,
    pid: process.pid,
    arch: config.arch,
    workers: config.workers,
    threads: config.threads,
    runtime: currentRuntimeLabel(),
    ...(config.protocol === 'tcp' ? { tcpMode: config.tcpMode } : {}),
    ...(running.front?.() === undefined ? {} : { front: running.front?.() }),
  });
}
