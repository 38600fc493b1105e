/**
 * The subject's side of the launcher protocol, for code that runs INSIDE a
 * subject under any runtime (Node, Bun, Deno): messages from the driver
 * arrive as lines on stdin, messages to it leave as lines on stdout, and
 * the subject learns that its driver is gone — its stdin ended, or it was
 * re-parented (the driver was SIGKILLed and something else adopted us) —
 * so it can stop its units and exit instead of running on unobserved.
 */
import { encodeLine, readMessages, type Message } from './protocol.ts';

export interface DriverLinkOptions<In> {
  accepts: (value: unknown) => value is In;
  onMessage(message: In): void;
  /** Called once, with why, when the driver is gone. */
  onDriverGone(why: string): void;
  /** How often the parent PID is checked; default 1 s. */
  parentCheckMs?: number;
}

export interface DriverLink<Out extends Message> {
  send(message: Out): void;
  /** Stops listening (the subject has said its last word and may exit on its own). */
  close(): void;
}

export function linkToDriver<In extends Message, Out extends Message>(
  options: DriverLinkOptions<In>,
): DriverLink<Out> {
  let gone = false;
  const driverGone = (why: string): void => {
    if (gone) return;
    gone = true;
    options.onDriverGone(why);
  };
  readMessages(process.stdin, options.accepts, (message) => options.onMessage(message));
  const onEnd = (): void => driverGone('its stdin closed');
  process.stdin.on('end', onEnd);
  process.stdin.on('error', onEnd);
  const parentPid = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parentPid) driverGone(`its parent ${parentPid} is gone`);
  }, options.parentCheckMs ?? 1000);
  // The watch must never keep a subject alive.
  watch.unref();
  return {
    send: (message) => void process.stdout.write(encodeLine(message)),
    close: () => {
      clearInterval(watch);
      process.stdin.off('end', onEnd);
      process.stdin.off('error', onEnd);
      process.stdin.pause();
      process.stdin.destroy();
    },
  };
}
