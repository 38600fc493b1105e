/**
 * One client connection of a generator thread: a raw node:net socket that
 * sends pre-built request bytes, frames the replies (HTTP parser or the TCP
 * protocol's fixed reply), verifies each one and reports it to its owner (the
 * thread's engine). It knows nothing of schedules or histograms: the engine
 * decides when to send, the connection says when it can take a request.
 *
 * Two lifecycles: persistent (one socket reused, HTTP keep-alive with
 * optional pipelining, or TCP with one ping after each reply) and
 * per-request (a new socket for every request, like seed 000's client; the
 * request's send time is the connect start, so latency includes the
 * handshake).
 */
import { connect, type Socket } from 'node:net';
import type { ErrorKind } from './types.ts';
import { HttpResponseParser, type ParsedResponse } from './http-parser.ts';
import type { RequestMix } from './mix.ts';
import type { ReplyTemplate } from './reply-template.ts';
import type { RequestBatches } from './request.ts';
import { socketErrorKind, type HttpFailureSample, type HttpVerifier } from './verify.ts';

export interface ConnOwner {
  readonly stopping: boolean;
  now(): number;
  /** A request ended: kind null is a verified success. */
  complete(kind: ErrorKind | null, scheduledMs: number, sentMs: number): void;
  /** A connection attempt failed while no request was in flight on it. */
  connectFailed(kind: ErrorKind): void;
  /** The connection can take (another) request now. */
  free(conn: Connection): void;
  /** A request sent but not answered because the server announced close; send it again. */
  requeue(scheduledMs: number): void;
  bytesRead(count: number): void;
  /** A sample of what went wrong, for the result's error messages. */
  note(message: string): void;
  /** Whether another sample is still wanted (so none is built when the samples are full). */
  wantsSample(): boolean;
}

export interface ConnSpec {
  protocol: 'http' | 'tcp';
  address: string;
  family: 4 | 6;
  port: number;
  perRequest: boolean;
  pipelining: number;
  /** The request, and up to a batch of copies of it back to back (one write for several pipelined requests). */
  requests: RequestBatches;
  headRequest: boolean;
  keepBody: boolean;
  verify: HttpVerifier;
  /** Words for a refused reply (status or body), for the error samples. */
  failureSample: HttpFailureSample;
  /** Statuses that fail verification: their first body bytes are kept for the sample. */
  statusOk: (status: number) => boolean;
  /** The thread's template of the last verified reply (HTTP): repeats of it skip parsing and checks. */
  template: ReplyTemplate | undefined;
  /**
   * Several requests instead of `requests`/`verify`/`failureSample`/`statusOk`:
   * each send takes the mix's next one, and its reply is checked against that
   * request's own expectation. Undefined on the single-request path, which a
   * mix leaves exactly as it was. A mix runs without a reply template (a reply
   * verified for one request must not pass as another's).
   */
  mix: RequestMix | undefined;
  /** TCP: the exact reply expected for each request. */
  tcpExpect: Buffer;
  /**
   * A read buffer shared by the thread's sockets (net's `onread`): data is
   * read straight into it instead of a fresh Buffer and a stream 'data' event
   * per read. Safe to share because reads are handled one at a time and
   * nothing keeps a reference into it. Undefined → plain 'data' events
   * (runtimes without `onread`).
   */
  readBuffer: Buffer | undefined;
  /**
   * Write through net.Socket's `_write` (the stream implementation hook)
   * instead of `write()`: the request goes to the handle the same way, minus
   * the Writable bookkeeping and a nextTick per write. Node only.
   */
  directWrite: boolean;
}

interface DirectWritable {
  _write(chunk: Buffer, encoding: string, callback: (error?: Error | null) => void): void;
}

const MAX_BACKOFF_MS = 50;

export class Connection {
  private readonly owner: ConnOwner;
  private readonly spec: ConnSpec;
  private readonly parser: HttpResponseParser | undefined;
  private socket: Socket | undefined;
  private connected = false;
  /** Set after a non-keep-alive response: no more requests on this socket. */
  private closing = false;
  private dead = false;
  private lastError: unknown;
  private openedAtMs = 0;
  private repliesOnSocket = 0;
  private failures = 0;
  private backoffTimer: NodeJS.Timeout | undefined;
  private readonly inFlightQueue: InFlight;
  private tcpReply: Buffer | undefined;
  // Socket listeners created once per connection, not once per socket.
  private readonly handleConnect = (): void => this.onConnect();
  private readonly handleData = (chunk: Buffer): void => this.onData(chunk, chunk.length);
  // net hands back the very buffer given in `onread`; reading it in place avoids a Buffer view per read.
  private readonly handleRead = (bytes: number): boolean => {
    if (this.spec.readBuffer !== undefined) this.onData(this.spec.readBuffer, bytes);
    return true;
  };
  private readonly handleError = (error: unknown): void => this.onError(error);
  /** Write callback of the current socket (made per socket, so a late callback cannot touch its successor). */
  private afterWrite: (error?: Error | null) => void = () => {};
  private readonly handleClose = (): void => this.onClose();

