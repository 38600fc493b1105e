/** What the module check process (check-subject.ts) reports to the driver, on one line after CHECK_MARKER. */
import type { Inspection } from './inspect.ts';

export const CHECK_MARKER = '\u0000conlab-module-check ';

export type CheckReport =
  | { t: 'inspected'; runtime: string; inspection: Inspection }
  | { t: 'load-error'; runtime: string; message: string; code: string | undefined };
