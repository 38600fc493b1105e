/**
 * Architectures whose only serving event loop is the primary's own
 * (single, offload, spawn): one unit, started in this process.
 */
import type { UnitConfig } from '../../config.ts';
import { requireAppSupport } from '../app/support.ts';
import { startUnit } from '../unit.ts';
import type { ArchContext, RunningArch } from './types.ts';

export function primaryUnit(
  context: ArchContext,
  options: Pick<UnitConfig, 'poolThreads' | 'spawnPerRequest'>,
): UnitConfig {
  return {
    server: context.config,
    primaryPid: process.pid,
    port: context.config.port,
    reusePort: false,
    unitIndex: 0,
    ...options,
  };
}

export async function startInProcess(unit: UnitConfig): Promise<RunningArch> {
  requireAppSupport(unit);
  const running = await startUnit(unit);
  let poolRestarts = 0;
  running.onPoolRestart(() => poolRestarts++);
  return {
    host: running.host,
    port: running.port,
    pids: () => [process.pid],
    restarts: () => 0,
    poolRestarts: () => poolRestarts,
    front: () => running.front,
    // The one serving loop is the primary's own, which the primary probes itself.
    measure: () => undefined,
    unitEventLoops: () => Promise.resolve([]),
    stop: (graceMs) => running.close(graceMs),
  };
}
