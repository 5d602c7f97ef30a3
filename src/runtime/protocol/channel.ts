/**
 * Framed, pipelined messages over one byte stream (a TCP, Unix or TLS socket), framed as
 * the protocol generation's `FrameCodec` says.
 *
 * Several requests may be in flight at once; a Pyro daemon answers one connection's
 * requests in order, so each reply must carry the sequence number of the oldest waiting
 * request. Anything that could put replies out of step (a timeout, an abort, a bad reply)
 * closes the channel and fails every request in flight with the same error.
 *
 * The reply timeout is an inactivity timeout, as Pyro4's socket timeout: one timer per
 * channel, re-armed by the data that arrives, never one per request. While no request
 * waits, the stream does not keep the process alive.
 */
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { CancelSignal } from "../cancel.js";
import { PyroError } from "../errors.js";
import {
  abortError,
  CLIENT_CLOSED,
  clientClosed,
  closedError,
  lostError,
} from "./channel-errors.js";
import { inflateBounded, inflateLimit } from "./compression.js";
import { KEPT_FRAME_MIN, KeptFrame } from "./kept-frame.js";
import { MessageFlag, MessageType } from "./constants.js";
import type {
  ChannelOptions,
  CloseListener,
  DirectReadSource,
  RequestOptions,
} from "./channel-options.js";
import type { EncodeOptions, Message, MessageParts } from "./message.js";
import { MessageReader } from "./reader.js";
import type { FrameCodec } from "./wire-protocol.js";

/** Payloads from this size on are written beside their header (one writev), not copied behind it. */
const SEPARATE_PAYLOAD_SIZE = 64 * 1024;

/** A framed message: one buffer, or header and payload apart (see `MessageChannel.#put`). */
type Frame = Uint8Array | MessageParts;

/** The reply types each request type may get. */
const REPLY_TYPES: ReadonlyMap<number, readonly number[]> = new Map([
  [MessageType.CONNECT, [MessageType.CONNECTOK, MessageType.CONNECTFAIL]],
  [MessageType.INVOKE, [MessageType.RESULT]],
  [MessageType.PING, [MessageType.PING]],
]);

/** The payload of an acknowledging PING, as Pyro sends PINGs (the daemon never reads it). */
const ACK_PING_PAYLOAD = new TextEncoder().encode("ping");

/**
 * Acknowledging PINGs sent at once while this many are unanswered; beyond, an
 * acknowledgement waits {@link ACK_DELAY_MS}. A pong is one more small segment from the
 * daemon, which needs acknowledging in turn when requests still wait behind it. Acknowledged
 * at once without a bound, each pong brought another PING, and bursts of pipelined calls sent
 * back to back kept more and more of them circulating (hundreds per burst, the daemon busy
 * answering them). A burst of 10 replies read one by one needs up to 10 at once, or it
 * waits.
 */
const ACK_PINGS_AT_ONCE = 10;

/**
 * How long an acknowledgement waits while {@link ACK_PINGS_AT_ONCE} are unanswered: long
 * enough for the daemon to gather what it holds back into one segment, so that the PINGs
 * stop multiplying. Node's shortest timer.
 */
const ACK_DELAY_MS = 1;

const ignore = (): void => {};

/**
 * The pending entry of every acknowledging PING (see `ChannelOptions.ackPingSerializerId`):
 * nobody waits for its reply. Seq 0, as Pyro5's own handshake PING.
 */
const ACK_PENDING: Pending = {
  type: MessageType.PING,
  seq: 0,
  read: undefined,
  resolve: ignore,
  reject: ignore,
  timeoutMs: 0,
  signal: undefined,
  onAbort: undefined,
};

