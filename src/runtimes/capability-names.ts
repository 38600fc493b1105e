/**
 * The capabilities conlab probes per runtime, shared by the probe (which runs
 * under the runtime) and the driver. Names are what skip reasons show.
 */
export const capabilityNames = [
  // Runs conlab's TypeScript subjects at all (Node >= 22.18, Bun, Deno); every cell needs it.
  'typescript',
  'worker_threads',
  'child_process',
  // node:cluster workers sharing one listening port (round-robin); net and http differ on Bun.
  'cluster-net',
  'cluster-http',
  'reusePort-net',
  'reusePort-http',
  'sqlite',
  'sharedArrayBuffer',
  'monitorEventLoopDelay',
  'eventLoopUtilization',
] as const;

export type Capability = (typeof capabilityNames)[number];

export interface CapabilityResult {
  supported: boolean;
  /** Why not (or a note on how it was checked). */
  reason?: string;
}

/** Prefix of the reason of a check that timed out: such an answer is not cached (a busy machine is not a missing capability). */
export const TIMED_OUT = 'no answer in';
