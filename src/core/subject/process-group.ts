/**
 * A subject runs as its own process group (spawned detached): its PID is the
 * group id, and everything it starts — pool processes, server units,
 * pipeline children, probe helpers — stays in that group unless it detaches
 * itself. One kill(-pgid) therefore ends all of it, and a /proc scan says
 * whether anything is left.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Signals a whole process group; a group that is already gone is not an error. */
export function killGroup(pgid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: nothing left in the group.
  }
}

/** Live (non-zombie) PIDs whose process group is `pgid` (Linux /proc); empty where /proc is missing. */
export function groupMembers(pgid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      // Fields after the command name (which may contain spaces): state ppid pgrp ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(entry));
    } catch {
      // Exited while listing.
    }
  }
  return members;
}

/** Polls until the group is empty or `withinMs` passed; returns who is still there. */
export async function waitGroupEmpty(pgid: number, withinMs: number, pollMs = 100): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  let left = groupMembers(pgid);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    left = groupMembers(pgid);
  }
  return left;
}
