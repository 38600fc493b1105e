/**
 * Follows one process tree (a root PID and all its descendants) through
 * /proc and accounts its CPU without losing children that exit.
 *
 * Accounting (why it is correct, and where it is not):
 * - The tree's cumulative CPU is  T = Σ over live members of
 *   (utime + stime + cutime + cstime). A child that exits is reaped by its
 *   parent, and the kernel adds the child's whole total (its own time plus
 *   its own reaped children) to the parent's cutime/cstime. If that parent
 *   is a member, the child's CPU moves from one term of T to another: T is
 *   continuous and nothing is lost or counted twice.
 * - A member that disappears while its parent is NOT a member (the root,
 *   reaped by the driver; an orphan reaped by init) would make T drop: its
 *   last-read total is kept as "departed". Only the CPU it used between our
 *   last read and its exit (< one interval) is lost.
 * - A member first seen after the window started counts in full if it was
 *   started (stat field starttime) after the window started: all of its CPU
 *   is then inside the window, even though we discover it late. Children of
 *   members' main threads are found every tick (the children file); the
 *   expensive full /proc scan, for the rest, runs only every few ticks.
 * - The window's CPU is T(now) + departed − T(start); per-interval deltas can
 *   dip when a child is reaped between our read of it and of its parent, so a
 *   dip is carried as debt into the next interval (the total telescopes).
 * - RSS is summed over members: pages shared between processes (code, forked
 *   copy-on-write memory) are counted once per process, an upper bound.
 */
import { ProcFile, listPids, openPidStat, parsePidStat, readPidStat, type PidStat } from './proc.ts';

interface Member {
  pid: number;
  file: ProcFile;
  /** /proc/PID/task/PID/children: the children its main thread started; null where the kernel lacks it. */
  children: ProcFile | null;
  startTicks: number;
  ppid: number;
  totalTicks: number;
  rssPages: number;
  threads: number;
}

export interface TreeReading {
  /** CPU ticks used by the tree since the window started. */
  cumulativeTicks: number;
  rssPages: number;
  processCount: number;
  threadCount: number;
}

/** How many full scans reuse the cache of PIDs known to be outside the tree before it is dropped (PID reuse). */
const OUTSIDE_CACHE_SCANS = 10;

export class ProcessTreeTracker {
  readonly #roots: number[];
  readonly #exclude: Set<number>;
  readonly #windowStartTicks: number;
  readonly #members = new Map<number, Member>();
  /** PIDs seen outside the tree, with their start time, so a full scan need not re-read them. */
  #outside = new Map<number, number>();
  #scansSinceCacheClear = 0;
  /** Whether the last full scan admitted anyone: trees grow in bursts, so look again next tick. */
  grewAtLastScan = false;
  #baselineTicks = 0;
  #departedTicks = 0;
  readonly seen = new Set<number>();

  constructor(roots: number[], exclude: Iterable<number>, windowStartBootTicks: number) {
    this.#roots = roots;
    this.#exclude = new Set(exclude);
    this.#windowStartTicks = windowStartBootTicks;
  }

  /** Closes the kept /proc descriptors; the tracker cannot be read afterwards. */
  close(): void {
    for (const member of this.#members.values()) {
      member.file.close();
      member.children?.close();
    }
    this.#members.clear();
  }

