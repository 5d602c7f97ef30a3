/**
 * Framed, pipelined Pyro4 messages over one byte stream (a TCP, Unix or TLS socket).
 *
 * Several requests may be in flight at once; a Pyro4 daemon answers one connection's
 * requests in order, so each reply must carry the sequence number of the oldest waiting
 * request. Anything that could put replies out of step (a timeout, an abort, a bad reply)
 * closes the channel and fails every request in flight with the same error.
 */
import type { Duplex } from "node:stream";
import type { CancelSignal } from "../cancel.js";
import { PyroError } from "../errors.js";
import { directReadsOf, type DirectReads } from "../transport/direct-reads.js";
import { MessageType } from "./constants.js";
import { encodeMessage, encodeMessageParts, type Message, type MessageParts } from "./message.js";
import { MessageReader } from "./reader.js";

/** How a {@link MessageChannel} frames and checks messages. */
export interface ChannelOptions {
  /** Sign sent messages and verify received ones with this HMAC key. */
  hmacKey?: Uint8Array | undefined;
  /** Refuse sent and received messages larger than this (0 = no limit). */
  maxMessageSize?: number | undefined;
  /** Compress sent payloads when Pyro4 would (received ones are always inflated). */
  compress?: boolean | undefined;
}

/** Per-request options of {@link MessageChannel.request}. */
export interface RequestOptions {
  /** Fail (and close the channel) if no reply arrives within this many ms; 0 = wait forever. */
  timeoutMs?: number | undefined;
  /** Abort the request; this closes the channel like a timeout does. */
  signal?: CancelSignal | undefined;
  /** `false` for oneway requests: resolve once the message is written, expect no reply. */
  expectReply?: boolean | undefined;
  /**
   * Called once with `msg.data` when the channel no longer reads it, whatever happens: right
   * after framing when the payload was copied into the frame, else once it is written.
   */
  release?: ((data: Uint8Array) => void) | undefined;
}

/** Payloads from this size on are written beside their header (one writev), not copied behind it. */
const SEPARATE_PAYLOAD_SIZE = 64 * 1024;

/** A framed message: one buffer, or header and payload apart (see `MessageChannel.#put`). */
type Frame = Uint8Array | MessageParts;

/** Called once when a channel closes, with the reason. */
export type CloseListener = (reason: PyroError) => void;

/** The reply types each request type may get. */
const REPLY_TYPES: ReadonlyMap<number, readonly number[]> = new Map([
  [MessageType.CONNECT, [MessageType.CONNECTOK, MessageType.CONNECTFAIL]],
  [MessageType.INVOKE, [MessageType.RESULT]],
  [MessageType.PING, [MessageType.PING]],
]);

/** A request waiting for its reply. */
interface Pending {
  readonly type: number;
  readonly seq: number;
  readonly resolve: (reply: Message) => void;
  readonly reject: (error: PyroError) => void;
  timer: NodeJS.Timeout | undefined;
  signal: CancelSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** Pipelined request/reply messaging over one stream; see the module comment. */
export class MessageChannel {
  readonly #stream: Duplex;
  readonly #reader: MessageReader;
  readonly #encodeOptions: ChannelOptions;
  readonly #pending: Pending[] = [];
  readonly #closeListeners: CloseListener[] = [];
  /** Set when the stream reads straight into the reader's buffers (plain sockets). */
  readonly #directReads: DirectReads | undefined;
  #closeReason: PyroError | undefined;