  constructor(owner: ConnOwner, spec: ConnSpec) {
    this.owner = owner;
    this.spec = spec;
    this.inFlightQueue = new InFlight(spec.perRequest ? 1 : spec.pipelining);
    if (spec.protocol === 'http') {
      this.parser = new HttpResponseParser(
        spec.keepBody,
        (response) => this.onHttpResponse(response),
        (reason) => this.onMalformed(reason),
        spec.template,
      );
      this.parser.noBody = spec.headRequest;
      const mix = spec.mix;
      // Asked while the head of the queue's reply is parsed, so the request it answers is known.
      this.parser.peekOn =
        mix === undefined
          ? (status) => !spec.statusOk(status) && owner.wantsSample()
          : (status) => !mix.statusOk(this.inFlightQueue.headIndex(), status) && owner.wantsSample();
    }
  }

  get inFlight(): number {
    return this.inFlightQueue.length;
  }

  /** Calls `visit` with the scheduled and send time of every request still in flight, oldest first. */
  forEachInFlight(visit: (scheduledMs: number, sentMs: number) => void): void {
    this.inFlightQueue.forEach(visit);
  }

  start(): void {
    if (this.spec.perRequest) this.owner.free(this);
    else this.open();
  }

  available(): boolean {
    return this.room() > 0;
  }

  /** How many requests the connection can take now. */
  room(): number {
    if (this.dead || this.closing) return 0;
    if (this.spec.perRequest) return this.socket === undefined && this.inFlightQueue.length === 0 ? 1 : 0;
    return this.connected ? this.spec.pipelining - this.inFlightQueue.length : 0;
  }

  /** Sends one request now (`nowMs`, the caller's clock reading) that was due at `scheduledMs`. */
  send(scheduledMs: number, nowMs: number): void {
    if (this.spec.mix !== undefined) return this.sendMix(1, scheduledMs, nowMs);
    this.inFlightQueue.push(scheduledMs, nowMs, 0);
    if (this.spec.perRequest) this.open();
    else this.write(1);
  }

  /** Sends `count` requests (at most room()) due and sent now, in as few writes as the batch size allows. */
  sendNow(count: number, nowMs: number): void {
    if (this.spec.mix !== undefined) return this.sendMix(count, nowMs, nowMs);
    for (let i = 0; i < count; i++) this.inFlightQueue.push(nowMs, nowMs, 0);
    if (this.spec.perRequest) this.open();
    else this.write(count);
  }

  /** A mix: each of `count` requests is the mix's next, remembered in flight so its reply meets its own check. */
  private sendMix(count: number, scheduledMs: number, nowMs: number): void {
    const mix = this.spec.mix as RequestMix;
    for (let i = 0; i < count; i++) {
      const index = mix.next();
      this.inFlightQueue.push(scheduledMs, nowMs, index);
      if (!this.spec.perRequest) this.writeBytes(mix.requests[index] as Buffer);
    }
    if (this.spec.perRequest) this.open();
  }

  private writeBytes(bytes: Buffer): void {
    const socket = this.socket;
    if (socket === undefined) return;
    if (this.spec.directWrite) (socket as unknown as DirectWritable)._write(bytes, 'buffer', this.afterWrite);
    else socket.write(bytes);
  }

  private write(count: number): void {
    const socket = this.socket;
    if (socket === undefined) return;
    const batches = this.spec.requests.batches;
    for (let left = count; left > 0;) {
      const take = Math.min(left, batches.length);
      const bytes = batches[take - 1] as Buffer;
      if (this.spec.directWrite)
        (socket as unknown as DirectWritable)._write(bytes, 'buffer', this.afterWrite);
      else socket.write(bytes);
      left -= take;
    }
  }

  /** Ends a request that waited too long: the socket is dropped and its requests count as timeouts. */
  checkTimeout(now: number, timeoutMs: number): void {
    if (this.socket === undefined) return;
    const since =
      this.inFlightQueue.length > 0
        ? this.inFlightQueue.oldestSent()
        : this.connected
          ? now
          : this.openedAtMs;
    if (now - since > timeoutMs) {
      this.lastError = { code: 'ETIMEDOUT' };
      this.socket.destroy();
    }
  }

