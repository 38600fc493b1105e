/**
 * Cleanup that must happen even when the user presses Ctrl-C or the driver
 * dies on an error: kill a subject's process group, remove a temporary
 * directory. Cleanups are synchronous because a signal handler or an 'exit'
 * listener cannot wait for promises.
 */
type Cleanup = () => void;

const cleanups = new Set<Cleanup>();
let installed = false;

function runAll(): void {
  for (const cleanup of [...cleanups].reverse()) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // Best effort: one failing cleanup must not stop the others.
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  // 128 + signal number, as shells report it.
  process.exit(signal === 'SIGINT' ? 130 : signal === 'SIGHUP' ? 129 : 143);
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  process.on('exit', runAll);
}

/** Registers a cleanup until the returned function is called (which runs it). */
export function whileRunning(cleanup: Cleanup): () => void {
  install();
  cleanups.add(cleanup);
  return () => {
    if (!cleanups.delete(cleanup)) return;
    cleanup();
  };
}

/** Kills a whole process group (a subject started with `detached: true` and everything it started). */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
