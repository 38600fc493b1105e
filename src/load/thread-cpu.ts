/**
 * CPU time used by the calling thread alone. process.cpuUsage() inside a
 * worker thread reports the whole process, so it cannot say whether one
 * generator thread is saturated. process.threadCpuUsage() (Node ≥ 23.9, Bun,
 * Deno) reads the calling thread's own clock (getrusage RUSAGE_THREAD);
 * without it, Linux's /proc/thread-self/schedstat gives the thread's run time
 * in ns (a synchronous read happens on the calling thread, so "thread-self"
 * is this thread). Returns null when neither exists.
 */
import { readFileSync } from 'node:fs';

type ThreadCpuUsage = () => { user: number; system: number };

/**
 * Time the calling thread spent runnable but waiting for a CPU (Linux
 * /proc/thread-self/schedstat, second field, ns), in µs; null elsewhere.
 * A client starved of CPU by the server it drives shows neither high CPU
 * nor a busy event loop (the wait happens inside epoll's return), only this.
 */
export function readThreadRunQueueWaitUs(): number | null {
  try {
    const text = readFileSync('/proc/thread-self/schedstat', 'utf8');
    const ns = Number(text.split(' ')[1]);
    return Number.isFinite(ns) ? ns / 1000 : null;
  } catch {
    return null;
  }
}

export function readThreadCpuUs(): number | null {
  const threadCpuUsage = (process as unknown as { threadCpuUsage?: ThreadCpuUsage }).threadCpuUsage;
  if (typeof threadCpuUsage === 'function') {
    try {
      const usage = threadCpuUsage.call(process);
      return usage.user + usage.system;
    } catch {
      // fall through to /proc
    }
  }
  try {
    const text = readFileSync('/proc/thread-self/schedstat', 'utf8');
    const ns = Number(text.split(' ')[0]);
    return Number.isFinite(ns) ? ns / 1000 : null;
  } catch {
    return null;
  }
}