  constructor(stream: Duplex, options: ChannelOptions = {}) {
    this.#stream = stream;
    this.#encodeOptions = {
      hmacKey: options.hmacKey,
      maxMessageSize: options.maxMessageSize,
      compress: options.compress,
    };
    this.#reader = new MessageReader({
      hmacKey: options.hmacKey,
      maxMessageSize: options.maxMessageSize,
    });
    this.#directReads = directReadsOf(stream);
    if (this.#directReads === undefined) stream.on("data", this.#onData);
    else this.#directReads.bind({ readBuffer: this.#readBuffer, received: this.#onReceived });
    stream.on("end", this.#onEnd);
    stream.on("error", this.#onError);
    stream.on("close", this.#onStreamClose);
    if (stream.destroyed) this.#onStreamClose();
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
    return this.#pending.length;
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
    return new Promise<Message>((resolve, reject) => {
      const pending: Pending = {
        type: msg.type,
        seq: msg.seq,
        resolve,
        reject,
        timer: undefined,
        signal: undefined,
        onAbort: undefined,
      };
      const timeoutMs = options.timeoutMs ?? 0;
      if (timeoutMs > 0) {
        pending.timer = setTimeout(() => {
          this.#fail(
            new PyroError(
              "timeout",
              `receiving: timeout (no reply within ${timeoutMs} ms; the connection was closed)`,
            ),
          );
        }, timeoutMs);
      }
      if (signal !== undefined) {
        pending.signal = signal;
        pending.onAbort = () => this.#fail(abortError(signal, true));
        signal.addEventListener("abort", pending.onAbort, { once: true });
      }
      this.#pending.push(pending);
      this.#put(bytes, written);
    });
  }

  /**
   * Close the channel: requests in flight fail with a `connection-closed` error (or
   * `reason`), queued writes are flushed, then the stream is destroyed.
   */
  close(reason?: PyroError): void {
    if (this.closed) return;
    this.#shutdown(reason ?? (this.#pending.length > 0 ? clientClosed() : CLIENT_CLOSED));
    // Shut down, then close, as Pyro4 does: a oneway call written just before stays intact.
    this.#stream.end(() => this.#stream.destroy());
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
    return msg.data.length < SEPARATE_PAYLOAD_SIZE
      ? encodeMessage(msg, this.#encodeOptions)
      : encodeMessageParts(msg, this.#encodeOptions);
  }

  /**
   * Write one framed message; `done` runs once all of it is written. A large payload goes
   * beside its header, both corked into a single writev, so its bytes are not copied again.
   */
  #put(frame: Frame, done?: (error: Error | null | undefined) => void): void {
    const stream = this.#stream;
    if (frame instanceof Uint8Array) {
      stream.write(frame, done);
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
    try {
      this.#reader.push(chunk);
      this.#dispatchAll();
    } catch (error) {
      this.#fail(error as PyroError);
    }
  };

  readonly #readBuffer = (): Uint8Array => this.#reader.readBuffer();

  readonly #onReceived = (buffer: Uint8Array, count: number): void => {
    try {
      this.#reader.received(buffer, count);
      this.#dispatchAll();
    } catch (error) {
      this.#fail(error as PyroError);
    }
  };

  #dispatchAll(): void {
    for (let msg = this.#reader.read(); msg !== undefined; msg = this.#reader.read()) {
      this.#dispatch(msg);
      if (this.closed) return;
    }
  }

  #dispatch(msg: Message): void {
    const head = this.#pending[0];
    if (head === undefined) {
      this.#fail(
        new PyroError(
          "protocol",
          `unexpected message (type ${msg.type}, seq ${msg.seq}) while no request was waiting; ` +
            "the peer is not a Pyro4 daemon or the stream is out of step",
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
    settle(head);
    head.resolve(msg);
  }

  readonly #onEnd = (): void => {
    // Closed already (e.g. by `close()`): building an error here would only cost its stack trace.
    if (this.closed) return;
    if (this.#pending.length > 0 || this.#reader.bufferedBytes > 0) {
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
    this.#shutdown(error);
    this.#stream.destroy();
  }

  #shutdown(reason: PyroError): void {
    this.#closeReason = reason;
    this.#stream.off("data", this.#onData);
    this.#directReads?.bind(null);
    for (const pending of this.#pending.splice(0)) {
      settle(pending);
      pending.reject(reason);
    }
    for (const listener of this.#closeListeners.splice(0)) listener(reason);
  }
}

function clientClosed(): PyroError {
  return new PyroError("connection-closed", "connection closed by the client");
}

/**
 * The reason of every close by the client with no request waiting: nobody is thrown it, so
 * one shared, stack-free instance saves building an error per `$release()` (~1-6 us).
 */
const CLIENT_CLOSED = closedError("connection closed by the client", false);

/**
 * The reason of an orderly close. With no request waiting nobody sees its stack, and
 * capturing one costs ~5-15 us per connection, so it is skipped then.
 */
function closedError(message: string, withStack: boolean): PyroError {
  if (withStack) return new PyroError("connection-closed", message);
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new PyroError("connection-closed", message);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Drop a request's timer and abort listener. */
function settle(pending: Pending): void {
  if (pending.timer !== undefined) clearTimeout(pending.timer);
  if (pending.onAbort !== undefined) pending.signal!.removeEventListener("abort", pending.onAbort);
}

function abortError(signal: CancelSignal, closing: boolean): PyroError {
  const reason: unknown = signal.reason;
  const text = reason instanceof Error ? reason.message : String(reason);
  const effect = closing
    ? "the connection was closed so later replies cannot get out of step"
    : "nothing was sent";
  return new PyroError("aborted", `call aborted: ${text} (${effect})`, { cause: reason });
}

function lostError(direction: "receiving" | "sending", error: Error): PyroError {
  return new PyroError("connection-closed", `${direction}: connection lost: ${error.message}`, {
    cause: error,
  });
}
