/**
 * One client connection of the daemon: the CONNECT handshake, then INVOKE and PING,
 * answered in order, in the daemon's wire protocol. Bad input gets Pyro's reply (CONNECTFAIL, an
 * exception reply) or a closed connection, never an exception that escapes.
 *
 * Memory stays bounded per connection: reading stops while many requests are queued, no
 * request is served while a megabyte of replies is unwritten (a client that does not read
 * is held back by TCP), and compressed requests inflate within a limit, in zlib's threads.
 * With a timeout (COMMTIMEOUT), a client that sends nothing, or reads nothing of its
 * replies, for that long is disconnected, as by Pyro4's daemon; a method that runs longer
 * is not cut short.
 */
import type { Socket } from "node:net";
import { TLSSocket, type PeerCertificate } from "node:tls";
import { PyroError } from "../errors.js";
import { Annotation, MessageFlag, MessageType } from "../protocol/constants.js";
import { inflateBounded } from "../protocol/compression.js";
import type { Message } from "../protocol/message.js";
import { MessageReader } from "../protocol/reader.js";
import { VERSION_BYTES } from "../protocol/version.js";
import type { InvokeCall, WireProtocol } from "../protocol/wire-protocol.js";
import { protocolOfHeader } from "../protocols.js";
import { blobCall } from "../serialized-blob.js";
import { giveBack } from "../serializers/scratch.js";
import type { Serializer } from "../serializers/serializer.js";
import { runInCall, type CallContext, type ClientAddress } from "./context.js";
import { correlationOf } from "./correlation.js";
import { metadataDict, streamMarker } from "./daemon-object.js";
import { dispatch, type Outcome } from "./dispatch.js";
import { exceptionDict } from "./remote-exception.js";
import type { ConnectionHost } from "./connection-host.js";

/** Stop reading from a client that pipelines more than this many requests… */
const PAUSE_AT = 64;
/** …or whose queued requests hold this many bytes. */
const PAUSE_AT_BYTES = 4 * 1024 * 1024;
/** Serve no further request while this much of the replies is not written yet. */
const WRITE_BACKLOG = 1024 * 1024;

/** How long a closing connection may take to flush its last replies. */
const CLOSE_GRACE_MS = 5000;