/** A request waiting for its reply. */
interface Pending {
  readonly type: number;
  readonly seq: number;
  /** What the request resolves with made of its reply ({@link MessageChannel.requestRead}). */
  readonly read: ((reply: Message) => unknown) | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  /** Its inactivity timeout, 0 = none. */
  readonly timeoutMs: number;
  signal: CancelSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** Pipelined request/reply messaging over one stream; see the module comment. */
export class MessageChannel {
  readonly #stream: Duplex;
  readonly #frames: FrameCodec;
  readonly #reader: MessageReader;
  readonly #encodeOptions: EncodeOptions;
  readonly #pending: Pending[] = [];
  readonly #closeListeners: CloseListener[] = [];
  /** Set when the stream reads straight into the reader's buffers (plain sockets). */
  readonly #directReads: DirectReadSource | undefined;
  /** Where mid-size frames are built: on sockets with direct reads, pyrogen's plain ones. */
  readonly #keptFrame: KeptFrame | undefined;
  readonly #inflateLimit: number;
  readonly #wireLog: ChannelOptions["wireLog"];
  #closeReason: PyroError | undefined;
  /** Closed by the peer or a failure while no request waited: nobody was told yet. */
  #diedIdle = false;
  /** The inactivity timer, armed while requests with a timeout wait. */
  #timer: NodeJS.Timeout | undefined;
  /** Its period: the smallest timeout among the requests waiting when it was armed. */
  #timerMs = 0;
  /** Set by every read, cleared when the timer is armed. */
  #active = false;
  /** While a reply inflates in zlib's threads, the messages read after it wait here. */
  #held: Message[] | undefined;
  /** The acknowledging PING, when the options ask for them. */
  readonly #ackPing: Message | undefined;
  /** Acknowledging PINGs in {@link #pending}: requests nobody waits for. */
  #acksInFlight = 0;
  /** Frames written so far, and how many had been when replies last arrived. */
  #writes = 0;
  #writesAtReplies = 0;
  /** An {@link #ackCheck} is scheduled (next event-loop turn, or {@link ACK_DELAY_MS}). */
  #ackCheckQueued = false;
  /** The timer of a delayed {@link #ackCheck}. */
  #ackTimer: NodeJS.Timeout | undefined;

