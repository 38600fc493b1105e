/**
 * Temporary files a kill cannot leave behind for good. A SIGKILLed process
 * runs no cleanup, so every temporary folder or file conlab makes carries
 * its owner in its name: `PREFIX` + `p<pid>s<start>-…`, where start is the
 * owner's start time (clock ticks since boot, field 22 of /proc/PID/stat).
 * The next run sweeps every entry with that prefix whose owner is gone: the
 * PID no longer exists, or now belongs to a process started at another time
 * (a recycled PID). A live owner's entries are never touched.
 *
 * Limits: owners are judged in this machine's PID namespace (a temp folder
 * shared with a container that has its own would look orphaned); without
 * /proc the start time is missing and only the PID is checked; entries
 * without an owner tag (made by an older conlab) are left alone.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Start time of `pid` in clock ticks since boot, or null where /proc cannot say. */
export function processStartTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the command name (which may contain spaces and parentheses): state is field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = Number(fields[19]);
    return Number.isSafeInteger(start) ? start : null;
  } catch {
    return null;
  }
}

/** `p<pid>s<start>` (or `p<pid>` without /proc): who owns a temporary entry. */
export function ownerTag(pid: number = process.pid): string {
  const start = processStartTicks(pid);
  return start === null ? `p${pid}` : `p${pid}s${start}`;
}

/** Whether the process a tag names is still the one running. */
export function ownerAlive(pid: number, startTicks: number | null): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (startTicks === null) return true;
  const now = processStartTicks(pid);
  return now === null || now === startTicks;
}

const TAG = /^p(\d+)(?:s(\d+))?-/;

/** A new folder `root/PREFIX<owner tag>-XXXXXX`, owned by this process. */
export function makeOwnedDir(root: string, prefix: string): string {
  return mkdtempSync(join(root, `${prefix}${ownerTag()}-`));
}

/**
 * Removes the entries of `root` named `PREFIX<tag>-…` whose owner is gone;
 * returns their names. Best effort: an entry that cannot be removed (a
 * permission, a race with its own removal) is skipped, never an error.
 */
export function sweepOrphans(root: string, prefix: string): string[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const tag = TAG.exec(name.slice(prefix.length));
    if (tag === null) continue;
    const pid = Number(tag[1]);
    if (ownerAlive(pid, tag[2] === undefined ? null : Number(tag[2]))) continue;
    try {
      rmSync(join(root, name), { recursive: true, force: true, maxRetries: 3 });
      removed.push(name);
    } catch {
      // Someone else's, or already going: leave it.
    }
  }
  return removed;
}