/** The client's TLS certificate, or `null` (no TLS, or the client sent none). */
function peerCertificateOf(socket: Socket): PeerCertificate | null {
  if (!(socket instanceof TLSSocket)) return null;
  const certificate = socket.getPeerCertificate();
  // Node returns an empty object when the client sent no certificate.
  return Object.keys(certificate).length > 0 ? certificate : null;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Serves one client; see the module comment. */
export class ClientConnection {
  readonly #socket: Socket;
  readonly #host: ConnectionHost<ClientConnection>;
  /** The client's protocol, known from its first bytes (until then the host's). */
  #protocol: WireProtocol;
  /** Made once the first bytes tell the protocol; `#early` holds them until then. */
  #reader: MessageReader | undefined;
  #early: Buffer | undefined;
  readonly client: ClientAddress;
  #connected = false;
  #closed = false;
  readonly #queue: Array<Message | { failure: unknown }> = [];
  /** Payload bytes of the queued requests. */
  #queuedBytes = 0;
  #draining = false;
  /** A request is being served (its method may run for long: the client waits for us). */
  #serving = false;

  constructor(socket: Socket, host: ConnectionHost<ClientConnection>) {
    this.#socket = socket;
    this.#host = host;
    this.#protocol = host.protocol;
    // Inflated when served, in zlib's threads when large (see #inflated).

    this.client = {
      address: socket.remoteAddress ?? null,
      port: socket.remotePort ?? null,
    };
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("error", () => {
      socket.destroy();
      this.close();
    });
    socket.on("close", () => this.close());
    if (host.timeoutMs > 0) {
      // Node's socket timeout: re-armed by every read and write, so it fires after that long
      // without either (including a reply the client does not read).
      socket.setTimeout(host.timeoutMs);
      socket.on("timeout", () => this.#timedOut());
    }
  }

  /** The socket saw no traffic for the timeout: drop an idle or stuck client, as Pyro4 does. */
  #timedOut(): void {
    if (this.#closed) return;
    if (this.#serving) {
      this.#socket.setTimeout(this.#host.timeoutMs);
      return;
    }
    this.#socket.destroy();
    this.close();
  }

  /**
   * Close the connection (idempotent). Replies already written are flushed first; the
   * socket is then destroyed even if the peer never closes its side.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const socket = this.#socket;
    if (socket.destroyed || socket.writableLength === 0) socket.destroy();
    else {
      socket.end(() => socket.destroy());
      // A peer that stops reading must not keep the socket alive.
      setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
    }
    this.#host.closed(this);
  }

  /**
   * The reader for this client, once its first 6 bytes (`PYRO` and the version) say which
   * generation it speaks; `undefined` until they are in.
   */
  #readerFor(chunk: Buffer): MessageReader | undefined {
    const early = this.#early === undefined ? chunk : Buffer.concat([this.#early, chunk]);
    if (early.length < VERSION_BYTES) {
      this.#early = early;
      return undefined;
    }
    this.#early = undefined;
    this.#protocol = protocolOfHeader(early, this.#protocol);
    const reader = new MessageReader(this.#protocol.frames, {
      hmacKey: this.#host.hmacKey,
      maxMessageSize: this.#host.maxMessageSize,
      inflate: false,
    });
    reader.push(early);
    this.#reader = reader;
    return reader;
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    try {
      let reader = this.#reader;
      if (reader === undefined) {
        reader = this.#readerFor(chunk);
        if (reader === undefined) return;
      } else reader.push(chunk);
      for (let msg = reader.read(); msg !== undefined; msg = reader.read()) {
        this.#host.wireLog?.("received", this.#peer(), msg);
        this.#queue.push(msg);
        this.#queuedBytes += msg.data.length;
      }
    } catch (error) {
      // Answered (or closed on) in turn, after the messages that came before the bad bytes.
      this.#queue.push({ failure: error });
    }
    if (this.#queue.length >= PAUSE_AT || this.#queuedBytes >= PAUSE_AT_BYTES) this.#socket.pause();
    if (!this.#draining) void this.#drain();
  }

  /** Serve queued requests one after the other, as a Pyro4 daemon serves one connection. */
  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      for (
        let item = this.#queue.shift();
        item !== undefined && !this.#closed;
        item = this.#queue.shift()
      ) {
        if ("failure" in item) {
          await this.#readFailed(item.failure);
        } else {
          this.#queuedBytes -= item.data.length;
          this.#serving = true;
          await this.#handle(item);
          this.#serving = false;
        }
        // A client that does not read its replies gets no more until they are written.
        if (this.#socket.writableLength >= WRITE_BACKLOG) await this.#written();
        if (
          this.#socket.isPaused() &&
          this.#queue.length < PAUSE_AT / 4 &&
          this.#queuedBytes < PAUSE_AT_BYTES / 4
        ) {
          this.#socket.resume();
        }
      }
    } catch (error) {
      this.#host.log("daemon: dropping a connection after an internal error", error);
      this.close();
    } finally {
      this.#serving = false;
      this.#draining = false;
    }
  }

  /** Resolves once every reply written so far has gone out (or the connection closed). */
  #written(): Promise<void> {
    const socket = this.#socket;
    return new Promise((resolve) => {
      const done = (): void => {
        socket.off("drain", done);
        socket.off("close", done);
        resolve();
      };
      socket.on("drain", done);
      socket.on("close", done);
    });
  }

  #send(msg: Message): void {
    const options = {
      // A generation without signing refuses the key; its refusals go out unsigned.
      hmacKey: this.#protocol.signs ? this.#host.hmacKey : undefined,
      maxMessageSize: this.#host.maxMessageSize,
      compress: this.#host.compress,
    };
    this.#socket.write(this.#protocol.frames.encode(msg, options, true).head);
    this.#host.wireLog?.("sent", this.#peer(), msg);
  }

  /**
   * {@link #send} a reply whose payload is the encoder's lent scratch memory: the frame
   * copies it, so it goes back for the next encode at once, sent or not.
   */
  #sendLent(msg: Message): void {
    try {
      this.#send(msg);
    } finally {
      giveBack(msg.data);
    }
  }

  /** The client as wire log lines name it. */
  #peer(): string {
    const { address, port } = this.client;
    if (address === null) return "local";
    return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
  }

  /** The wire id of `serializer` in the daemon's protocol. */
  #idOf(serializer: Serializer): number {
    return this.#protocol.serializers.id(serializer.name);
  }

  /** Reply CONNECTFAIL with `reason` (in marshal unless a serializer is given) and close. */
  #refuse(reason: string, seq: number, serializer?: Serializer): void {
    const ser =
      serializer ?? this.#host.anySerializer(this.#protocol.serializers.refusal, this.#protocol);
    if (ser !== undefined) {
      try {
        this.#send({
          type: MessageType.CONNECTFAIL,
          flags: 0,
          seq,
          serializerId: this.#idOf(ser),
          annotations: new Map(),
          data: ser.dumps(reason),
        });
      } catch (error) {
        this.#host.log("daemon: could not send CONNECTFAIL", error);
      }
    }
    this.close();
  }

  async #readFailed(error: unknown): Promise<void> {
    // Before the handshake Pyro answers header/HMAC problems with a marshal CONNECTFAIL;
    // afterwards (and for oversized messages) the stream position is lost: just close.
    if (!this.#connected && error instanceof PyroError && error.code !== "message-too-large") {
      this.#refuse(error.message, 0);
      return;
    }
    this.close();
  }

  async #handle(msg: Message): Promise<void> {
    if ((msg.flags & MessageFlag.COMPRESSED) !== 0) {
      try {
        msg.data = await inflateBounded(msg.data, this.#host.inflateLimit);
        msg.flags &= ~MessageFlag.COMPRESSED;
      } catch (error) {
        await this.#readFailed(error);
        return;
      }
    }
    if (!this.#connected) {
      await this.#handshake(msg);
    } else if (msg.type === MessageType.INVOKE) {
      await this.#invoke(msg);
    } else if (msg.type === MessageType.PING) {
      this.#send({
        type: MessageType.PING,
        flags: 0,
        seq: msg.seq,
        serializerId: msg.serializerId,
        annotations: new Map(),
        correlationId: correlationOf(msg, this.#protocol.frames),
        data: Buffer.from("pong"),
      });
    } else {
      this.close();
    }
  }

  async #handshake(msg: Message): Promise<void> {
    if (msg.type !== MessageType.CONNECT) {
      this.#refuse(`invalid msg type ${msg.type} received`, 0);
      return;
    }
    const { handshake } = this.#protocol;
    const serializer = this.#host.acceptedSerializer(msg.serializerId, this.#protocol);
    if (serializer === undefined) {
      this.#refuse(handshake.notAcceptedReason(msg.serializerId), msg.seq);
      return;
    }
    try {
      const request = handshake.readRequest(msg, serializer.loads(msg.data));
      const response = await this.#host.validateHandshake(request.handshake, {
        client: this.client,
        peerCertificate: peerCertificateOf(this.#socket),
      });
      let metadata: unknown = null;
      if (request.objectId !== null) {
        const entry = this.#host.lookup(request.objectId);
        if (entry === undefined) throw new PyroError("daemon", "unknown object");
        metadata = metadataDict(entry.exposure);
      }
      const correlationId = correlationOf(msg, this.#protocol.frames);
      this.#send(handshake.accepted(msg, serializer, response, metadata, correlationId));
    } catch (error) {
      this.#refuse(messageOf(error), msg.seq, serializer);
      return;
    }
    this.#connected = true;
  }

  async #invoke(msg: Message): Promise<void> {
    const oneway = (msg.flags & MessageFlag.ONEWAY) !== 0;
    const protocol = this.#protocol;
    const serializer = this.#host.acceptedSerializer(msg.serializerId, this.#protocol);
    if (serializer === undefined) {
      const error = new PyroError(
        "serialize",
        protocol.handshake.notAcceptedReason(msg.serializerId),
      );
      const known = this.#host.anySerializer(msg.serializerId, this.#protocol);
      if (known !== undefined && !oneway) this.#replyError(msg, known, error, new Map());
      this.close();
      return;
    }
    let call: InvokeCall;
    try {
      call =
        (msg.flags & protocol.flags.KEEPSERIALIZED) === 0
          ? protocol.calls.decode(serializer, msg.data)
          : blobCall(msg.annotations.get(Annotation.BLBI), msg.data, serializer, protocol.calls);
    } catch (error) {
      if (!oneway) this.#replyError(msg, serializer, error, new Map());
      this.close();
      return;
    }
    const context: CallContext = {
      objectId: call.objectId,
      method: call.method,
      seq: msg.seq,
      annotations: msg.annotations,
      correlationId: correlationOf(msg, protocol.frames),
      client: this.client,
      responseAnnotations: new Map(),
      connection: this,
    };
    const batch = (msg.flags & MessageFlag.BATCH) !== 0;
    const run = (): Promise<Outcome> =>
      runInCall(
        context,
        () => dispatch(this.#host.lookup(call.objectId), call, batch, protocol.dialect),
        this.#host.asyncCallContext,
      );
    if (oneway) {
      // Like Pyro's ONEWAY_THREADED: the next request does not wait for this one.
      void run()
        .then((outcome) => {
          if (outcome.kind === "error") {
            this.#host.log(
              `daemon: oneway call '${call.method}' on '${call.objectId}' failed`,
              outcome.error,
            );
          } else if (outcome.kind === "stream") {
            void Promise.resolve(outcome.iterator.return?.()).catch(() => undefined);
          }
        })
        // A throwing logger must not become an unhandled rejection.
        .catch(() => undefined);
      return;
    }
    this.#reply(msg, serializer, await run(), context);
  }

  #reply(msg: Message, serializer: Serializer, outcome: Outcome, context: CallContext): void {
    const annotations = context.responseAnnotations;
    if (outcome.kind === "error") {
      if (outcome.callback) {
        this.#host.log(
          `daemon: callback '${context.method}' on '${context.objectId}' raised`,
          outcome.error,
        );
      }
      this.#replyError(msg, serializer, outcome.error, annotations);
      const error = outcome.error;
      if (
        outcome.callback ||
        (error instanceof PyroError && (error.isCommunicationError || error.code === "security"))
      ) {
        this.close();
      }
      return;
    }
    if (outcome.kind === "stream") {
      const ann = new Map(annotations);
      if (this.#host.itemStreaming) {
        ann.set(
          Annotation.STRM,
          Buffer.from(this.#host.streams.open(outcome.iterator, this), "ascii"),
        );
      } else {
        void Promise.resolve(outcome.iterator.return?.()).catch(() => undefined);
      }
      this.#send({
        type: MessageType.RESULT,
        flags: MessageFlag.EXCEPTION | this.#protocol.flags.ITEMSTREAMRESULT,
        seq: msg.seq,
        serializerId: this.#idOf(serializer),
        annotations: ann,
        data: serializer.dumps(streamMarker(this.#protocol.dialect.errorsModule)),
      });
      return;
    }
    let data: Uint8Array;
    try {
      // Lent, not copied out of the encoder: the frame is the reply's only copy.
      data = serializer.dumps(outcome.value, true);
    } catch (error) {
      this.#replyError(msg, serializer, error, annotations);
      this.close();
      return;
    }
    try {
      this.#sendLent({
        type: MessageType.RESULT,
        flags: outcome.batch ? MessageFlag.BATCH : 0,
        seq: msg.seq,
        serializerId: this.#idOf(serializer),
        annotations,
        correlationId: context.correlationId,
        data,
      });
    } catch (error) {
      // e.g. the reply exceeds maxMessageSize: Pyro closes without a reply.
      this.#host.log("daemon: could not send a reply", error);
      this.close();
    }
  }

  /**
   * An exception reply (without the correlation id, as Pyro4's); falls back to a PyroError if
   * `error` will not serialize.
   */
  #replyError(
    msg: Message,
    serializer: Serializer,
    error: unknown,
    annotations: Map<string, Uint8Array>,
  ): void {
    const errorsModule = this.#protocol.dialect.errorsModule;
    let data: Uint8Array;
    try {
      data = serializer.dumps(exceptionDict(error, errorsModule));
    } catch (why) {
      const fallback = new PyroError(
        "pyro",
        `Error serializing exception: ${messageOf(why)}. Original exception: ${messageOf(error)}`,
      );
      data = serializer.dumps(exceptionDict(fallback, errorsModule));
    }
    this.#send({
      type: MessageType.RESULT,
      flags: MessageFlag.EXCEPTION,
      seq: msg.seq,
      serializerId: this.#idOf(serializer),
      annotations,
      data,
    });
  }
}