  /** Stops for good; requests still in flight are the engine's to count. */
  destroy(): void {
    this.dead = true;
    if (this.backoffTimer !== undefined) clearTimeout(this.backoffTimer);
    this.socket?.destroy();
    this.socket = undefined;
  }

  private open(): void {
    this.connected = false;
    this.closing = false;
    this.lastError = undefined;
    this.repliesOnSocket = 0;
    this.tcpReply = undefined;
    this.parser?.reset();
    this.openedAtMs = this.owner.now();
    const readBuffer = this.spec.readBuffer;
    const socket = connect({
      host: this.spec.address,
      port: this.spec.port,
      family: this.spec.family,
      ...(readBuffer === undefined ? {} : { onread: { buffer: readBuffer, callback: this.handleRead } }),
    });
    socket.setNoDelay(true);
    this.afterWrite = (error) => {
      if (error) socket.destroy(error);
    };
    socket.on('connect', this.handleConnect);
    if (readBuffer === undefined) socket.on('data', this.handleData);
    socket.on('error', this.handleError);
    socket.on('close', this.handleClose);
    this.socket = socket;
  }

  private onConnect(): void {
    if (this.dead) return;
    this.connected = true;
    const mix = this.spec.mix;
    if (!this.spec.perRequest) this.owner.free(this);
    else if (mix === undefined) this.write(1);
    else this.writeBytes(mix.requests[this.inFlightQueue.headIndex()] as Buffer);
  }

  /** `length` bytes of `chunk` arrived (the chunk may be the thread's shared read buffer). */
  private onData(chunk: Buffer, length: number): void {
    if (this.dead) return;
    this.owner.bytesRead(length);
    if (this.parser !== undefined) this.parser.feed(chunk, length);
    else this.onTcpData(chunk, length);
  }

  private onError(error: unknown): void {
    this.lastError ??= error;
  }

  /** Takes the oldest request off the in-flight queue and reports it. */
  private finishHead(kind: ErrorKind | null): void {
    const queue = this.inFlightQueue;
    queue.shift();
    const scheduledMs = queue.shiftedScheduled;
    const sentMs = queue.shiftedSent;
    // Any complete reply, right or wrong, shows the server is answering: no reconnect backoff.
    if (kind === null || kind === 'status' || kind === 'body') {
      this.repliesOnSocket++;
      this.failures = 0;
    }
    this.owner.complete(kind, scheduledMs, sentMs);
  }

  /** Returns whether the response was verified a success (so the parser may keep it as the template). */
  private onHttpResponse(response: ParsedResponse): boolean {
    if (this.inFlightQueue.length === 0) {
      // A response nobody asked for: the stream is out of step.
      this.onMalformed('response without a request');
      return false;
    }
    const mix = this.spec.mix;
    const index = mix === undefined ? 0 : this.inFlightQueue.headIndex();
    const kind = response.repeat
      ? null
      : mix === undefined
        ? this.spec.verify(response)
        : mix.verify(index, response);
    const success = kind === null;
    // Only a refused reply builds a sample (a repeat of the template never does), and only while one is wanted.
    if ((kind === 'status' || kind === 'body') && this.owner.wantsSample())
      this.owner.note(
        mix === undefined
          ? this.spec.failureSample(response, kind)
          : mix.failureSample(index, response, kind),
      );
    this.finishHead(kind);
    if (this.dead) return success;
    if (this.spec.perRequest) {
      this.socket?.destroy();
      return success;
    }
    if (!response.keepAlive) {
      this.closing = true;
      while (this.inFlightQueue.length > 0) {
        this.inFlightQueue.shift();
        this.owner.requeue(this.inFlightQueue.shiftedScheduled);
      }
      this.socket?.destroy();
      return success;
    }
    this.owner.free(this);
    return success;
  }

  /** `length` bytes of `chunk` arrived on a TCP connection: compared in place, copied only when a reply is split. */
  private onTcpData(chunk: Buffer, length: number): void {
    const expect = this.spec.tcpExpect;
    let reply = chunk;
    let replyLength = length;
    if (this.tcpReply !== undefined) {
      reply = Buffer.concat([this.tcpReply, chunk.subarray(0, length)]);
      replyLength = reply.length;
    }
    let wrong = replyLength > expect.length;
    for (let i = 0; !wrong && i < replyLength; i++) wrong = reply[i] !== expect[i];
    if (!wrong && replyLength < expect.length) {
      this.tcpReply = Buffer.from(reply.subarray(0, replyLength)); // the read buffer is reused
      return;
    }
    this.tcpReply = undefined;
    if (this.inFlightQueue.length === 0) {
      this.onMalformed('reply without a request');
      return;
    }
    if (wrong) {
      this.owner.note(
        `unexpected TCP reply ${JSON.stringify(reply.subarray(0, Math.min(64, replyLength)).toString('latin1'))}`,
      );
      this.finishHead('body');
      // After a wrong reply the byte stream cannot be trusted to be in step.
      this.socket?.destroy();
      return;
    }
    this.finishHead(null);
    if (this.dead) return;
    if (this.spec.perRequest) this.socket?.destroy();
    else this.owner.free(this);
  }

