/**
 * Low-level Linux /proc readers for the monitor. Pure parsers are exported
 * separately from the readers so they can be tested on fixed text. Every
 * reader returns null instead of throwing when a file vanished (a process
 * exited between listing and reading is normal, not an error).
 */
import { closeSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';

/** Cumulative jiffies of one core, from a `cpuN` line of /proc/stat. */
export interface CoreTimes {
  /** user + nice */
  user: number;
  /** system + irq + softirq: time the kernel spent on this core's behalf */
  system: number;
  iowait: number;
  idle: number;
  /** steal + guest accounting not in the above; counted as busy (the core was not ours to use). */
  other: number;
  total: number;
}

/** Parses the per-core `cpuN` lines of /proc/stat (the aggregate `cpu` line is skipped). */
export function parseProcStat(text: string): CoreTimes[] {
  const cores: CoreTimes[] = [];
  // The cpu lines come first; the long intr/softirq lines after them need no parsing.
  for (let pos = 0; text.startsWith('cpu', pos);) {
    const newline = text.indexOf('\n', pos);
    const line = text.slice(pos, newline < 0 ? undefined : newline);
    pos = newline < 0 ? text.length : newline + 1;
    const match = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!match?.[2]) continue;
    const f = match[2].trim().split(/\s+/).map(Number);
    const at = (i: number): number => f[i] ?? 0;
    // guest and guest_nice (8, 9) are already included in user and nice; do not add them twice.
    const user = at(0) + at(1);
    const system = at(2) + at(5) + at(6);
    const idle = at(3);
    const iowait = at(4);
    const other = at(7);
    cores[Number(match[1])] = {
      user,
      system,
      iowait,
      idle,
      other,
      total: user + system + idle + iowait + other,
    };
  }
  // A core that is offline has no line; keep the array dense so indexes are core numbers.
  for (let i = 0; i < cores.length; i++) {
    cores[i] ??= { user: 0, system: 0, iowait: 0, idle: 0, other: 0, total: 0 };
  }
  return cores;
}

export interface PidStat {
  pid: number;
  /** The command name (field 2, at most 15 bytes; a thread's name for task/TID/stat). */
  name: string;
  ppid: number;
  state: string;
  /** Own CPU in clock ticks (utime + stime). */
  ownTicks: number;
  /** utime and stime apart: time in user code and in the kernel on this process's behalf. */
  userTicks: number;
  systemTicks: number;
  /** CPU of reaped children in clock ticks (cutime + cstime). */
  childTicks: number;
  numThreads: number;
  /** Start time in clock ticks since boot: together with pid it identifies a process across pid reuse. */
  startTicks: number;
  rssPages: number;
}

/**
 * Parses /proc/PID/stat. The command name (field 2) is in parentheses and may
 * itself contain spaces and ')', so fields are counted from the last ')'.
 */
export function parsePidStat(text: string): PidStat | null {
  const close = text.lastIndexOf(')');
  const open = text.indexOf('(');
  if (close < 0 || open < 0) return null;
  const pid = Number(text.slice(0, open).trim());
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const rest = text
    .slice(close + 1)
    .trim()
    .split(' ');
  const field = (n: number): number => Number(rest[n - 3] ?? Number.NaN);
  const stat: PidStat = {
    pid,
    name: text.slice(open + 1, close),
    ppid: field(4),
    state: rest[0] ?? '?',
    ownTicks: field(14) + field(15),
    userTicks: field(14),
    systemTicks: field(15),
    childTicks: field(16) + field(17),
    numThreads: field(20),
    startTicks: field(22),
    rssPages: field(24),
  };
  return Number.isFinite(stat.pid) && Number.isFinite(stat.ownTicks) && Number.isFinite(stat.rssPages)
    ? stat
    : null;
}

/**
 * A /proc file kept open and re-read from offset 0 each tick: one pread
 * instead of open + fstat + read + close, which is most of the monitor's cost.
 * A kept descriptor of /proc/PID/stat also cannot be fooled by PID reuse:
 * once that process is gone, reads fail.
 */
export class ProcFile {
  readonly path: string;
  #fd: number | null;
  #buffer: Buffer;

  constructor(path: string, initialBytes = 1024) {
    this.path = path;
    this.#buffer = Buffer.allocUnsafe(initialBytes);
    this.#fd = openSync(path, 'r');
  }

  /** The file's text now, or null once it cannot be read (process gone). Never throws. */
  read(): string | null {
    if (this.#fd === null) return null;
    try {
      for (;;) {
        const n = readSync(this.#fd, this.#buffer, 0, this.#buffer.length, 0);
        if (n < this.#buffer.length) return this.#buffer.toString('latin1', 0, n);
        // The text did not fit: grow and read again from the start so the text is one snapshot.
        this.#buffer = Buffer.allocUnsafe(this.#buffer.length * 2);
      }
    } catch {
      this.close();
      return null;
    }
  }

  close(): void {
    if (this.#fd === null) return;
    try {
      closeSync(this.#fd);
    } catch {
      // already closed by the kernel side; nothing to release
    }
    this.#fd = null;
  }
}

/** Opens /proc/PID/stat, or null if that process does not exist (any more). */
export function openPidStat(pid: number): ProcFile | null {
  try {
    return new ProcFile(`/proc/${pid}/stat`, 512);
  } catch {
    return null;
  }
}

export function readProcStat(): CoreTimes[] {
  return parseProcStat(readFileSync('/proc/stat', 'latin1'));
}

export function readPidStat(pid: number): PidStat | null {
  try {
    return parsePidStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return null;
  }
}

/** PIDs of every process (thread-group leaders only: /proc lists threads under task/). */
export function listPids(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    const code = name.charCodeAt(0);
    if (code >= 48 && code <= 57) pids.push(Number(name));
  }
  return pids;
}

export interface KernelUnits {
  /** Clock ticks per second of /proc/PID/stat and /proc/stat times (USER_HZ). */
  clockTicksPerSec: number;
  pageBytes: number;
}

/**
 * Reads AT_CLKTCK and AT_PAGESZ from this process's ELF auxiliary vector:
 * the kernel's own answer, where `getconf` would need a shell. Falls back to
 * 100 and 4096 (the Linux values on x86 and arm) if auxv is unreadable.
 */
export function readKernelUnits(): KernelUnits {
  const units: KernelUnits = { clockTicksPerSec: 100, pageBytes: 4096 };
  // auxv entries are two machine words; only the 64-bit layout is parsed here.
  if (!['x64', 'arm64', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el'].includes(process.arch))
    return units;
  try {
    const auxv = readFileSync('/proc/self/auxv');
    // 64-bit little/big endian pairs of (type, value); assume the platform's own endianness.
    const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    for (let off = 0; off + 16 <= auxv.length; off += 16) {
      const type = Number(little ? auxv.readBigUInt64LE(off) : auxv.readBigUInt64BE(off));
      const value = Number(little ? auxv.readBigUInt64LE(off + 8) : auxv.readBigUInt64BE(off + 8));
      if (type === 0) break;
      if (type === 6 && value > 0) units.pageBytes = value;
      if (type === 17 && value > 0) units.clockTicksPerSec = value;
    }
  } catch {
    // keep the defaults: auxv is not readable in some sandboxes
  }
  return units;
}

/** Seconds since boot from /proc/uptime, in clock ticks: the clock that stat's starttime uses. */
export function readUptimeTicks(clockTicksPerSec: number): number {
  const seconds = Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]);
  return Math.floor(seconds * clockTicksPerSec);
}