  /** The members now, parents first (admission order). */
  memberPids(): number[] {
    return [...this.#members.keys()];
  }

  /** Whether a PID is currently a member. */
  has(pid: number): boolean {
    return this.#members.has(pid);
  }

  /** Reads the known members and, when asked, rescans /proc for new descendants. */
  read(fullScan: boolean): TreeReading {
    this.#readMembers();
    this.#discoverChildren();
    if (fullScan || this.#members.size === 0) this.#scan();
    let total = this.#departedTicks - this.#baselineTicks;
    let rssPages = 0;
    let threadCount = 0;
    for (const member of this.#members.values()) {
      total += member.totalTicks;
      rssPages += member.rssPages;
      threadCount += member.threads;
    }
    return { cumulativeTicks: total, rssPages, processCount: this.#members.size, threadCount };
  }

  /** Reads one member; false once it is gone (or its PID now belongs to another process). */
  #update(member: Member): boolean {
    const text = member.file.read();
    const stat = text === null ? null : parsePidStat(text);
    if (!stat || stat.startTicks !== member.startTicks) return false;
    member.ppid = stat.ppid;
    member.totalTicks = stat.ownTicks + stat.childTicks;
    // A zombie has freed its memory and threads; its CPU figures stay until it is reaped.
    member.rssPages = stat.state === 'Z' ? 0 : stat.rssPages;
    member.threads = stat.state === 'Z' ? 0 : stat.numThreads;
    return true;
  }

  /**
   * Members are read parents first (admission order). A child whose read
   * fails was reaped before that read, and the kernel adds a child's CPU to
   * the parent's cutime before its /proc entry goes; but the parent was read
   * earlier in the same pass, maybe before the reap. So the parent is read
   * again: that second read surely includes the child, and the child adds
   * nothing itself. A parent that is gone too was last read (in an earlier
   * pass) before its child's last read, so without the child: the child's
   * last total then departs with it.
   */
  #readMembers(): void {
    const gone: Member[] = [];
    for (const member of this.#members.values()) {
      if (!this.#update(member)) gone.push(member);
    }
    const goneSet = new Set(gone);
    const reread = new Set<Member>();
    for (const member of gone) {
      const parent = this.#members.get(member.ppid);
      if (!parent || goneSet.has(parent) || reread.has(parent)) continue;
      reread.add(parent);
      if (!this.#update(parent)) {
        // Gone between two reads microseconds apart: its first read stands (see docs for this residual race).
        gone.push(parent);
        goneSet.add(parent);
      }
    }
    for (const member of gone) {
      const parent = this.#members.get(member.ppid);
      if (!parent || goneSet.has(parent)) this.#departedTicks += member.totalTicks;
    }
    for (const member of gone) {
      member.file.close();
      member.children?.close();
      this.#members.delete(member.pid);
    }
  }

  /**
   * Children started by members' main threads (how pools and spawn-per-task
   * models start processes) are found every tick from each member's
   * children file: one small read per member instead of a /proc listing, so
   * even a process that lives for one interval is seen and its PID recorded.
   * Children started from other threads wait for the next full scan.
   */
  #discoverChildren(): void {
    // Map iteration visits members admitted during it: grandchildren are found in the same pass.
    for (const member of this.#members.values()) {
      const text = member.children?.read();
      if (!text) continue;
      for (const word of text.split(' ')) {
        const pid = Number(word);
        if (!(pid > 0) || this.#members.has(pid) || this.#exclude.has(pid)) continue;
        const stat = readPidStat(pid);
        const file = stat && stat.ppid === member.pid ? openPidStat(pid) : null;
        if (stat && file) this.#admit(stat, file);
      }
    }
  }

  #scan(): void {
    if (++this.#scansSinceCacheClear > OUTSIDE_CACHE_SCANS) {
      this.#outside = new Map();
      this.#scansSinceCacheClear = 0;
    }
    const sizeBefore = this.#members.size;
    const candidates = new Map<number, PidStat>();
    for (const pid of listPids()) {
      if (this.#members.has(pid) || this.#outside.has(pid)) continue;
      const stat = readPidStat(pid);
      if (stat) candidates.set(pid, stat);
    }
    // Fixpoint: a new child's parent may itself be new in this scan.
    let grew = true;
    while (grew) {
      grew = false;
      for (const [pid, stat] of candidates) {
        if (this.#exclude.has(pid)) continue;
        const isRoot = this.#roots.includes(pid);
        if (isRoot || this.#members.has(stat.ppid)) {
          candidates.delete(pid);
          grew = true;
          const file = openPidStat(pid);
          // Exited between listing and opening: a reaped child's CPU is already in its parent.
          if (file) this.#admit(stat, file);
        }
      }
    }
    for (const [pid, stat] of candidates) this.#outside.set(pid, stat.startTicks);
    this.grewAtLastScan = this.#members.size > sizeBefore;
  }

  #admit(stat: PidStat, file: ProcFile): void {
    const totalTicks = stat.ownTicks + stat.childTicks;
    // Started before the window: its earlier CPU is not ours to count.
    if (stat.startTicks < this.#windowStartTicks) this.#baselineTicks += totalTicks;
    let children: ProcFile | null = null;
    try {
      children = new ProcFile(`/proc/${stat.pid}/task/${stat.pid}/children`, 256);
    } catch {
      // CONFIG_PROC_CHILDREN is off (or the process just went): the periodic full scan still finds children.
    }
    this.#members.set(stat.pid, {
      pid: stat.pid,
      file,
      children,
      startTicks: stat.startTicks,
      ppid: stat.ppid,
      totalTicks,
      rssPages: stat.state === 'Z' ? 0 : stat.rssPages,
      threads: stat.state === 'Z' ? 0 : stat.numThreads,
    });
    this.seen.add(stat.pid);
  }
}
