/**
 * The one exit hook of a driver process. Whatever ends the driver — a
 * normal exit, an uncaught error, Ctrl-C, SIGTERM, a closed terminal
 * (SIGHUP) — every subject process group still alive is killed and every
 * registered cleanup (remove a temporary directory, mark a run interrupted)
 * runs. Cleanups are synchronous because a signal handler or an 'exit'
 * listener cannot wait for promises. On a signal the driver then exits with
 * 128 + the signal's number, as shells report it. SIGKILL is covered by the
 * reaper (reaper.ts).
 *
 * Installed on first use (tracking a group or registering a cleanup), so a
 * command that never starts a subject keeps the runtime's default signals.
 */
import { constants } from 'node:os';
import { killGroup } from './process-group.ts';
import { reaperForget, reaperWatch } from './reaper.ts';

type Cleanup = () => void;
type SignalHandler = (signal: NodeJS.Signals) => void;

const liveGroups = new Set<number>();
const cleanups = new Set<Cleanup>();
const interruptHandlers = new Set<SignalHandler>();
let takeover: SignalHandler | undefined;
let installed = false;

const exitSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function bestEffort(run: () => void): void {
  try {
    run();
  } catch {
    // One failing cleanup must not stop the others.
  }
}

function killLiveGroups(): void {
  for (const pgid of liveGroups) killGroup(pgid);
  liveGroups.clear();
}

function runCleanups(): void {
  for (const cleanup of [...cleanups].reverse()) {
    cleanups.delete(cleanup);
    bestEffort(cleanup);
  }
}

function onSignal(signal: NodeJS.Signals): void {
  const handler = takeover;
  if (handler) {
    // The first signal is the command's (e.g. a graceful stop); a second one ends everything below.
    takeover = undefined;
    handler(signal);
    return;
  }
  // Groups first: the subjects stop using the CPU and the files before anything else happens.
  killLiveGroups();
  for (const handle of interruptHandlers) bestEffort(() => handle(signal));
  runCleanups();
  process.exit(128 + (constants.signals[signal] ?? 15));
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const signal of exitSignals) process.on(signal, onSignal);
  process.on('exit', () => {
    killLiveGroups();
    runCleanups();
  });
}

/** A subject group just started: it is killed if the driver ends while it lives (SIGKILL included). */
export function trackGroup(pgid: number): void {
  install();
  liveGroups.add(pgid);
  reaperWatch(pgid);
}

/** The group was stopped and swept: nothing to kill any more. */
export function untrackGroup(pgid: number): void {
  if (liveGroups.delete(pgid)) reaperForget(pgid);
}

/**
 * Registers a synchronous cleanup that runs however the driver ends (an
 * exit, a thrown error, a signal); the returned function cancels it
 * without running it.
 */
export function atExit(cleanup: Cleanup): () => void {
  install();
  cleanups.add(cleanup);
  return () => void cleanups.delete(cleanup);
}

/**
 * A cleanup due when the work is done or when the driver ends, whichever
 * comes first (a temporary directory): the returned function runs it now,
 * once.
 */
export function whileRunning(cleanup: Cleanup): () => void {
  const cancel = atExit(cleanup);
  return () => {
    if (cleanups.has(cleanup)) {
      cancel();
      cleanup();
    }
  };
}

/**
 * Registers what a command says or records when a signal ends it (after its
 * subjects are killed, before cleanups and the exit). Returns the unregister.
 */
export function onInterrupt(handler: SignalHandler): () => void {
  install();
  interruptHandlers.add(handler);
  return () => void interruptHandlers.delete(handler);
}

/**
 * While registered, the first SIGINT/SIGTERM/SIGHUP goes to `handler` instead
 * of ending the driver (`conlab serve` stops its server gracefully); a second
 * signal ends everything as usual. Returns the unregister.
 */
export function takeOverSignals(handler: SignalHandler): () => void {
  install();
  takeover = handler;
  return () => {
    if (takeover === handler) takeover = undefined;
  };
}
