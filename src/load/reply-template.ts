/**
 * The fast path for replies that repeat: a server under load usually sends
 * the same bytes again and again (`GET /hello` → the same head and body; only
 * a `Date` header changes, once a second). The parser keeps the bytes of the
 * last reply that was parsed in full and verified a success, and a reply
 * that is byte-identical to it is that same verified success: parsing is a
 * function of the bytes, and so is every check (status, framing,
 * keep-alive, body). Comparing ~150 bytes four at a time costs about a tenth
 * of parsing them.
 *
 * A reply that differs in any byte (another status, another length, another
 * body of the same length, chunked instead of Content-Length) does not match
 * and goes through the parser and the verifier like any other.
 *
 * One template per generator thread, shared by its connections, so a new
 * `Date` costs one full parse per thread, not one per connection. Its memory
 * is allocated once; learning copies into it.
 */

/** Replies longer than this are never templates: the compare would stop being cheap. */
export const MAX_TEMPLATE_BYTES = 4096;

export class ReplyTemplate {
  /** Length of the template in bytes; 0 while there is none. */
  length = 0;
  /** keep-alive of the templated reply (false when the server closes after it). */
  keepAlive = true;
  /** Status of the templated reply, reported for matches as for a parsed reply. */
  status = 0;
  private readonly bytes = new Uint8Array(MAX_TEMPLATE_BYTES);
  /** The template as little-endian 32-bit words, compared against the reply read at any offset. */
  private readonly words = new Int32Array(MAX_TEMPLATE_BYTES / 4);
  private readonly wordView = new DataView(this.bytes.buffer);
  /** A DataView over the last buffer compared against: one per buffer, not one per reply. */
  private view: DataView | undefined;
  private viewOf: Uint8Array | undefined;

  /** Whether `buf[pos, pos + length)` repeats the template (the caller has checked that many bytes are there). */
  matches(buf: Uint8Array, pos: number): boolean {
    const length = this.length;
    if (length === 0) return false;
    let view = this.view;
    if (this.viewOf !== buf || view === undefined) {
      view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      this.view = view;
      this.viewOf = buf;
    }
    const words = this.words;
    const wordCount = length >>> 2;
    for (let i = 0; i < wordCount; i++) {
      if (view.getInt32(pos + i * 4, true) !== words[i]) return false;
    }
    const bytes = this.bytes;
    for (let i = wordCount * 4; i < length; i++) {
      if (buf[pos + i] !== bytes[i]) return false;
    }
    return true;
  }

  /** Remembers `buf[start, end)`, a complete reply just verified a success, as the template. */
  learn(buf: Uint8Array, start: number, end: number, status: number, keepAlive: boolean): void {
    const length = end - start;
    if (length <= 0 || length > MAX_TEMPLATE_BYTES) return;
    this.bytes.set(buf.subarray(start, end));
    const wordCount = length >>> 2;
    for (let i = 0; i < wordCount; i++) this.words[i] = this.wordView.getInt32(i * 4, true);
    this.length = length;
    this.status = status;
    this.keepAlive = keepAlive;
  }
}
