/**
 * Which app can run where, decided in the primary before any unit starts,
 * so that a combination that cannot work is a named skip rather than a
 * crash: a Node `(req, res)` listener needs the socket's own request and
 * response objects, which cannot cross to a pool thread or a child process.
 */
import type { UnitConfig } from '../../config.ts';
import { UnsupportedError } from '../arch/types.ts';

export function requireAppSupport(
  unit: Pick<UnitConfig, 'server' | 'poolThreads' | 'spawnPerRequest'>,
): void {
  const app = unit.server.app;
  if (!app || app.kind === 'fetch') return;
  const where =
    unit.poolThreads > 0 ? 'on pool threads' : unit.spawnPerRequest ? 'in a child process per request' : null;
  if (where === null) return;
  throw new UnsupportedError(
    `Node listener ${where}`,
    `${unit.server.arch} runs requests ${where}, and a (req, res) listener needs the socket's own request and response objects, which cannot cross there → export a fetch handler (export default { fetch }), or use an architecture that runs requests inline: single, cluster, reuseport, reuseport-threads`,
  );
}
