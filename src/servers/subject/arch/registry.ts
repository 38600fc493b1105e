/**
 * Architecture name → definition. Adding an architecture is one file (its
 * definition: unit kind, whether it takes --workers/--threads and their
 * defaults, start) and one line in the list below; every list of names,
 * default, help text and test matrix is derived from here. Tests and
 * extension modules add architectures with architectures.register() (see
 * src/core/registry.ts for how an addition reaches the server subject); a
 * name taken or a definition that contradicts itself is refused.
 */
import { ErrorCodes, LabError } from '../../../core/errors.ts';
import { Registry } from '../../../core/registry.ts';
import { architecture as cluster } from './cluster.ts';
import { architecture as offload } from './offload.ts';
import { architecture as prefork } from './prefork.ts';
import { architecture as reuseportThreads } from './reuseport-threads.ts';
import { architecture as reuseport } from './reuseport.ts';
import { architecture as single } from './single.ts';
import { architecture as spawn } from './spawn.ts';
import { unitKinds, type Architecture } from './types.ts';

/** Refuses a definition that contradicts itself: an in-process architecture has exactly one unit. */
function checkArchitecture(arch: Architecture): void {
  const wrong = !unitKinds.includes(arch.unit)
    ? `unit kind '${String(arch.unit)}' is not one of ${unitKinds.join(', ')}`
    : arch.unit === 'in-process' && arch.workers
      ? 'runs in-process (one unit) but takes --workers'
      : arch.unit !== 'in-process' && !arch.workers
        ? `runs one unit per worker (${arch.unit}) but does not take --workers`
        : undefined;
  if (wrong) {
    throw new LabError(ErrorCodes.USAGE, `architecture '${arch.name}' ${wrong}`, {
      hint: "units in the primary: unit 'in-process' and no workers; units per --workers: unit 'process' or 'thread' with workers",
    });
  }
}

export const architectures = new Registry<Architecture>(
  'architecture',
  ErrorCodes.UNKNOWN_ARCH,
  [single, offload, cluster, reuseport, reuseportThreads, prefork, spawn],
  checkArchitecture,
);

/** The architecture every other is compared with, and the default of --arch: one event loop, work inline. */
export const baselineArchitecture: Architecture = single;
