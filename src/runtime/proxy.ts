/**
 * The Pyro4 proxy: one remote object, one connection, every client feature of Pyro4's
 * Python proxy (spec 4–8, 14, 15). Control members start with `$`, which Pyro4 never
 * exposes, so they cannot collide with remote names.
 *
 * Calls on one proxy are pipelined over its single connection: each request is written at
 * once, and replies (which a Pyro4 daemon sends in request order) are matched by sequence
 * number. A timeout, an abort or a lost connection closes the connection and fails every
 * call in flight with the same error; the next call reconnects. A connection the daemon
 * closed between calls fails the next call once with `connection-closed`, as in Pyro4.
 * An idle connection does not keep the process alive, and a proxy the garbage collector
 * reclaims closes its connection.
 *
 * This file is over 500 lines: it is the one place that holds a proxy's settings, session
 * and call path together until they are split into parts of their own (issue 18).
 */
import type { PeerCertificate } from "node:tls";
import { ClassRegistry, createDefaultRegistry } from "./serializers/class-registry.js";
import { AsyncCalls } from "./async-calls.js";
import { BatchProxy } from "./batch.js";
import { PROXY_CLASS, proxyStateFromDict, proxyToDict, type ProxyState } from "./auto-proxy.js";
import {
  abortedError,
  checkTimeout,
  correlationBytes,
  toAnnotationMap,
  type AnnotationsInit,
  type CallOptions,
} from "./call-options.js";
import { Cancel } from "./cancel.js";
import { config as globalConfig, type PyroConfig } from "./config.js";
import { openConnection, type Connection } from "./connection.js";
import type { MessageChannel } from "./protocol/channel.js";
import { PyroError } from "./errors.js";
import { isEmptyMetadata, metadataFromNames, type ObjectMetadata } from "./metadata.js";
import { Annotation, MessageFlag, MessageType, PING_SERIALIZER_ID } from "./protocol/constants.js";
import type { Message } from "./protocol/message.js";
import { proxyHooks } from "./proxy-hooks.js";
import { blobRequest, SerializedBlob } from "./serialized-blob.js";
import { createSerializer, isSerializerName, SERIALIZER_NAMES } from "./serializers/index.js";
import { giveBack } from "./serializers/scratch.js";
import type { Serializer, SerializerName } from "./serializers/serializer.js";
import type { TlsClientOptions } from "./transport/tls-material.js";
import { URI } from "./uri.js";

/** What a {@link HandshakeValidator} learns about the new connection. */
export interface HandshakeConnection {
  /** The `PYRO:` URI connected to. */
  readonly uri: URI;
  /**
   * The daemon's TLS certificate (Pyro4's `_pyroConnection.getpeercert()`), to pin its
   * serial number or subject; `null` without TLS.
   */
  readonly peerCertificate: PeerCertificate | null;
}

/**
 * Validates the daemon's handshake response (and, through `connection`, its TLS
 * certificate); throw (or reject) to refuse the connection.
 */
export type HandshakeValidator = (
  response: unknown,
  connection: HandshakeConnection,
) => void | Promise<void>;

/** Options of a {@link Proxy}; what is left out comes from `config` (the global one by default). */
export interface ProxyOptions {
  /** serpent (default: SERIALIZER), json, marshal or msgpack. */
  serializer?: SerializerName;
  /**
   * Timeout in ms, 0 = none (default: COMMTIMEOUT × 1000): for connecting, and for replies
   * as an inactivity timeout (calls fail when no reply data arrived for this long while they
   * waited, as Pyro4's socket timeout). For a hard deadline on one call pass
   * `signal: AbortSignal.timeout(ms)`.
   */
  timeoutMs?: number;
  /**
   * Re-send a call this many times after it failed with a lost connection or a timeout
   * (default: MAX_RETRIES). Beware: the daemon may then execute the call more than once.
   */
  maxRetries?: number;
  /** HMAC key shared with the daemon (default: HMAC_KEY); `null` = none. */
  hmacKey?: string | Uint8Array | null;
  /** The handshake value sent in CONNECT (default `"hello"`). */
  handshake?: unknown;
  /**
   * Checks the daemon's handshake response and the connection (its TLS `peerCertificate`,
   * to pin it); a failure closes the connection with a `communication` error.
   */
  validateHandshake?: HandshakeValidator;
  /** Ask for and use the object's metadata (default: METADATA); `false` = METADATA off. */
  metadata?: boolean;
  /** Metadata known beforehand (a snapshot, an auto-proxy); replaced on connect. */
  knownMetadata?: ObjectMetadata;
  /** Compress outgoing payloads of 200 bytes or more (default: COMPRESSION). */
  compression?: boolean;
  /** Refuse messages larger than this in either direction, 0 = no limit (default: MAX_MESSAGE_SIZE). */
  maxMessageSize?: number;
  /**
   * The most a compressed reply may inflate to, 0 = no limit (default: `maxMessageSize` when
   * that is set, else 64 MiB). A larger one fails with `message-too-large`.
   */
  maxInflatedSize?: number;
  /** TLS: `true` (the SSL_* items), settings, or `false` (default: SSL). */
  tls?: boolean | TlsClientOptions;
  /**
   * Class (de)serialization hooks. The proxy reads them live (hooks registered later apply)
   * and adds its own for received proxies on top, without changing this registry.
   */
  registry?: ClassRegistry;
  /** A UUID sent as correlation id (`CORR`) with every request; `null` = none. */
  correlationId?: string | null;
  /** Custom annotations sent with every request. */
  annotations?: AnnotationsInit;
  /** Where defaults are read from (default: the global `config`). */
  config?: PyroConfig;
}

