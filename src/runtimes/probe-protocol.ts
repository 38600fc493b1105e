/**
 * The capability probe's one message to the driver, in the one envelope of
 * src/core/subject/protocol.ts: `done` with what it found. A probe that
 * cannot run at all (a runtime without TypeScript) says nothing; the driver
 * reads its stderr instead.
 */
import { messageGuard, type Done } from '../core/subject/protocol.ts';
import type { Capability, CapabilityResult } from './capability-names.ts';

export type FromProbe = Done<{ capabilities: Partial<Record<Capability, CapabilityResult>> }>;

export const isFromProbe = messageGuard<FromProbe>(['done']);
