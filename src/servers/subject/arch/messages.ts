/**
 * The messages between an architecture's primary and its units, whatever
 * carries them (a child's stdin/stdout lines, cluster IPC, a worker
 * thread's port), in the one envelope of src/core/subject/protocol.ts.
 */
import { messageGuard, type Failure, type Message, type Ready } from '../../../core/subject/protocol.ts';
import type { EventLoopStats } from '../../../monitor/types.ts';

export type UnitMessage =
  /** front: how a user's app is served (absent for the built-in contract). */
  | Ready<{ host: string; port: number; pid: number; thread: number; front?: string }>
  /** errorCode: the listen error's code (EADDRINUSE from a second reusePort listener means unsupported). */
  | Failure<{ errorCode?: string }>
  /** The unit's event loop since the last `measure`. */
  | (Message<'stats'> & { eventLoop: EventLoopStats })
  /** A thread of the unit's pool died and was replaced (the primary counts it). */
  | Message<'pool-restart'>;

export type PrimaryMessage =
  | (Message<'stop'> & { graceMs: number })
  | (Message<'restarts'> & { count: number })
  | Message<'measure'>
  | Message<'stats'>;

export const isUnitMessage = messageGuard<UnitMessage>(['ready', 'error', 'stats', 'pool-restart']);
export const isPrimaryMessage = messageGuard<PrimaryMessage>(['stop', 'restarts', 'measure', 'stats']);
