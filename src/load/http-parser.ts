/**
 * A small incremental HTTP/1.x response parser for the load generator's hot
 * path: it works on bytes (no per-header strings), handles responses split
 * across or packed into chunks (pipelining), and knows the three ways a body
 * ends: Content-Length, chunked transfer coding, and connection close
 * (HTTP/1.0 servers such as seed 004's). It keeps the body only when the
 * caller has to verify it.
 *
 * With a ReplyTemplate, a reply byte-identical to the last one verified a
 * success is reported as a repeat of it without being parsed
 * (src/load/reply-template.ts says why that is still a verification).
 */
import type { ReplyTemplate } from './reply-template.ts';

/** Valid only during the onResponse callback: the parser reuses the object. */
export interface ParsedResponse {
  status: number;
  /** False when the server will close after this response (Connection: close, HTTP/1.0, close-delimited body). */
  keepAlive: boolean;
  /** The body, only when the parser was asked to keep it (capped at BODY_KEEP_LIMIT bytes); undefined on a repeat. */
  body: Buffer | undefined;
  bodyTruncated: boolean;
  /** Byte-identical to the template, i.e. to a reply already verified a success: nothing left to check. */
  repeat: boolean;
}

/**
 * Called for each complete response. Returns whether it was verified a
 * success: only such a response may become the template.
 */
export type ResponseHandler = (response: ParsedResponse) => boolean;

export const BODY_KEEP_LIMIT = 1 << 20;
/** Bytes kept of a body the caller does not verify but wants to quote (an unexpected status). */
export const BODY_PEEK_BYTES = 64;
const MAX_HEAD_BYTES = 64 * 1024;

const CR = 13;
const LF = 10;

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailers' | 'close';

/** Case-insensitive compare of an ASCII lowercase name with bytes in buf[start, start+name.length). */
function nameIs(buf: Buffer, start: number, end: number, name: string): boolean {
  if (end - start !== name.length) return false;
  for (let i = 0; i < name.length; i++) {
    if (((buf[start + i] ?? 0) | 0x20) !== name.charCodeAt(i)) return false;
  }
  return true;
}

// Response heads are ~100 bytes: a plain loop beats Buffer#indexOf, whose argument handling dominates at this size.
function findByte(buf: Buffer, byte: number, from: number, to: number): number {
  for (let i = from; i < to; i++) if (buf[i] === byte) return i;
  return -1;
}

/** Index of the CRLFCRLF that ends a response head, or -1. */
function findHeadEnd(buf: Buffer, from: number, end: number): number {
  for (let i = from + 3; i < end; i++) {
    if (buf[i] === LF && buf[i - 1] === CR && buf[i - 2] === LF && buf[i - 3] === CR) return i - 3;
  }
  return -1;
}

function skipSpaces(buf: Buffer, i: number, end: number): number {
  while (i < end && (buf[i] === 32 || buf[i] === 9)) i++;
  return i;
}

/** Whether the header value buf[start, end) contains the lowercase `token`, ignoring ASCII case; no string is built. */
function valueHasToken(buf: Buffer, start: number, end: number, token: string): boolean {
  const last = end - token.length;
  for (let i = start; i <= last; i++) {
    let j = 0;
    for (; j < token.length; j++) {
      const c = buf[i + j] ?? 0;
      if ((c >= 65 && c <= 90 ? c | 0x20 : c) !== token.charCodeAt(j)) break;
    }
    if (j === token.length) return true;
  }
  return false;
}

export class HttpResponseParser {
  private state: State = 'head';
  private pending: Buffer | undefined;
  private remaining = 0;
  private status = 0;
  private keepAlive = true;
  private bodyParts: Buffer[] = [];
  private bodyKept = 0;
  private bodyTruncated = false;
  /** Body bytes to keep for the response being parsed: all (up to BODY_KEEP_LIMIT), a peek, or none. */
  private keepLimit = 0;
  private readonly response: ParsedResponse = {
    status: 0,
    keepAlive: true,
    body: undefined,
    bodyTruncated: false,
    repeat: false,
  };
  /** Where the response being parsed began in the current buffer; -1 when it began in an earlier one. */
  private responseStart = -1;
  /** Set for HEAD requests: responses carry headers only. */
  noBody = false;
  readonly keepBody: boolean;
  /**
   * When set and true for a response's status, the first BODY_PEEK_BYTES of
   * its body are kept even without keepBody, so an error sample can quote
   * them. Asked once per parsed response head (never for a template repeat).
   */
  peekOn: ((status: number) => boolean) | undefined;
  private readonly onResponse: ResponseHandler;
  private readonly onMalformed: (reason: string) => void;
  private readonly template: ReplyTemplate | undefined;

  constructor(
    keepBody: boolean,
    onResponse: ResponseHandler,
    onMalformed: (reason: string) => void,
    template?: ReplyTemplate,
  ) {
    this.keepBody = keepBody;
    this.onResponse = onResponse;
    this.onMalformed = onMalformed;
    this.template = template;
  }