/** Options of {@link Proxy.$invoke}: call options plus the raw message details. */
export interface InvokeOptions extends CallOptions {
  /** Object id to address (default: the proxy's object), e.g. `Pyro.Daemon`. */
  objectId?: string;
  /** Flags for the INVOKE (`MessageFlag.BATCH`, `MessageFlag.ONEWAY`). */
  flags?: number;
}

/** A decoded reply, not yet interpreted (what {@link Proxy.$invoke} gives). */
export interface InvokeReply {
  /** The deserialized payload (class dicts revived). */
  readonly value: unknown;
  /** The reply's flags (BATCH, ITEMSTREAMRESULT, …). */
  readonly flags: number;
  /** The reply's annotations (`STRM` for streams, `CORR`, custom ones). */
  readonly annotations: ReadonlyMap<string, Uint8Array>;
}

/** Reach the real proxy behind a wrapper (e.g. the JS Proxy of `createProxy`). */
export const PROXY_TARGET: unique symbol = Symbol("pyrogen.proxyTarget");

const DEFAULT_HANDSHAKE = "hello";

/** A proxy for one remote Pyro4 object; see the module comment. */
export class Proxy {
  readonly #uri: URI;
  readonly #config: PyroConfig;
  readonly #userRegistry: ClassRegistry | undefined;
  readonly #registry: ClassRegistry;
  readonly #metadataOn: boolean;
  readonly #compression: boolean;
  readonly #maxMessageSize: number;
  readonly #maxInflatedSize: number | undefined;
  readonly #tls: boolean | TlsClientOptions | undefined;
  readonly #validate: HandshakeValidator | undefined;
  #serializer: Serializer;
  #timeoutMs: number;
  #maxRetries: number;
  #hmacKey: Uint8Array | undefined;
  #handshake: unknown;
  #correlationId: string | null = null;
  #correlation: Uint8Array | null = null;
  #annotations = new Map<string, Uint8Array>();
  #metadata: ObjectMetadata | null;
  #bound: URI | null = null;
  #seq = 0;
  #connection: Connection | null = null;
  #connecting: { promise: Promise<Connection>; abort: Cancel } | null = null;
  #responseAnnotations: ReadonlyMap<string, Uint8Array> = new Map();

