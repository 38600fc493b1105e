/**
 * The one message envelope between a driver and every subject (and between
 * a subject and its units, workers or threads): a JSON object whose `t`
 * (its type) names it, with the same four verbs everywhere —
 *
 *   ready     the sender is started and may be measured (its PIDs, its port, ...)
 *   progress  something happened on the way (the clock started, a second passed)
 *   done      the work is over; the body is the result
 *   error     it failed; `reason` says why, and `unsupported: true` makes it a
 *             named skip ("unsupported on RUNTIME@VERSION (detail)"), not a failure
 *
 * Each protocol adds its own verbs only where it needs them (start, go, stop,
 * run, second, stats) and types both directions with these building blocks.
 * On a byte stream a message (or an array of them, for batching) is one line.
 */

/**
 * Any message: the discriminant every protocol shares. One letter because
 * the pools send it with every task, hundreds of thousands a second as JSON:
 * `type` measured 7 % more JSON work per task and 4 % less process-pool
 * throughput (bench/pool-dispatch.ts scale, paired rounds).
 */
export interface Message<Type extends string = string> {
  t: Type;
}

export type Ready<Body extends object = object> = { t: 'ready' } & Body;
export type Progress<Body extends object = object> = { t: 'progress' } & Body;
export type Done<Body extends object = object> = { t: 'done' } & Body;
export type Failure<Body extends object = object> = {
  t: 'error';
  reason: string;
  /** The runtime lacks a capability: the reason reads "unsupported on RUNTIME@VERSION (detail)". */
  unsupported?: boolean;
} & Body;

/** A type guard for the messages whose `t` is one of `types` (the shape of the body is the sender's promise). */
export function messageGuard<M extends Message>(types: readonly M['t'][]): (value: unknown) => value is M {
  const known = new Set<string>(types);
  return (value: unknown): value is M =>
    typeof value === 'object' && value !== null && known.has((value as { t?: unknown }).t as string);
}

/** A batch (array) of messages, as pools send them: one transfer, many messages. */
export function isMessageList(value: unknown): value is Message[] {
  return Array.isArray(value) && value.every((m) => typeof m === 'object' && m !== null && 't' in m);
}

/** "unsupported on RUNTIME@VERSION (detail)": the one form every skip reason takes. */
export function unsupportedOn(runtimeLabel: string, detail: string): string {
  return `unsupported on ${runtimeLabel} (${detail})`;
}

/** Finds an "unsupported on ... (...)" reason inside a longer text (a worker's error passed up the chain). */
export function findUnsupported(text: string): string | undefined {
  return /unsupported on \S+ \(.*\)/.exec(text)?.[0];
}

/** The error message for a thrown value; flagged unsupported when its text says so. */
export function failureOf<Body extends object>(error: unknown, body: Body): Failure<Body> {
  const reason = error instanceof Error ? error.message : String(error);
  return {
    t: 'error',
    reason,
    ...(findUnsupported(reason) === undefined ? {} : { unsupported: true }),
    ...body,
  };
}

/** Line framing: one JSON message (or batch) per line. */
export function encodeLine(message: Message | readonly Message[]): string {
  return `${JSON.stringify(message)}\n`;
}

/**
 * Splits a byte stream into lines (no empty ones). split() once per chunk,
 * because a chunk of a busy pool often carries hundreds of small lines.
 */
export function readLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line !== '') onLine(line);
  });
}

/**
 * Reads messages from a stream: every line that parses as JSON and passes
 * `accepts` goes to onMessage; any other line (a runtime's warning on stdout,
 * a human-readable line) goes to onStray, never into the protocol.
 */
export function readMessages<M>(
  stream: NodeJS.ReadableStream | null,
  accepts: (value: unknown) => value is M,
  onMessage: (message: M) => void,
  onStray: (line: string) => void = () => undefined,
): void {
  readLines(stream, (line) => {
    let value: unknown;
    try {
      value = line.startsWith('{') || line.startsWith('[') ? JSON.parse(line) : undefined;
    } catch {
      value = undefined;
    }
    if (accepts(value)) onMessage(value);
    else onStray(line);
  });
}
