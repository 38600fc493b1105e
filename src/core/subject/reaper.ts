/**
 * The guard for the one death a driver cannot handle: SIGKILL (or a crash of
 * the runtime itself) runs no handler, so the driver cannot kill its subject
 * groups. A subject notices its stdin closing and stops, but only when its
 * event loop is free — a sequential batch model or a blocking pipeline can
 * keep it busy for the whole run. So each driver process keeps one tiny
 * sidecar: a POSIX shell reading "+PGID" / "-PGID" lines on a pipe from the
 * driver. When the pipe closes (the driver is gone, however it died) it
 * SIGKILLs every group still listed and exits. It runs in its own session,
 * outside every measured process tree, and costs one sleeping `sh`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

const script = `
live=' '
while IFS= read -r line; do
  id=\${line#?}
  case $line in
    +*) live="$live$id " ;;
    -*) case $live in *" $id "*) live="\${live%% $id *} \${live#* $id }" ;; esac ;;
  esac
done
for id in $live; do kill -9 -"$id" 2>/dev/null; done
`;

let reaper: ChildProcess | null | undefined;

function start(): ChildProcess | null {
  const child = spawn('/bin/sh', ['-c', script], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  // Without /bin/sh the subjects' own watch (stdin end, parent PID) is the only guard left.
  child.on('error', () => undefined);
  if (child.pid === undefined) return null;
  child.stdin?.on('error', () => undefined);
  // Neither the sidecar nor its pipe may keep the driver alive.
  child.unref();
  (child.stdin as Socket | null)?.unref();
  return child;
}

function tell(line: string): void {
  if (reaper === undefined) reaper = start();
  if (reaper?.stdin?.writable) reaper.stdin.write(`${line}\n`);
}

/** From now on the group dies with the driver, even if the driver is SIGKILLed. */
export function reaperWatch(pgid: number): void {
  if (Number.isSafeInteger(pgid) && pgid > 1) tell(`+${pgid}`);
}

/** The group is gone (stopped and swept): forget it, so a recycled PID is never hit. */
export function reaperForget(pgid: number): void {
  if (reaper && Number.isSafeInteger(pgid)) tell(`-${pgid}`);
}
