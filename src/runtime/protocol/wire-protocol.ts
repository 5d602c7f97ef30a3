/**
 * The seam between pyrogen and one generation of Pyro's wire protocol. Everything that
 * differs between generations sits behind {@link WireProtocol}: how a message is framed
 * (header layout, annotation chunks, signing, compression), the flag bits that moved, the
 * serializer ids, the CONNECT exchange, the INVOKE payload, and the class names values
 * travel under. The reader, the channel, the proxy and the daemon only ever talk to this
 * interface; Pyro4's protocol 48 implements it in `protocol-pyro4/`. How to add another
 * generation: docs/internals.md, "Wire protocols".
 */
import type { ObjectMetadata } from "../metadata.js";
import type { SerializerName } from "../serializers/catalog.js";
import type { ClassRegistry } from "../serializers/class-registry.js";
import type { Serializer } from "../serializers/serializer.js";
import type { URI } from "../uri.js";
import type { EncodeOptions, Message, MessageHeader, MessageParts } from "./message.js";

/** One generation of the wire protocol; see the module comment. */
export interface WireProtocol {
  /** `Pyro4`: the generation, as in its class names. */
  readonly name: string;
  /** The generation's number (4, 5), as the `protocol` option names it. */
  readonly generation: number;
  /** The protocol version every header carries (48 for Pyro4, 502 for Pyro5). */
  readonly version: number;
  /** Whether messages can be signed with an HMAC key (Pyro4; Pyro5 dropped it). */
  readonly signs: boolean;
  /** Framing: header, annotation chunks, signing, compression. */
  readonly frames: FrameCodec;
  /** The flag bits whose values depend on the generation. */
  readonly flags: ProtocolFlags;
  /** Which wire id each serializer has. */
  readonly serializers: SerializerIds;
  /** The CONNECT exchange, both sides. */
  readonly handshake: HandshakeLayout;
  /** INVOKE payloads, both sides. */
  readonly calls: CallLayout;
  /** The class names and class-dict layouts values travel under. */
  readonly dialect: ClassDialect;
}

/** Turning messages into bytes and back. */
export interface FrameCodec {
  /** Size of the fixed header in bytes. */
  readonly headerSize: number;
  /**
   * Parse and check the fixed header at `offset` of `bytes` (at least {@link headerSize}
   * bytes from there); every failure is a `protocol` error.
   */
  decodeHeader(bytes: Uint8Array, offset: number): MessageHeader;
  /**
   * Split the annotation block of `size` bytes at `start` of `body` into key → value copies
   * (`./annotation-value.ts`), so a message's memory can be read into again while a caller
   * keeps its annotations. An empty block gives the shared, unchangeable `NO_ANNOTATIONS`.
   */
  decodeAnnotations(body: Uint8Array, start: number, size: number): Map<string, Uint8Array>;
  /**
   * Check a received message's signature with `key` (none: `undefined`); a `security` error
   * when it does not match or exactly one side signs.
   */
  verify(
    key: Uint8Array | undefined,
    data: Uint8Array,
    annotations: ReadonlyMap<string, Uint8Array>,
  ): void;
  /**
   * Frame `msg`: compress (when asked and worthwhile), sign, check the sizes. With
   * `withData` the payload is copied behind the header into `head`; without, `data` is the
   * payload as it goes out (compressed or not), to be written beside `head`.
   */
  encode(msg: Message, options: EncodeOptions, withData: boolean): MessageParts;
  /** The correlation id a received message carries, if any. */
  correlationOf(msg: Message): Uint8Array | undefined;
}

/** Flag bits that mean the same in every generation but sit at different bits. */
export interface ProtocolFlags {
  /** RESULT: the payload is an exception. */
  readonly EXCEPTION: number;
  /** The payload is zlib data. */
  readonly COMPRESSED: number;
  /** INVOKE: no reply. */
  readonly ONEWAY: number;
  /** INVOKE: a batch of calls; RESULT: their results. */
  readonly BATCH: number;
  /** RESULT: the call returned an iterator; the `STRM` annotation names the stream. */
  readonly ITEMSTREAMRESULT: number;
  /** INVOKE: the call carries a `SerializedBlob` (annotation `BLBI`). */
  readonly KEEPSERIALIZED: number;
}

/** The serializer ids of one generation (they differ between generations). */
export interface SerializerIds {
  /** The wire id of `name`. */
  id(name: SerializerName): number;
  /** The serializer of a wire id, `undefined` for one pyrogen does not speak. */
  nameOf(id: number): SerializerName | undefined;
  /** The id PING messages carry (their payload is never decoded). */
  readonly ping: number;
  /** marshal's id: what a daemon encodes a CONNECTFAIL in before it knows the client's serializer. */
  readonly refusal: number;
}

/** What a client's CONNECT says. */
export interface ConnectRequest {
  readonly serializer: Serializer;
  /** The proxy's current sequence number (CONNECT reuses it). */
  readonly seq: number;
  /** The handshake value (default `"hello"`). */
  readonly handshake: unknown;
  /** The object connected to, when its metadata is wanted; else `null`. */
  readonly objectId: string | null;
  /** The object connected to (a generation that always sends metadata names it anyway). */
  readonly target: string;
  readonly annotations: Map<string, Uint8Array>;
  readonly correlationId: Uint8Array | undefined;
}

/** What a client learns from a CONNECTOK. */
export interface HandshakeResult {
  /** The daemon's handshake response (Pyro's default is `"hello"`). */
  readonly response: unknown;
  /** The object's metadata when it was asked for and sent along, else `null`. */
  readonly metadata: ObjectMetadata | null;
}

