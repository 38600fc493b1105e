/**
 * Is the process that owns a `running` run still alive? A run killed with
 * SIGKILL stays `running` in the store; its owner PID tells a live run
 * from a dead one (to refuse a second writer, or to say "resume it").
 */
import { readFileSync } from 'node:fs';

/** Whether `pid` is a live conlab process (a recycled PID of another program does not count). */
export function isLiveConlabProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('conlab');
  } catch {
    return true; // no /proc: trust the signal probe
  }
}