  /** A proxy for `uri`; nothing is connected until the first call or `$bind()`. */
  constructor(uri: string | URI, options: ProxyOptions = {}) {
    const cfg = options.config ?? globalConfig;
    this.#config = cfg;
    this.#uri =
      typeof uri === "string" ? URI.parse(uri, { nsPort: cfg.get("NS_PORT") }) : new URI(uri);
    this.#userRegistry = options.registry;
    // On top of the user's registry, read live: hooks registered there later apply too.
    this.#registry = options.registry?.derive() ?? createDefaultRegistry();
    this.#registry.registerDictToClass(PROXY_CLASS, (dict) => this.#reviveProxy(dict));
    this.#registry.registerClassToDict(Proxy, (value, serializerName) =>
      proxyToDict(unwrap(value).#state(serializerName)),
    );
    this.#serializer = this.#makeSerializer(options.serializer ?? cfg.get("SERIALIZER"));
    this.#timeoutMs = checkTimeout(options.timeoutMs ?? cfg.get("COMMTIMEOUT") * 1000, "timeoutMs");
    this.#maxRetries = checkRetries(options.maxRetries ?? cfg.get("MAX_RETRIES"));
    this.#hmacKey = toKey(options.hmacKey === undefined ? cfg.get("HMAC_KEY") : options.hmacKey);
    this.#handshake = options.handshake === undefined ? DEFAULT_HANDSHAKE : options.handshake;
    this.#validate = options.validateHandshake;
    this.#metadataOn = options.metadata ?? cfg.get("METADATA");
    this.#metadata = options.knownMetadata ?? null;
    this.#compression = options.compression ?? cfg.get("COMPRESSION");
    this.#maxMessageSize = checkSize(
      options.maxMessageSize ?? cfg.get("MAX_MESSAGE_SIZE"),
      "maxMessageSize",
    );
    this.#maxInflatedSize =
      options.maxInflatedSize === undefined
        ? undefined
        : checkSize(options.maxInflatedSize, "maxInflatedSize");
    this.#tls = options.tls;
    this.$correlationId = options.correlationId ?? null;
    this.$annotations = options.annotations ?? new Map<string, Uint8Array>();
  }

  /** The URI: the one given, or the resolved `PYRO:` URI once `$bind()` pinned it. */
  get $uri(): URI {
    return this.#bound ?? this.#uri;
  }

  /** The object's metadata once known (after connecting), else `null`. */
  get $metadata(): ObjectMetadata | null {
    return this.#metadata;
  }

  /** The configuration this proxy reads its defaults (and name-server location) from. */
  get $config(): PyroConfig {
    return this.#config;
  }

  /** True while a connection is open. */
  get $connected(): boolean {
    return this.#connection !== null && !this.#connection.channel.closed;
  }

  /** The handshake response of the current connection (`undefined` when not connected). */
  get $handshakeResponse(): unknown {
    return this.#connection?.response;
  }

  /** Timeout in ms for connecting and of inactivity while calls wait for replies; 0 = none. */
  get $timeout(): number {
    return this.#timeoutMs;
  }
  set $timeout(ms: number) {
    this.#timeoutMs = checkTimeout(ms, "$timeout");
  }

  /** How often a call is re-sent after a lost connection or timeout (it may run again). */
  get $maxRetries(): number {
    return this.#maxRetries;
  }
  set $maxRetries(retries: number) {
    this.#maxRetries = checkRetries(retries);
  }

  /** The serializer of the next requests (the daemon takes any accepted one per message). */
  get $serializer(): SerializerName {
    return this.#serializer.name;
  }
  set $serializer(name: SerializerName) {
    this.#serializer = this.#makeSerializer(name);
  }

  /** The HMAC key (`undefined` = none). Changing it closes the connection. */
  get $hmacKey(): Uint8Array | undefined {
    return this.#hmacKey;
  }
  set $hmacKey(key: string | Uint8Array | null | undefined) {
    this.#hmacKey = toKey(key ?? null);
    this.$release();
  }

  /** The handshake value sent with the next CONNECT. */
  get $handshake(): unknown {
    return this.#handshake;
  }
  set $handshake(value: unknown) {
    this.#handshake = value;
  }

  /** The correlation id (a UUID) sent as `CORR` with every request, or `null`. */
  get $correlationId(): string | null {
    return this.#correlationId;
  }
  set $correlationId(id: string | null) {
    this.#correlation = id === null ? null : correlationBytes(id);
    this.#correlationId = id;
  }

  /** Custom annotations sent with every request (4-character keys). */
  get $annotations(): ReadonlyMap<string, Uint8Array> {
    return this.#annotations;
  }
  set $annotations(annotations: AnnotationsInit) {
    this.#annotations = toAnnotationMap(annotations);
  }

  /**
   * The annotations of the last reply (`CORR` and whatever the daemon added): the CONNECT
   * reply's once connected, then each call's; empty after a oneway call, which gets none.
   */
  get $responseAnnotations(): ReadonlyMap<string, Uint8Array> {
    return this.#responseAnnotations;
  }

  /**
   * Call a remote method. Positional `args`, keyword `kwargs`. With metadata (the default)
   * an unknown name fails locally (`attribute` error) and `@oneway` methods resolve with
   * `undefined` once the request is written. A remote exception rejects with a
   * {@link PyroError} carrying `.remote` (type, args, attributes, traceback).
   */
  async $call(
    method: string,
    args: readonly unknown[] = [],
    kwargs?: Readonly<Record<string, unknown>> | null,
    options: CallOptions = {},
  ): Promise<unknown> {
    // Awaited only when metadata is wanted but not known yet (before the first connect).
    const metadata = this.#metadataOn
      ? (this.#metadata ?? (await this.#knownMetadata(options)))
      : null;
    if (metadata !== null && !metadata.methods.has(method)) {
      const hint = metadata.attrs.has(method) ? ` ('${method}' is an attribute: use $get)` : "";
      throw new PyroError(
        "attribute",
        `remote object '${this.$uri.toString()}' has no exposed attribute or method '${method}'${hint}`,
      );
    }
    const oneway = options.oneway ?? metadata?.oneway.has(method) ?? false;
    const reply = await this.#invoke(
      method,
      args,
      kwargs ?? {},
      options,
      oneway ? MessageFlag.ONEWAY : 0,
    );
    if (reply === undefined) return undefined;
    if ((reply.flags & MessageFlag.ITEMSTREAMRESULT) !== 0) {
      const id = reply.annotations.get(Annotation.STRM);
      if (id === undefined || id.length === 0) {
        throw new PyroError(
          "protocol",
          "result of call is an iterator, but the server is not configured to allow streaming",
        );
      }
      return proxyHooks.stream(Buffer.from(id).toString("latin1"), this);
    }
    return reply.value;
  }

  /** Read a remote attribute (an exposed Python property). */
  async $get(name: string, options: CallOptions = {}): Promise<unknown> {
    await this.#checkAttribute(name, options);
    const reply = await this.$invoke("__getattr__", [name], this.#attributeKwargs(), options);
    return reply?.value;
  }

  /** Write a remote attribute (an exposed Python property with a setter). */
  async $set(name: string, value: unknown, options: CallOptions = {}): Promise<void> {
    await this.#checkAttribute(name, options);
    await this.$invoke("__setattr__", [name, value], this.#attributeKwargs(), options);
  }

  /** Record calls to send together as one message (a batch): see {@link BatchProxy}. */
  $batch(): BatchProxy {
    return new BatchProxy(this);
  }

  /** Asynchronous calls, each on its own connection, resolving to `Future`s. */
  get $async(): AsyncCalls {
    return new AsyncCalls(this);
  }

  /**
   * Ping the daemon over this proxy's connection (Pyro4's MSG_PING, which the daemon answers
   * without calling anything), connecting first when needed. Timeouts and aborts apply as
   * for a call.
   */
  async $ping(options: CallOptions = {}): Promise<void> {
    const timeoutMs = this.#callTimeout(options);
    const connection = this.#openConnectionOrFail() ?? (await this.#connect(options));
    await connection.channel.request(
      {
        type: MessageType.PING,
        flags: 0,
        seq: this.#nextSeq(),
        serializerId: PING_SERIALIZER_ID,
        annotations: this.#requestAnnotations(options),
        data: PING_PAYLOAD,
      },
      { timeoutMs, signal: options.signal },
    );
  }

  /**
   * The low-level call under `$call`: send one INVOKE with explicit `flags` (BATCH, ONEWAY)
   * to `objectId` (default: the proxy's object), with no metadata checks, and resolve with
   * the decoded reply — `undefined` for ONEWAY. An EXCEPTION reply rejects with the remote
   * error (unless it also carries ITEMSTREAMRESULT, which is returned as is). Lazy connect,
   * timeouts, aborts and `$maxRetries` apply as for `$call`. Used by batches and streams.
   */
  $invoke(
    method: string,
    args: readonly unknown[],
    kwargs: Readonly<Record<string, unknown>> | null,
    options: InvokeOptions = {},
  ): Promise<InvokeReply | undefined> {
    return this.#invoke(method, args, kwargs, options, options.flags ?? 0);
  }

  /** `$invoke` with the flags apart, so `$call` needs no options copy. */
  #invoke(
    method: string,
    args: readonly unknown[],
    kwargs: Readonly<Record<string, unknown>> | null,
    options: InvokeOptions,
    flags: number,
  ): Promise<InvokeReply | undefined> {
    // Without retries (the default) the attempt's own promise is the result: no extra await.
    if (this.#maxRetries === 0) return this.#invokeOnce(method, args, kwargs, options, flags);
    return this.#invokeRetrying(method, args, kwargs, options, flags);
  }

  async #invokeRetrying(
    method: string,
    args: readonly unknown[],
    kwargs: Readonly<Record<string, unknown>> | null,
    options: InvokeOptions,
    flags: number,
  ): Promise<InvokeReply | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#invokeOnce(method, args, kwargs, options, flags);
      } catch (error) {
        if (attempt >= this.#maxRetries || !isRetriable(error) || options.signal?.aborted) {
          throw error;
        }
      }
    }
  }

  /**
   * Connect now (resolving a PYRONAME/PYROMETA URI) and pin the resolved URI, so later
   * reconnects skip the name server. Metadata is available afterwards.
   */
  async $bind(options: CallOptions = {}): Promise<void> {
    const connection = await this.#connect(options);
    this.#bound = connection.uri;
  }

  /**
   * Close the connection and open a new one, trying up to `tries` times with `delayMs`
   * between tries (Pyro4 waits 2 s). Fails with `connection-closed` when every try failed.
   */
  async $reconnect(tries = 100_000_000, delayMs = 2000): Promise<void> {
    this.$release();
    let last: unknown;
    for (let attempt = 1; attempt <= tries; attempt++) {
      try {
        await this.#connect({});
        return;
      } catch (error) {
        last = error;
        if (attempt < tries) await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
    const why = last instanceof Error ? last.message : String(last);
    throw new PyroError(
      "connection-closed",
      `failed to reconnect to ${this.$uri.toString()} after ${tries} tries: ${why}`,
      { cause: last },
    );
  }

  /**
   * Close the connection (calls in flight fail with `connection-closed`). The proxy stays
   * usable: the next call reconnects.
   */
  $release(): void {
    const connecting = this.#connecting;
    this.#connecting = null;
    connecting?.abort.abort(new PyroError("connection-closed", "the proxy was released"));
    const connection = this.#connection;
    this.#connection = null;
    connection?.channel.close();
  }

  /** A new, unconnected proxy with the same URI, metadata and settings. */
  $copy(): Proxy {
    const copy = new Proxy(this.$uri, this.#settings());
    copy.#bound = this.#bound;
    return copy;
  }

  /** `await using proxy = new Proxy(…)` releases the connection at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.$release();
  }

  /** Pyro4's `repr`-like description. */
  toString(): string {
    return `<pyrogen.Proxy for ${this.$uri.toString()}${this.$connected ? "; connected" : ""}>`;
  }

  /** This proxy (wrappers such as `createProxy`'s forward it, so hooks reach the real proxy). */
  get [PROXY_TARGET](): Proxy {
    return this;
  }

  #settings(): ProxyOptions {
    return {
      serializer: this.#serializer.name,
      timeoutMs: this.#timeoutMs,
      maxRetries: this.#maxRetries,
      hmacKey: this.#hmacKey ?? null,
      handshake: this.#handshake,
      ...(this.#validate === undefined ? {} : { validateHandshake: this.#validate }),
      metadata: this.#metadataOn,
      ...(this.#metadata === null ? {} : { knownMetadata: this.#metadata }),
      compression: this.#compression,
      maxMessageSize: this.#maxMessageSize,
      ...(this.#maxInflatedSize === undefined ? {} : { maxInflatedSize: this.#maxInflatedSize }),
      ...(this.#tls === undefined ? {} : { tls: this.#tls }),
      ...(this.#userRegistry === undefined ? {} : { registry: this.#userRegistry }),
      correlationId: this.#correlationId,
      annotations: this.#annotations,
      config: this.#config,
    };
  }

  #makeSerializer(name: string): Serializer {
    if (!isSerializerName(name)) {
      throw new PyroError(
        "config",
        `invalid serializer '${name}': must be one of ${SERIALIZER_NAMES.join(", ")}`,
      );
    }
    return createSerializer(name, this.#registry);
  }

  /** The metadata to check names against, connecting first if it is wanted but unknown. */
  async #knownMetadata(options: CallOptions): Promise<ObjectMetadata | null> {
    if (!this.#metadataOn) return null;
    if (this.#metadata === null) await this.#connect(options);
    return this.#metadata;
  }

  async #checkAttribute(name: string, options: CallOptions): Promise<void> {
    const metadata = await this.#knownMetadata(options);
    if (metadata === null || metadata.attrs.has(name)) return;
    const hint = metadata.methods.has(name) ? ` ('${name}' is a method: use $call)` : "";
    throw new PyroError(
      "attribute",
      `remote object '${this.$uri.toString()}' has no exposed attribute '${name}'${hint}`,
    );
  }

  /** Pyro4 sends `None` as kwargs of attribute access; marshal needs `{}` (spec 8). */
  #attributeKwargs(): Record<string, unknown> | null {
    return this.#serializer.name === "marshal" ? {} : null;
  }

  /** One attempt; not `async` so that on an open connection no extra promise is chained. */
  #invokeOnce(
    method: string,
    args: readonly unknown[],
    kwargs: Readonly<Record<string, unknown>> | null,
    options: InvokeOptions,
    flags: number,
  ): Promise<InvokeReply | undefined> {
    try {
      const timeoutMs = this.#callTimeout(options);
      const open = this.#openConnectionOrFail();
      if (open !== null) return this.#send(open, method, args, kwargs, options, flags, timeoutMs);
      return this.#connect(options).then((connection) =>
        this.#send(connection, method, args, kwargs, options, flags, timeoutMs),
      );
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /**
   * The open connection; `null` when there is none (the next call connects). A connection the
   * daemon closed between calls is forgotten and fails this one call with `connection-closed`,
   * as Pyro4's does: reconnecting silently could swap a session object behind the caller.
   */
  #openConnectionOrFail(): Connection | null {
    const open = this.#connection;
    if (open === null || !open.channel.closed) return open;
    this.#connection = null;
    const reason = open.channel.closeReason?.message ?? "closed";
    throw new PyroError(
      "connection-closed",
      `the connection to ${open.uri.location ?? open.uri.toString()} was closed since the last ` +
        `call (${reason}); nothing was sent. The next call opens a new connection ` +
        "(with maxRetries, this one is re-sent on it at once)",
      { cause: open.channel.closeReason },
    );
  }

  /** Encode and write one INVOKE on `connection`; resolve with its decoded reply. */
  #send(
    connection: Connection,
    method: string,
    args: readonly unknown[],
    kwargs: Readonly<Record<string, unknown>> | null,
    options: InvokeOptions,
    flags: number,
    timeoutMs: number,
  ): Promise<InvokeReply | undefined> {
    const serializer = this.#serializer;
    const objectId = options.objectId ?? connection.uri.object;
    const request: Message =
      args[0] instanceof SerializedBlob
        ? this.#blobMessage(args[0], args, kwargs, objectId, method, options, flags)
        : {
            type: MessageType.INVOKE,
            flags,
            seq: 0,
            serializerId: serializer.id,
            annotations: this.#requestAnnotations(options),
            // Lent scratch memory, given back by the channel once framed or written: the
            // payload is neither copied out of the encoder nor allocated afresh per call.
            data: serializer.dumpsCallLent({ objectId, method, vargs: args, kwargs }),
          };
    // The sequence number is taken right before the synchronous write, so numbers go out
    // in order even when many callers share the connection.
    request.seq = this.#nextSeq();
    const signal = options.signal;
    if ((flags & MessageFlag.ONEWAY) !== 0) {
      // No reply, so no reply annotations (Pyro4 empties them too).
      this.#responseAnnotations = NO_ANNOTATIONS;
      return connection.channel.request(request, {
        expectReply: false,
        signal,
        release: giveBack,
      });
    }
    return connection.channel
      .request(request, { timeoutMs, signal, release: giveBack })
      .then((reply) => this.#readReply(connection, reply, serializer));
  }

  /** An INVOKE whose only argument is a {@link SerializedBlob} (KEEPSERIALIZED, `BLBI`). */
  #blobMessage(
    blob: SerializedBlob,
    args: readonly unknown[],
    kwargs: Readonly<Record<string, unknown>> | null,
    objectId: string,
    method: string,
    options: CallOptions,
    flags: number,
  ): Message {
    const serializer = this.#serializer;
    const { data, info } = blobRequest(blob, args, kwargs, serializer, objectId, method);
    const annotations = new Map(this.#requestAnnotations(options));
    annotations.set(Annotation.BLBI, info);
    return {
      type: MessageType.INVOKE,
      flags: flags | MessageFlag.KEEPSERIALIZED,
      seq: 0,
      serializerId: serializer.id,
      annotations,
      data,
    };
  }

  #readReply(connection: Connection, reply: Message, serializer: Serializer): InvokeReply {
    if (reply.serializerId !== serializer.id) {
      const error = new PyroError(
        "serialize",
        `invalid serializer in response: ${reply.serializerId}`,
      );
      connection.channel.close(error);
      throw error;
    }
    this.#responseAnnotations = reply.annotations;
    let value: unknown;
    try {
      value = serializer.loads(reply.data);
    } catch (error) {
      connection.channel.close(lostAfter(error));
      throw error;
    }
    const flags = reply.flags;
    if ((flags & MessageFlag.EXCEPTION) !== 0 && (flags & MessageFlag.ITEMSTREAMRESULT) === 0) {
      const error =
        value instanceof PyroError
          ? value
          : new PyroError("remote", `remote exception (not an exception dict): ${String(value)}`);
      // Pyro4 drops the connection after a communication-class error (spec 5.2 step 9).
      if (error.isCommunicationError) connection.channel.close(lostAfter(error));
      throw error;
    }
    return { value, flags, annotations: reply.annotations };
  }

  #callTimeout(options: CallOptions): number {
    return options.timeoutMs === undefined
      ? this.#timeoutMs
      : checkTimeout(options.timeoutMs, "timeoutMs");
  }

  #nextSeq(): number {
    this.#seq = (this.#seq + 1) & 0xffff;
    return this.#seq;
  }

  #requestAnnotations(options: CallOptions): Map<string, Uint8Array> {
    // Nothing to add: send the proxy's own map (nothing downstream modifies a message's map).
    if (options.annotations === undefined && this.#correlation === null) return this.#annotations;
    const annotations = new Map(this.#annotations);
    if (options.annotations !== undefined) {
      for (const [key, value] of toAnnotationMap(options.annotations)) annotations.set(key, value);
    }
    if (this.#correlation !== null) annotations.set(Annotation.CORR, this.#correlation);
    return annotations;
  }

  /** The open connection, or a new one (shared by every caller waiting for it). */
  async #connect(options: CallOptions): Promise<Connection> {
    const open = this.#connection;
    if (open !== null && !open.channel.closed) return open;
    let attempt = this.#connecting;
    if (attempt === null) {
      const abort = new Cancel();
      const promise = this.#openConnection(this.#callTimeout(options), abort);
      const current = { promise, abort };
      attempt = current;
      this.#connecting = current;
      const clear = (): void => {
        if (this.#connecting === current) this.#connecting = null;
      };
      promise.then(clear, clear);
    }
    // A caller's abort stops the shared attempt: waiting callers fail alike, nothing hangs.
    const signal = options.signal;
    if (signal === undefined) return attempt.promise;
    if (signal.aborted) throw abortedError(signal, "call");
    const abort = attempt.abort;
    const onAbort = (): void => abort.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      return await attempt.promise;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  async #openConnection(timeoutMs: number, signal: Cancel): Promise<Connection> {
    try {
      return await this.#handshaken(timeoutMs, signal);
    } catch (error) {
      if (signal.aborted && !(error instanceof PyroError)) throw abortedError(signal, "connecting");
      throw error;
    }
  }

  async #handshaken(timeoutMs: number, signal: Cancel): Promise<Connection> {
    const uri = this.#bound ?? (await proxyHooks.resolve(this.#uri, this));
    const connection = await openConnection({
      uri,
      serializer: this.#serializer,
      seq: this.#seq,
      handshake: this.#handshake,
      metadata: this.#metadataOn,
      hmacKey: this.#hmacKey,
      compression: this.#compression,
      maxMessageSize: this.#maxMessageSize,
      maxInflatedSize: this.#maxInflatedSize,
      tls: this.#tls,
      config: this.#config,
      timeoutMs,
      signal,
      annotations: this.#requestAnnotations({}),
    });
    try {
      await this.#validate?.(connection.response, {
        uri,
        peerCertificate: connection.peerCertificate,
      });
    } catch (error) {
      connection.channel.close();
      const why = error instanceof Error ? error.message : String(error);
      throw new PyroError(
        "communication",
        `connection to ${uri.location ?? uri.toString()} refused by validateHandshake: ${why}`,
        { cause: error },
      );
    }
    if (signal.aborted) {
      connection.channel.close();
      throw abortedError(signal, "connecting");
    }
    if (connection.metadata !== null) this.#metadata = connection.metadata;
    this.#connection = connection;
    this.#responseAnnotations = connection.annotations;
    const channel = connection.channel;
    // Only a weak reference from the connection back to the proxy: the socket must not
    // keep a dropped proxy alive, whose connection the finalizer then closes.
    const proxy = new WeakRef(this);
    droppedProxies.register(this, channel, channel);
    channel.onClose(() => {
      droppedProxies.unregister(channel);
      const alive = proxy.deref();
      if (alive !== undefined) alive.#connectionClosed(connection);
    });
    return connection;
  }

  /**
   * Forget a closed connection, unless the daemon closed it while no call waited: then the
   * next call must learn of it (see {@link #openConnectionOrFail}).
   */
  #connectionClosed(connection: Connection): void {
    if (this.#connection === connection && !connection.channel.diedIdle) this.#connection = null;
  }

  #state(serializerName: string): ProxyState {
    const metadata = this.#metadata;
    return {
      uri: this.$uri.toString(),
      oneway: [...(metadata?.oneway ?? [])],
      methods: [...(metadata?.methods ?? [])],
      attrs: [...(metadata?.attrs ?? [])],
      timeoutSeconds: this.#timeoutMs / 1000,
      hmacKey: this.#hmacKey ?? null,
      handshake: this.#handshake,
      maxRetries: this.#maxRetries,
      serializer: isSerializerName(serializerName) ? serializerName : this.#serializer.name,
    };
  }

  /**
   * A received proxy (auto-proxy) becomes a live proxy with this proxy's settings, except
   * what would trust the endpoint the server named: as in Pyro4 it has the HMAC key of its
   * state only (none unless the sender put one there), and it gets this proxy's TLS settings
   * only for this proxy's own daemon (else the config's, as a proxy made by hand would).
   */
  #reviveProxy(dict: Record<string, unknown>): Proxy {
    const state = proxyStateFromDict(dict);
    const known = metadataFromNames(state.methods, state.oneway, state.attrs);
    const settings = this.#settings();
    delete settings.knownMetadata;
    delete settings.validateHandshake;
    const uri = URI.parse(state.uri, { nsPort: this.#config.get("NS_PORT") });
    const here = this.#connection?.uri.location ?? this.$uri.location;
    if (uri.location === null || uri.location !== here) delete settings.tls;
    return new Proxy(uri, {
      ...settings,
      serializer: state.serializer ?? this.#serializer.name,
      hmacKey: state.hmacKey,
      handshake: state.handshake,
      ...(isEmptyMetadata(known) ? {} : { knownMetadata: known }),
    });
  }
}

