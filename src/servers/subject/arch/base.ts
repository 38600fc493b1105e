/**
 * The lifecycle every architecture shares, in one place: prepare the store,
 * start the architecture, announce readiness with one parseable line, stop
 * every unit on SIGINT/SIGTERM (or when our parent goes away), and turn
 * "this runtime cannot do that" into a named skip rather than a crash.
 *
 * stdout lines (documented in docs/architecture/servers.md):
 *   listening http://127.0.0.1:PORT pid=N arch=A workers=W threads=T runtime=R
 *   (the address actually bound; IPv6 in brackets: http://[::1]:PORT)
 *   unsupported on RUNTIME@VERSION (capability: detail)
 *   failed to start ARCH: reason          (then exit status 1)
 *   stopped pid=N restarts=K
 */
import { hostForUrl } from '../../../core/net-address.ts';
import { currentRuntimeLabel } from '../../../core/runtime-info.ts';
import type { ServerConfig } from '../../config.ts';
import { ensureKv } from '../work/kv.ts';
import { architectures } from './registry.ts';
import { UnsupportedError, type ArchContext, type RunningArch } from './types.ts';

export const EXIT_UNSUPPORTED = 3;
const STOP_GRACE_MS = 3000;
/** Past this the primary exits anyway; units notice their pipe closing and exit too. */
const STOP_DEADLINE_MS = 10_000;

export function listeningLine(config: ServerConfig, address: string, port: number): string {
  const scheme = config.protocol === 'http' ? 'http' : 'tcp';
  const mode = config.protocol === 'tcp' ? ` mode=${config.tcpMode}` : '';
  return `listening ${scheme}://${hostForUrl(address)}:${port} pid=${process.pid} arch=${config.arch} workers=${config.workers} threads=${config.threads} runtime=${currentRuntimeLabel()}${mode}`;
}

export async function runPrimary(config: ServerConfig): Promise<void> {
  const log = (line: string): void => void process.stderr.write(`conlab serve: ${line}\n`);
  const context: ArchContext = { config, log };
  let running: RunningArch | null = null;
  let stopping = false;

  const stop = (why: string): void => {
    if (stopping) return;
    stopping = true;
    const deadline = setTimeout(() => {
      log(`units did not stop within ${STOP_DEADLINE_MS} ms; exiting`);
      process.exit(1);
    }, STOP_DEADLINE_MS);
    deadline.unref();
    log(`stopping (${why})`);
    const done = running ? running.stop(STOP_GRACE_MS) : Promise.resolve();
    void done.finally(() => {
      process.stdout.write(`stopped pid=${process.pid} restarts=${running?.restarts() ?? 0}\n`);
      process.exit(0);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  if (config.stopOnStdinEnd) {
    process.stdin.on('end', () => stop('parent closed stdin'));
    process.stdin.resume();
  }

  try {
    if (config.protocol === 'http') await ensureKv(config.kvPath, config.kvKeys);
    const { architecture } = await architectures[config.arch]();
    running = await architecture.start(context);
  } catch (error) {
    if (error instanceof UnsupportedError) {
      process.stdout.write(`unsupported on ${currentRuntimeLabel()} (${error.message})\n`);
      process.exit(EXIT_UNSUPPORTED);
    }
    // On stdout, so the launcher can put the reason into its error (and the suite into the cell).
    process.stdout.write(
      `failed to start ${config.arch}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
  if (stopping) {
    // A signal came during start-up: stop() already ran without the units; stop them now.
    await running.stop(STOP_GRACE_MS);
    process.exit(0);
  }
  process.stdout.write(`${listeningLine(config, running.address, running.port)}\n`);
}
