/**
 * The one message protocol between an architecture's primary and its units,
 * whatever carries it (a child's stdin/stdout lines, cluster IPC, a worker
 * thread's port). Typed on both sides.
 */
export type UnitMessage =
  | { type: 'listening'; port: number; address: string; pid: number; thread: number }
  | { type: 'failed'; reason: string; errorCode?: string };

export type PrimaryMessage = { type: 'stop'; graceMs: number } | { type: 'restarts'; count: number };

/** Line framing for processes that talk over stdio. */
export function encodeLine(message: UnitMessage | PrimaryMessage): string {
  return `${JSON.stringify(message)}\n`;
}

/** Splits a byte stream into JSON messages, one per line; ignores lines that are not ours. */
export function lineDecoder<T>(onMessage: (message: T) => void): (chunk: Buffer | string) => void {
  let buffered = '';
  return (chunk) => {
    buffered += chunk.toString();
    let newline = buffered.indexOf('\n');
    while (newline !== -1) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line.startsWith('{')) {
        try {
          onMessage(JSON.parse(line) as T);
        } catch {
          // Not a protocol line (e.g. a runtime warning on stdout): skip it.
        }
      }
      newline = buffered.indexOf('\n');
    }
  };
}
