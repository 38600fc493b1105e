/**
 * The messages between the server driver (`conlab serve`, the bench driver,
 * the seed presets) and a server subject's primary, in the one envelope of
 * src/core/subject/protocol.ts, one JSON message per line on the subject's
 * stdin/stdout:
 *
 *   subject → driver   ready {protocol, host, port, pid, arch, ...}   once every unit listens
 *                      error {reason, unsupported?}                    instead of ready (then it exits)
 *                      stats {eventLoop}                               the answer to `stats`
 *                      done {pid, restarts, poolRestarts}              after SIGTERM, every unit stopped
 *   driver → subject   measure                                         the measured window begins
 *                      stats                                           the window ends: every loop's figures
 *
 * Stopping is SIGTERM (or the driver going away), so a server started by
 * hand stops on Ctrl-C like any other. `ready` carries the address the first
 * unit really bound, so an IPv6 host comes back as it was bound.
 */
import { messageGuard, type Done, type Failure, type Message, type Ready } from '../core/subject/protocol.ts';
import type { EventLoopStats } from '../monitor/types.ts';
import type { ArchName } from './config.ts';
import type { TcpMode } from './subject/tcp/tcp-server.ts';

export type ServerReady = Ready<{
  protocol: 'http' | 'tcp';
  /** The address bound, as the system reports it (127.0.0.1, ::1, ...). */
  host: string;
  port: number;
  /** The architecture's primary (the subject's main process). */
  pid: number;
  arch: ArchName;
  workers: number;
  threads: number;
  /** name@version of the runtime serving. */
  runtime: string;
  /** TCP only: what a reply is. */
  tcpMode?: TcpMode;
  /** A user's app only: the listener serving it ('node:http', 'Bun.serve', 'Deno.serve'). */
  front?: string;
}>;

/** One entry per event loop of the server: the primary's first, then each unit's. */
export type ServerStats = Message<'stats'> & { eventLoop: EventLoopStats[] };

/** After SIGTERM: units (restarts) and pool threads (poolRestarts) that died and were replaced while it ran. */
export type ServerDone = Done<{ pid: number; restarts: number; poolRestarts: number }>;

export type FromServer = ServerReady | Failure | ServerStats | ServerDone;
export type ToServer = Message<'measure'> | Message<'stats'>;

export const isFromServer = messageGuard<FromServer>(['ready', 'error', 'stats', 'done']);
export const isToServer = messageGuard<ToServer>(['measure', 'stats']);