/** What a daemon reads from a CONNECT. */
export interface ConnectRequestRead {
  readonly handshake: unknown;
  /** The object whose metadata the client wants, or `null` (none wanted). */
  readonly objectId: string | null;
}

/** The CONNECT exchange: the client's request and reply handling, the daemon's counterparts. */
export interface HandshakeLayout {
  /** The client's CONNECT message. */
  request(connect: ConnectRequest): Message;
  /**
   * Read a CONNECTOK with `serializer` (the client's): the response and, when sent, the
   * metadata of `objectId`. A malformed one is a `protocol` (or `serialize`) error.
   */
  readAccepted(reply: Message, serializer: Serializer, objectId: string): HandshakeResult;
  /** The reason text of a CONNECTFAIL, decoded with whatever serializer the daemon used. */
  refusalReason(reply: Message): string;
  /** The serializer id a CONNECTFAIL `reason` says the daemon refused, if it says so. */
  refusedSerializerId(reason: string): number | null;
  /** (daemon) Read a client's CONNECT payload, already decoded with its serializer. */
  readRequest(msg: Message, payload: unknown): ConnectRequestRead;
  /**
   * (daemon) The CONNECTOK for `request`: the handshake `response`, with `metadata` (the
   * `{methods, oneway, attrs}` dict) when the request asked for it.
   */
  accepted(
    request: Message,
    serializer: Serializer,
    response: unknown,
    metadata: unknown,
    correlationId: Uint8Array,
  ): Message;
  /** (daemon) The CONNECTFAIL reason for a serializer id the daemon does not accept. */
  notAcceptedReason(serializerId: number): string;
}

/** One remote call as an INVOKE payload carries it. */
export interface InvokeCall {
  /** The object id on the daemon (`Pyro.Daemon`, `Pyro.NameServer`, an application id). */
  readonly objectId: string;
  /** The method name; `__getattr__`, `__setattr__` and `<batch>` are Pyro's internal ones. */
  readonly method: string;
  /** Positional arguments. */
  readonly vargs: readonly unknown[];
  /** Keyword arguments; `null` only for attribute access and batches, as Pyro sends them. */
  readonly kwargs: Readonly<Record<string, unknown>> | null;
}

/** The INVOKE payload: how a call is laid out in each serializer. */
export interface CallLayout {
  /**
   * The payload of a call. `lent`: the bytes are the encoder's scratch memory, lent until
   * given back with `giveBack` (serializers/scratch.ts) — for a request framed or written at
   * once; else they are the caller's.
   */
  encode(
    serializer: Serializer,
    objectId: string,
    method: string,
    vargs: readonly unknown[],
    kwargs: Readonly<Record<string, unknown>> | null,
    lent: boolean,
  ): Uint8Array;
  /** (daemon) Read a payload; a malformed one is a `serialize` error. */
  decode(serializer: Serializer, data: Uint8Array): InvokeCall;
  /** A call payload with `data` in place of the argument list (a `SerializedBlob`'s). */
  encodeBlob(serializer: Serializer, objectId: string, method: string, data: unknown): Uint8Array;
  /** The data a blob's payload carries in place of the argument list. */
  decodeBlob(serializer: Serializer, payload: unknown): unknown;
  /** The `BLBI` annotation value naming a blob call's object and method. */
  blobInfo(info: unknown, objectId: string, method: string): Uint8Array;
  /** Read a `BLBI` annotation value; a malformed one is a `serialize` error. */
  readBlobInfo(value: Uint8Array | undefined): { info: unknown; objectId: string; method: string };
}

/** A proxy's state as it travels inside values (a received auto-proxy, a proxy sent along). */
export interface ProxyState {
  readonly uri: string;
  readonly oneway: readonly string[];
  readonly methods: readonly string[];
  readonly attrs: readonly string[];
  /** Seconds, informational only (receivers use their own timeout); 0 where not carried. */
  readonly timeoutSeconds: number;
  /** The HMAC key the receiver should use, `null` for none (or where not carried). */
  readonly hmacKey: Uint8Array | null;
  readonly handshake: unknown;
  readonly maxRetries: number;
  /** The serializer the receiver should use for this proxy; `null` = its own default. */
  readonly serializer: SerializerName | null;
}

/** The class names (and class-dict layouts) of one generation. */
export interface ClassDialect {
  /** The URI class (`Pyro4.core.URI`). */
  readonly uriClass: string;
  /** The proxy class (`Pyro4.core.Proxy`). */
  readonly proxyClass: string;
  /** The wrapper of a batch's failed call (`Pyro4.futures._ExceptionWrapper`). */
  readonly exceptionWrapperClass: string;
  /** The module of Pyro's error classes (`Pyro4.errors`). */
  readonly errorsModule: string;
  /** A proxy class dict for `state`. */
  proxyToDict(state: ProxyState): Record<string, unknown>;
  /** The state of a received proxy class dict; a `protocol` error for a malformed one. */
  proxyStateFromDict(dict: Record<string, unknown>): ProxyState;
  /** The class dict of a URI, under this generation's URI class. */
  uriToDict(uri: URI): Record<string, unknown>;
  /** The URI of a received URI class dict; a `serialize` error for a malformed one. */
  uriFromDict(dict: Record<string, unknown>): URI;
  /**
   * Add this generation's hooks to `registry`: URIs both ways, errors sent as values (as
   * exception dicts) and `SentProxy` values (as proxy dicts); they replace hooks for the same
   * classes.
   */
  register(registry: ClassRegistry): void;
  /** A new registry with just this generation's hooks ({@link register}). */
  createRegistry(): ClassRegistry;
}