  private onMalformed(reason: string): void {
    this.owner.note(`malformed reply: ${reason}`);
    this.lastError = { code: 'EPROTO', message: reason };
    while (this.inFlightQueue.length > 0 && !this.dead) this.finishHead('other');
    this.socket?.destroy();
  }

  private onClose(): void {
    if (this.dead) return;
    const wasConnected = this.connected;
    this.connected = false;
    this.socket = undefined;
    // A close-delimited body (HTTP/1.0 style) ends here, successfully.
    if (this.parser !== undefined && this.inFlightQueue.length > 0 && this.lastError === undefined) {
      this.parser.finishOnClose();
      if (this.dead) return;
    }
    let kind: ErrorKind;
    if (this.lastError !== undefined) {
      kind = socketErrorKind(this.lastError, wasConnected);
      const message = (this.lastError as { message?: unknown }).message;
      this.owner.note(
        `${kind}: ${typeof message === 'string' ? message : String((this.lastError as { code?: unknown }).code)}`,
      );
    } else {
      kind = wasConnected ? 'short-read' : 'connect';
      if (this.inFlightQueue.length > 0)
        this.owner.note('short-read: the server closed the connection before a complete reply');
    }
    const hadRequests = this.inFlightQueue.length > 0;
    while (this.inFlightQueue.length > 0 && !this.dead) this.finishHead(kind);
    if (this.dead) return;
    if (!hadRequests && !wasConnected) this.owner.connectFailed(kind);
    if (this.dead) return;
    // A socket that closed without one complete reply counts as a failure, whatever the cause: this
    // also catches a server that closes idle connections at once, which would otherwise spin.
    if (this.repliesOnSocket === 0) this.failures++;
    if (this.owner.stopping) return;
    // Back off only while a connection keeps failing, so a dead server is not hammered in a tight loop.
    const backoffMs = this.failures === 0 ? 0 : Math.min(MAX_BACKOFF_MS, 2 ** (this.failures - 1));
    const reopen = (): void => {
      this.backoffTimer = undefined;
      if (this.dead || this.owner.stopping) return;
      if (this.spec.perRequest) {
        this.closing = false;
        this.owner.free(this);
      } else {
        this.open();
      }
    };
    if (backoffMs === 0 && this.spec.perRequest) reopen();
    else this.backoffTimer = setTimeout(reopen, backoffMs);
  }
}

/** Requests in flight on one connection, oldest first: a fixed ring sized to the pipelining depth, no allocation per request. */
class InFlight {
  private readonly scheduled: Float64Array;
  private readonly sent: Float64Array;
  /** Which request of a mix each one is (0 without a mix). */
  private readonly index: Uint16Array;
  private head = 0;
  length = 0;
  /** The pair removed by the last shift(). */
  shiftedScheduled = 0;
  shiftedSent = 0;

  constructor(capacity: number) {
    this.scheduled = new Float64Array(capacity);
    this.sent = new Float64Array(capacity);
    this.index = new Uint16Array(capacity);
  }

  push(scheduledMs: number, sentMs: number, index: number): void {
    const capacity = this.scheduled.length;
    if (this.length === capacity) throw new Error('more requests in flight than the pipelining depth');
    const at = (this.head + this.length) % capacity;
    this.scheduled[at] = scheduledMs;
    this.sent[at] = sentMs;
    this.index[at] = index;
    this.length++;
  }

  /** The mix index of the oldest request in flight. */
  headIndex(): number {
    return this.index[this.head] ?? 0;
  }

  oldestSent(): number {
    return this.sent[this.head] ?? 0;
  }

  forEach(visit: (scheduledMs: number, sentMs: number) => void): void {
    const capacity = this.scheduled.length;
    for (let i = 0; i < this.length; i++) {
      const at = (this.head + i) % capacity;
      visit(this.scheduled[at] ?? 0, this.sent[at] ?? 0);
    }
  }

  shift(): void {
    if (this.length === 0) return;
    this.shiftedScheduled = this.scheduled[this.head] ?? 0;
    this.shiftedSent = this.sent[this.head] ?? 0;
    this.head = (this.head + 1) % this.scheduled.length;
    this.length--;
  }
}