/** The real proxy behind `value` (itself, or the target of a `createProxy` wrapper). */
function unwrap(value: object): Proxy {
  return (value as { [PROXY_TARGET]: Proxy })[PROXY_TARGET];
}

/** Only a lost connection or a timeout is retried (never a refused connect, never a remote error). */
function isRetriable(error: unknown): boolean {
  return (
    error instanceof PyroError &&
    error.remote === undefined &&
    (error.code === "connection-closed" || error.code === "timeout")
  );
}

function lostAfter(error: unknown): PyroError {
  const why = error instanceof Error ? error.message : String(error);
  return new PyroError("connection-closed", `connection closed after an error: ${why}`, {
    cause: error,
  });
}

function toKey(key: string | Uint8Array | null): Uint8Array | undefined {
  if (key === null) return undefined;
  if (typeof key === "string") return key === "" ? undefined : Buffer.from(key, "utf8");
  if (key instanceof Uint8Array) return key.length === 0 ? undefined : key;
  throw new PyroError("config", "invalid hmacKey: must be a string, a Uint8Array or null");
}

function checkRetries(value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new PyroError("config", `invalid maxRetries=${String(value)}: must be an integer >= 0`);
  }
  return value;
}

function checkSize(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new PyroError(
      "config",
      `invalid ${what}=${String(value)}: must be an integer >= 0 (0 = no limit)`,
    );
  }
  return value;
}

/** Closes the connection of a proxy the garbage collector reclaimed (Pyro4's `__del__`). */
const droppedProxies = new FinalizationRegistry<MessageChannel>((channel) => channel.close());

/** The reply annotations after a oneway call: none. */
const NO_ANNOTATIONS: ReadonlyMap<string, Uint8Array> = new Map();

/** The payload of a PING, as Pyro4 sends it (the daemon never reads it). */
const PING_PAYLOAD = Buffer.from("ping");