  /** A channel over `stream` for messages framed by `frames` (e.g. `pyro4.frames`). */
  constructor(stream: Duplex, frames: FrameCodec, options: ChannelOptions = {}) {
    this.#stream = stream;
    this.#frames = frames;
    this.#encodeOptions = {
      hmacKey: options.hmacKey,
      maxMessageSize: options.maxMessageSize,
      compress: options.compress,
    };
    // Inflated here rather than in the reader: a large payload inflates off the event loop.
    this.#reader = new MessageReader(frames, {
      hmacKey: options.hmacKey,
      maxMessageSize: options.maxMessageSize,
      inflate: false,
    });
    this.#inflateLimit = inflateLimit(options.maxMessageSize ?? 0, options.maxInflatedSize);
    this.#directReads = options.directReads;
    this.#keptFrame = this.#directReads === undefined ? undefined : new KeptFrame();
    this.#wireLog = options.wireLog;
    this.#ackPing =
      options.ackPingSerializerId === undefined
        ? undefined
        : {
            type: MessageType.PING,
            flags: 0,
            seq: ACK_PENDING.seq,
            serializerId: options.ackPingSerializerId,
            annotations: new Map(),
            data: ACK_PING_PAYLOAD,
          };
    if (this.#directReads === undefined) stream.on("data", this.#onData);
    else this.#directReads.bind({ readBuffer: this.#readBuffer, received: this.#onReceived });
    stream.on("end", this.#onEnd);
    stream.on("error", this.#onError);
    stream.on("close", this.#onStreamClose);
    if (stream.destroyed) this.#onStreamClose();
    else this.#keepProcessAlive(false);
  }

  /** True once the channel is closed (by either side or by a failure). */
  get closed(): boolean {
    return this.#closeReason !== undefined;
  }

  /** Why the channel closed, or `undefined` while it is open. */
  get closeReason(): PyroError | undefined {
    return this.#closeReason;
  }

  /** Number of requests waiting for a reply. */
  get inFlight(): number {
    return this.#pending.length - this.#acksInFlight;
  }

  /**
   * True when the channel was closed by the peer (or failed) while no request waited for a
   * reply: no caller has seen that close yet, as after a daemon's idle disconnect.
   */
  get diedIdle(): boolean {
    return this.#diedIdle;
  }

  /**
   * Write one message (one write call) without waiting for anything. Throws a `PyroError`
   * when the channel is closed or the message cannot be framed (e.g. too large). A payload
   * of 64 KiB or more is written without a copy: leave `msg.data` unchanged afterwards.
   */
  send(msg: Message): void {
    this.#throwIfClosed();
    this.#put(this.#frame(msg));
  }

  /**
   * Send `msg` and resolve with its reply, matched by sequence number in order (CONNECT
   * replies are taken as they come: Pyro4 answers a refused CONNECT with seq 0). With
   * `expectReply: false` resolve with `undefined` once the message is written. A payload of
   * 64 KiB or more is written without a copy: leave `msg.data` unchanged until then.
   */
  request(msg: Message, options: RequestOptions & { expectReply: false }): Promise<undefined>;
  request(msg: Message, options?: RequestOptions): Promise<Message>;
  request(msg: Message, options: RequestOptions = {}): Promise<Message | undefined> {
    return this.#request(msg, options, undefined) as Promise<Message | undefined>;
  }

  /**
   * {@link request}, resolving with what `read` makes of the reply. `read` runs as the reply
   * is dispatched, before the next one is: no promise is chained after the channel's own,
   * and the reply's memory can be released as soon as it is decoded. An exception from
   * `read` rejects this request only; the channel stays open unless `read` closes it.
   */
  requestRead<T>(
    msg: Message,
    read: (reply: Message) => T,
    options: Omit<RequestOptions, "expectReply"> = {},
  ): Promise<T> {
    return this.#request(msg, options, read) as Promise<T>;
  }

  #request(
    msg: Message,
    options: RequestOptions,
    read: ((reply: Message) => unknown) | undefined,
  ): Promise<unknown> {
    const release = options.release;
    const signal = options.signal;
    const expectReply = options.expectReply !== false;
    let bytes: Frame;
    try {
      if (signal?.aborted === true) throw abortError(signal, false);
      if (expectReply && !REPLY_TYPES.has(msg.type)) {
        throw new PyroError(
          "protocol",
          `message type ${msg.type} gets no reply; send CONNECT, INVOKE or PING, or pass expectReply: false`,
        );
      }
      this.#throwIfClosed();
      bytes = this.#frame(msg);
      this.#wireLog?.logger("sent", this.#wireLog.peer, msg);
    } catch (error) {
      release?.(msg.data);
      return Promise.reject(error as PyroError);
    }
    // A payload copied into its frame is free at once; one written as is, once written.
    let written: (() => void) | undefined;
    if (release !== undefined) {
      if (bytes instanceof Uint8Array) release(msg.data);
      else written = () => release(msg.data);
    }
    if (!expectReply) return this.#write(bytes, written);
    return new Promise<unknown>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? 0;
      const pending: Pending = {
        type: msg.type,
        seq: msg.seq,
        read,
        resolve,
        reject,
        timeoutMs,
        signal: undefined,
        onAbort: undefined,
      };
      if (signal !== undefined) {
        pending.signal = signal;
        pending.onAbort = () => this.#fail(abortError(signal, true));
        signal.addEventListener("abort", pending.onAbort, { once: true });
      }
      // Waiting requests keep the process alive, as a blocking Python client would.
      if (this.#pending.push(pending) - this.#acksInFlight === 1) this.#keepProcessAlive(true);
      if (timeoutMs > 0 && (this.#timer === undefined || timeoutMs < this.#timerMs)) {
        this.#armTimer(timeoutMs);
      }
      this.#put(bytes, written);
    });
  }

  /**
   * Close the channel: requests in flight fail with a `connection-closed` error (or
   * `reason`), queued writes are flushed, then the stream is destroyed.
   */
  close(reason?: PyroError): void {
    if (this.closed) return;
    this.#shutdown(reason ?? (this.inFlight > 0 ? clientClosed() : CLIENT_CLOSED));
    const stream = this.#stream;
    // A plain socket with nothing left to write closes at once, as Pyro4's does: its FIN
    // goes out before the caller's next step (a new connection to the same daemon would
    // otherwise reach it first, and cost it a second connection in flight). A write still
    // under way, such as a oneway call's, is finished first: shut down after it, then close.
    if (this.#directReads !== undefined && stream.writableLength === 0) stream.destroy();
    else stream.end(() => stream.destroy());
  }

  /**
   * The caller is done with `reply` (a message this channel resolved a request with):
   * nothing views its data or annotations any more, so the memory it was read into may be
   * read into again (a large reply's body included). Optional, for callers that decode a
   * reply and keep only copies: one holding a view of a large payload must not release it.
   */
  release(reply: Message): void {
    this.#reader.release(reply);
  }

  /** Call `listener` once when the channel closes (soon, if it is closed already). */
  onClose(listener: CloseListener): void {
    const reason = this.#closeReason;
    if (reason === undefined) this.#closeListeners.push(listener);
    else queueMicrotask(() => listener(reason));
  }

  /** Write `bytes`, resolving once written; `written` runs first, whatever the outcome. */
  #write(bytes: Frame, written?: () => void): Promise<undefined> {
    return new Promise<undefined>((resolve, reject) => {
      this.#put(bytes, (error) => {
        written?.();
        if (error == null) resolve(undefined);
        else reject(this.#closeReason ?? lostError("sending", error));
      });
    });
  }

  /** Frame `msg`: one buffer for a small payload, header and payload apart for a large one. */
  #frame(msg: Message): Frame {
    const size = msg.data.length;
    if (size >= SEPARATE_PAYLOAD_SIZE) return this.#frames.encode(msg, this.#encodeOptions, false);
    const kept = this.#keptFrame;
    if (kept !== undefined && size >= KEPT_FRAME_MIN) {
      return kept.join(this.#frames.encode(msg, this.#encodeOptions, false));
    }
    return this.#frames.encode(msg, this.#encodeOptions, true).head;
  }

  /**
   * Write one framed message; `done` runs once all of it is written. A large payload goes
   * beside its header, both corked into a single writev, so its bytes are not copied again.
   */
  #put(frame: Frame, done?: (error: Error | null | undefined) => void): void {
    const stream = this.#stream;
    this.#writes++;
    if (frame instanceof Uint8Array) {
      stream.write(frame, done);
      const kept = this.#keptFrame;
      if (kept?.holds(frame) === true) kept.wrote(stream.writableLength);
      return;
    }
    stream.cork();
    stream.write(frame.head);
    stream.write(frame.data, done);
    stream.uncork();
  }

  #throwIfClosed(): void {
    const reason = this.#closeReason;
    if (reason !== undefined) {
      throw new PyroError(
        "connection-closed",
        `connection is closed (${reason.message}); reconnect to send more requests`,
        { cause: reason },
      );
    }
  }

  readonly #onData = (chunk: Uint8Array): void => {
    this.#active = true;
    try {
      this.#reader.push(chunk);
      this.#dispatchAll();
    } catch (error) {
      this.#fail(error as PyroError);
    }
  };

  readonly #readBuffer = (): Uint8Array => this.#reader.readBuffer();

  readonly #onReceived = (buffer: Uint8Array, count: number): void => {
    this.#active = true;
    try {
      this.#reader.received(buffer, count);
      this.#dispatchAll();
    } catch (error) {
      this.#fail(error as PyroError);
    }
  };

  #dispatchAll(): void {
    let replies = false;
    for (let msg = this.#reader.read(); msg !== undefined; msg = this.#reader.read()) {
      this.#wireLog?.logger("received", this.#wireLog.peer, msg);
      this.#deliverInTurn(msg);
      if (this.closed) return;
      replies = true;
    }
    if (replies && this.#ackPing !== undefined && this.#awaitingUnread()) {
      this.#writesAtReplies = this.#writes;
      this.#scheduleAckCheck();
    }
  }

  /**
   * An {@link #ackCheck} on the next event-loop turn, or after {@link ACK_DELAY_MS} while
   * {@link ACK_PINGS_AT_ONCE} acknowledging PINGs are unanswered (brought forward once fewer
   * are).
   */
  #scheduleAckCheck(): void {
    if (this.#acksInFlight >= ACK_PINGS_AT_ONCE) {
      if (!this.#ackCheckQueued) {
        this.#ackCheckQueued = true;
        this.#ackTimer = setTimeout(this.#ackCheck, ACK_DELAY_MS).unref();
      }
      return;
    }
    if (this.#ackTimer !== undefined) {
      clearTimeout(this.#ackTimer);
      this.#ackTimer = undefined;
      this.#ackCheckQueued = false;
    }
    if (!this.#ackCheckQueued) {
      this.#ackCheckQueued = true;
      setImmediate(this.#ackCheck);
    }
  }

  /** Whether a request waits for a reply not read yet (read ones may still be inflating). */
  #awaitingUnread(): boolean {
    if (this.#held === undefined) return this.inFlight > 0;
    const pending = this.#pending;
    for (let i = this.#held.length + 1; i < pending.length; i++) {
      if (pending[i] !== ACK_PENDING) return true;
    }
    return false;
  }

  /**
   * After replies arrived while other requests wait, and after whatever their callers did
   * in reply: if nothing was written since, acknowledge them with a PING, so that the daemon
   * does not hold the next reply back (`ChannelOptions.ackPingSerializerId`).
   */
  readonly #ackCheck = (): void => {
    this.#ackCheckQueued = false;
    this.#ackTimer = undefined;
    if (this.closed || this.#writes !== this.#writesAtReplies || !this.#awaitingUnread()) return;
    const ping = this.#ackPing!;
    try {
      const bytes = this.#frame(ping);
      this.#wireLog?.logger("sent", this.#wireLog.peer, ping);
      this.#pending.push(ACK_PENDING);
      this.#acksInFlight++;
      this.#put(bytes);
    } catch (error) {
      this.#fail(error as PyroError);
    }
  };

  /** Dispatch `msg`, inflating it first when compressed (a large one off the event loop). */
  #deliver(msg: Message): void {
    if ((msg.flags & MessageFlag.COMPRESSED) === 0) {
      this.#dispatch(msg);
      return;
    }
    const data = inflateBounded(msg.data, this.#inflateLimit);
    if (data instanceof Uint8Array) {
      this.#dispatch(inflated(msg, data));
      return;
    }
    this.#held = [];
    data.then(
      (bytes) => {
        if (this.closed) return;
        const held = this.#held ?? [];
        this.#held = undefined;
        try {
          this.#dispatch(inflated(msg, bytes));
          for (let i = 0; i < held.length && !this.closed; i++) this.#deliverInTurn(held[i]!);
        } catch (error) {
          this.#fail(error as PyroError);
        }
      },
      (error: PyroError) => this.#fail(error),
    );
  }

  #dispatch(msg: Message): void {
    const head = this.#pending[0];
    if (head === undefined) {
      this.#fail(
        new PyroError(
          "protocol",
          `unexpected message (type ${msg.type}, seq ${msg.seq}) while no request was waiting; ` +
            "the peer is not a Pyro daemon or the stream is out of step",
        ),
      );
      return;
    }
    if (!REPLY_TYPES.get(head.type)!.includes(msg.type)) {
      this.#fail(new PyroError("protocol", `invalid msg type ${msg.type} received`));
      return;
    }
    if (head.type !== MessageType.CONNECT && msg.seq !== head.seq) {
      this.#fail(
        new PyroError(
          "protocol",
          `invoke: reply sequence out of sync, got ${msg.seq} expected ${head.seq}`,
        ),
      );
      return;
    }
    this.#pending.shift();
    if (head === ACK_PENDING) {
      this.#acksInFlight--;
      this.#reader.release(msg);
      return;
    }
    settle(head);
    if (this.inFlight === 0) this.#keepProcessAlive(false);
    const read = head.read;
    if (read === undefined) {
      head.resolve(msg);
      return;
    }
    let value: unknown;
    try {
      value = read(msg);
    } catch (error) {
      head.reject(error);
      return;
    }
    head.resolve(value);
  }

  /** {@link #deliver}, or wait behind a payload that is still inflating. */
  #deliverInTurn(msg: Message): void {
    if (this.#held === undefined) this.#deliver(msg);
    else this.#held.push(msg);
  }

  /** Whether the stream keeps the process alive (only while requests wait for replies). */
  #keepProcessAlive(alive: boolean): void {
    const stream = this.#stream as Partial<Pick<Socket, "ref" | "unref">>;
    if (alive) stream.ref?.();
    else stream.unref?.();
  }

  #armTimer(ms: number): void {
    clearTimeout(this.#timer);
    this.#timerMs = ms;
    this.#active = false;
    this.#timer = setTimeout(this.#onTimer, ms);
    // The waiting requests keep the process alive; a timer left over after them must not.
    this.#timer.unref();
  }

  /**
   * The inactivity check, once per period: fail every waiting request when nothing arrived
   * for a whole period (and no reply was being inflated), else look again one period on.
   */
  readonly #onTimer = (): void => {
    this.#timer = undefined;
    if (this.closed) return;
    let ms = 0;
    for (const pending of this.#pending) {
      if (pending.timeoutMs > 0 && (ms === 0 || pending.timeoutMs < ms)) ms = pending.timeoutMs;
    }
    if (ms === 0) return;
    if (this.#active || this.#held !== undefined || ms > this.#timerMs) {
      this.#armTimer(ms);
      return;
    }
    // Timers run before socket reads in an event-loop turn: after a stall (a busy process),
    // data that arrived meanwhile is read first, in this turn's poll phase, then decided on.
    setImmediate(() => {
      if (this.closed) return;
      if (this.#active) this.#armTimer(ms);
      else {
        this.#fail(
          new PyroError(
            "timeout",
            `receiving: timeout (no reply data for ${ms} ms; the connection was closed)`,
          ),
        );
      }
    });
  };

  readonly #onEnd = (): void => {
    // Closed already (e.g. by `close()`): building an error here would only cost its stack trace.
    if (this.closed) return;
    if (this.inFlight > 0 || this.#reader.bufferedBytes > 0) {
      this.#fail(new PyroError("connection-closed", "receiving: not enough data"));
    } else {
      this.#fail(closedError("connection closed by the peer", false));
    }
  };

  readonly #onError = (error: Error): void => {
    this.#fail(lostError("receiving", error));
  };

  readonly #onStreamClose = (): void => {
    this.#onEnd();
  };

  /** Close because of `error`: destroy the stream at once, fail everything in flight. */
  #fail(error: PyroError): void {
    if (this.closed) return;
    this.#diedIdle = this.inFlight === 0;
    this.#shutdown(error);
    this.#stream.destroy();
  }

  #shutdown(reason: PyroError): void {
    this.#closeReason = reason;
    this.#acksInFlight = 0;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    clearTimeout(this.#ackTimer);
    this.#held = undefined;
    this.#stream.off("data", this.#onData);
    this.#directReads?.bind(null);
    for (const pending of this.#pending.splice(0)) {
      settle(pending);
      pending.reject(reason);
    }
    for (const listener of this.#closeListeners.splice(0)) listener(reason);
  }
}

/** Drop a request's abort listener. */
function settle(pending: Pending): void {
  if (pending.onAbort !== undefined) pending.signal!.removeEventListener("abort", pending.onAbort);
}

/** `msg` with its payload inflated and COMPRESSED cleared. */
function inflated(msg: Message, data: Uint8Array): Message {
  msg.data = data;
  msg.flags &= ~MessageFlag.COMPRESSED;
  return msg;
}