  reset(): void {
    this.state = 'head';
    this.pending = undefined;
    this.responseStart = -1;
    this.bodyParts = [];
    this.bodyKept = 0;
    this.bodyTruncated = false;
  }

  /** True when part of a response has arrived (a close now is a short read, unless the body is close-delimited). */
  get midResponse(): boolean {
    return this.state !== 'head' || this.pending !== undefined;
  }

  /**
   * Feeds received bytes; calls onResponse for each complete response.
   * Returns false after a malformed response. The chunk is not retained (a
   * partial response is copied), so callers may reuse its memory.
   */
  feed(chunk: Buffer, length: number = chunk.length): boolean {
    let buf = chunk;
    let end = length;
    if (this.pending !== undefined) {
      buf = Buffer.concat([this.pending, chunk.subarray(0, length)]);
      end = buf.length;
      this.pending = undefined;
    }
    // A body in progress began in an earlier buffer: that response cannot become the template.
    if (this.state !== 'head') this.responseStart = -1;
    const template = this.template;
    let pos = 0;
    while (pos < end) {
      switch (this.state) {
        case 'head': {
          if (template !== undefined && end - pos >= template.length && template.matches(buf, pos)) {
            pos += template.length;
            this.repeat(template);
            break;
          }
          this.responseStart = pos;
          const headEnd = findHeadEnd(buf, pos, end);
          if (headEnd < 0) {
            if (end - pos > MAX_HEAD_BYTES) return this.malformed('response head over 64 KiB');
            this.pending = Buffer.from(buf.subarray(pos));
            return true;
          }
          if (!this.parseHead(buf, pos, headEnd)) return false;
          pos = headEnd + 4;
          break;
        }
        case 'length': {
          const take = Math.min(this.remaining, end - pos);
          this.keep(buf, pos, pos + take);
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) this.complete(buf, pos);
          break;
        }
        case 'close': {
          this.keep(buf, pos, end);
          pos = end;
          break;
        }
        case 'chunk-size': {
          const lineEnd = findByte(buf, LF, pos, end);
          if (lineEnd < 0) {
            if (end - pos > 1024) return this.malformed('chunk size line too long');
            this.pending = Buffer.from(buf.subarray(pos));
            return true;
          }
          let size = 0;
          let digits = 0;
          let i = pos;
          for (; i < lineEnd; i++) {
            const c = buf[i] ?? 0;
            const v =
              c >= 48 && c <= 57 ? c - 48 : (c | 0x20) >= 97 && (c | 0x20) <= 102 ? (c | 0x20) - 87 : -1;
            if (v < 0) break;
            size = size * 16 + v;
            digits++;
          }
          const stop = buf[i];
          if (digits === 0 || digits > 12 || (stop !== CR && stop !== 59 && stop !== 32 && stop !== 9)) {
            return this.malformed('bad chunk size');
          }
          pos = lineEnd + 1;
          if (size === 0) {
            this.state = 'trailers';
          } else {
            this.remaining = size;
            this.state = 'chunk-data';
          }
          break;
        }
        case 'chunk-data': {
          const take = Math.min(this.remaining, end - pos);
          this.keep(buf, pos, pos + take);
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            this.remaining = 2;
            this.state = 'chunk-crlf';
          }
          break;
        }
        case 'chunk-crlf': {
          // Exactly CRLF after each chunk's data.
          const expected = this.remaining === 2 ? CR : LF;
          if (buf[pos] !== expected) return this.malformed('chunk not followed by CRLF');
          pos++;
          this.remaining--;
          if (this.remaining === 0) this.state = 'chunk-size';
          break;
        }
        case 'trailers': {
          const lineEnd = findByte(buf, LF, pos, end);
          if (lineEnd < 0) {
            if (end - pos > MAX_HEAD_BYTES) return this.malformed('trailers over 64 KiB');
            this.pending = Buffer.from(buf.subarray(pos));
            return true;
          }
          const empty = lineEnd === pos || (lineEnd === pos + 1 && buf[pos] === CR);
          pos = lineEnd + 1;
          if (empty) this.complete(buf, pos);
          break;
        }
      }
    }
    return true;
  }

  /** The connection closed: completes a close-delimited body. Returns whether a response was completed. */
  finishOnClose(): boolean {
    if (this.state !== 'close') return false;
    this.keepAlive = false;
    // A close-delimited reply is never a template: its end is the close, not its bytes.
    this.complete(undefined, 0);
    return true;
  }

  private malformed(reason: string): false {
    this.reset();
    this.onMalformed(reason);
    return false;
  }

  private keep(buf: Buffer, start: number, end: number): void {
    if (this.keepLimit === 0 || start === end) return;
    const room = this.keepLimit - this.bodyKept;
    if (room <= 0) {
      this.bodyTruncated = true;
      return;
    }
    const stop = Math.min(end, start + room);
    if (stop < end) this.bodyTruncated = true;
    // Copy: the socket may reuse its chunk buffer.
    this.bodyParts.push(Buffer.from(buf.subarray(start, stop)));
    this.bodyKept += stop - start;
  }

  /** A response ended at buf[end) (buf undefined: at the connection's close). */
  private complete(buf: Buffer | undefined, end: number): void {
    // One response object, reused: the callback reads it synchronously and keeps nothing.
    const response = this.response;
    const { status, keepAlive } = this;
    response.status = status;
    response.keepAlive = keepAlive;
    const parts = this.bodyParts;
    response.body = this.keepLimit > 0 ? (parts.length === 1 ? parts[0] : Buffer.concat(parts)) : undefined;
    response.bodyTruncated = this.bodyTruncated;
    response.repeat = false;
    this.state = 'head';
    if (parts.length > 0) this.bodyParts = [];
    this.bodyKept = 0;
    this.bodyTruncated = false;
    const start = this.responseStart;
    this.responseStart = -1;
    const success = this.onResponse(response);
    if (success && buf !== undefined && start >= 0) this.template?.learn(buf, start, end, status, keepAlive);
  }

  /** A reply byte-identical to the template: reported as what it repeats. */
  private repeat(template: ReplyTemplate): void {
    const response = this.response;
    response.status = template.status;
    response.keepAlive = template.keepAlive;
    response.body = undefined;
    response.bodyTruncated = false;
    response.repeat = true;
    this.onResponse(response);
  }

  private parseHead(buf: Buffer, start: number, headEnd: number): boolean {
    // "HTTP/1." compared byte by byte: Buffer.compare's argument validation costs more than the compare.
    if (
      headEnd - start < 12 ||
      buf[start] !== 72 ||
      buf[start + 1] !== 84 ||
      buf[start + 2] !== 84 ||
      buf[start + 3] !== 80 ||
      buf[start + 4] !== 47 ||
      buf[start + 5] !== 49 ||
      buf[start + 6] !== 46
    ) {
      return this.malformed('not an HTTP/1.x status line');
    }
    const minor = buf[start + 7];
    const d0 = (buf[start + 9] ?? 0) - 48;
    const d1 = (buf[start + 10] ?? 0) - 48;
    const d2 = (buf[start + 11] ?? 0) - 48;
    if (buf[start + 8] !== 32 || d0 < 1 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) {
      return this.malformed('bad status line');
    }
    this.status = d0 * 100 + d1 * 10 + d2;
    this.keepLimit = this.keepBody
      ? BODY_KEEP_LIMIT
      : this.peekOn !== undefined && this.peekOn(this.status)
        ? BODY_PEEK_BYTES
        : 0;
    let keepAlive = minor === 49; // '1' → HTTP/1.1 defaults to keep-alive
    let contentLength = -1;
    let chunked = false;

    let lineStart = findByte(buf, LF, start, headEnd) + 1;
    while (lineStart > 0 && lineStart < headEnd) {
      let lineEnd = findByte(buf, LF, lineStart, headEnd + 2);
      if (lineEnd < 0) lineEnd = headEnd + 2;
      const valueEnd = buf[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
      const colon = findByte(buf, 58, lineStart, valueEnd);
      if (colon > lineStart && colon < valueEnd) {
        const valueStart = skipSpaces(buf, colon + 1, valueEnd);
        if (nameIs(buf, lineStart, colon, 'content-length')) {
          let n = 0;
          let digits = 0;
          let i = valueStart;
          for (; i < valueEnd; i++) {
            const c = (buf[i] ?? 0) - 48;
            if (c < 0 || c > 9) break;
            n = n * 10 + c;
            digits++;
          }
          if (digits === 0 || digits > 15 || skipSpaces(buf, i, valueEnd) !== valueEnd) {
            return this.malformed('bad content-length');
          }
          if (contentLength >= 0 && contentLength !== n) return this.malformed('conflicting content-length');
          contentLength = n;
        } else if (nameIs(buf, lineStart, colon, 'transfer-encoding')) {
          chunked = valueHasToken(buf, valueStart, valueEnd, 'chunked');
        } else if (nameIs(buf, lineStart, colon, 'connection')) {
          if (valueHasToken(buf, valueStart, valueEnd, 'close')) keepAlive = false;
          else if (valueHasToken(buf, valueStart, valueEnd, 'keep-alive')) keepAlive = true;
        }
      }
      lineStart = lineEnd + 1;
    }

    this.keepAlive = keepAlive;
    if (this.status < 200) {
      // 1xx: an interim response; the real one follows on the same connection.
      this.state = 'head';
      return true;
    }
    if (this.noBody || this.status === 204 || this.status === 304) {
      this.complete(buf, headEnd + 4);
    } else if (chunked) {
      this.state = 'chunk-size';
    } else if (contentLength >= 0) {
      if (contentLength === 0) {
        this.complete(buf, headEnd + 4);
      } else {
        this.remaining = contentLength;
        this.state = 'length';
      }
    } else {
      // No length and not chunked: the body runs until the server closes (RFC 9112 §6.3).
      this.keepAlive = false;
      this.state = 'close';
    }
    return true;
  }
}
