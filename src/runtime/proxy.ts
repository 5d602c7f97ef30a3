/**
 * The proxy: one remote object, one connection, every client feature of Pyro's Python
 * proxy. Control members start with `$`, which Pyro never exposes, so they cannot collide
 * with remote names.
 *
 * A thin class over its parts (proxy/): the settings (one validated, frozen object that a
 * change replaces), the session (connection, lazy connect, sequence numbers, bind, release,
 * reconnect), the call path (request, reply, retries), member access by name (metadata
 * checks, attributes) and its class hooks (received proxies; proxies and typed clients sent
 * as values). What it plugs in is explicit:
 * name-server resolution (naming/resolve.ts), remote iterators (stream.ts), batches and
 * async calls, each built on the {@link RemoteObject} interface it implements.
 */
import { AsyncCalls } from "./async-calls.js";
import { BatchProxy, ExceptionWrapper } from "./batch.js";
import type { AnnotationsFunction, AnnotationsOption, CallOptions } from "./call-options.js";
import type { PyroConfig } from "./config.js";
import type { ObjectMetadata } from "./metadata.js";
import { proxyResolver } from "./naming/resolve.js";
import type { WireProtocol } from "./protocol/wire-protocol.js";
import { createProtocolRegistry, WIRE_PROTOCOLS } from "./protocols.js";
import { invoke, ping, type InvokeOptions, type InvokeReply } from "./proxy/calls.js";
import { callMethod, getAttribute, setAttribute } from "./proxy/member-access.js";
import { proxyRegistry } from "./proxy/class-hooks.js";
import { knownProtocol, presumeProtocol } from "./proxy/generations.js";
import { receivedProxy } from "./proxy/received-proxy.js";
import { PROXY_TARGET, type OpenProxy, type RemoteObject } from "./proxy/remote-object.js";
import { Session } from "./proxy/session.js";
import {
  changeSettings,
  proxySettings,
  settingsOptions,
  type ProxyOptions,
  type ProxySettings,
} from "./proxy/settings.js";
import type { SerializerName } from "./serializers/serializer.js";
import { RemoteIterator } from "./stream.js";
import type { URI } from "./uri.js";

/** A proxy for one remote Pyro object; see the module comment. */
export class PyroProxy implements RemoteObject {
  #settings: ProxySettings;
  readonly #session: Session;
  /** The iterator over an item stream a call of this proxy started. */
  readonly #openStream = (streamId: string) => new RemoteIterator(streamId, this);

  /** A proxy for `uri`; nothing is connected until the first call or `$bind()`. */
  constructor(uri: string | URI, options: ProxyOptions = {}) {
    const registry = proxyRegistry(WIRE_PROTOCOLS, options.registry, PROTOCOL_CLASSES, {
      proxyClass: PyroProxy,
      revive: (dict, protocol) => this.#revive(dict, protocol),
      exceptionWrapper: (dict) => new ExceptionWrapper(dict["exception"]),
      protocol: () => this.#protocol(),
      presume: presumeProtocol,
    });
    this.#settings = proxySettings(uri, options, registry, WIRE_PROTOCOLS);
    this.#session = new Session(options.knownMetadata ?? null, resolveForProxy);
  }

  /** The protocol of the connection (when none is open: the one it will most likely speak). */
  #protocol(): WireProtocol {
    const settings = this.#settings;
    return (
      this.#session.connection?.protocol ??
      (settings.detect ? knownProtocol(this.$uri) : undefined) ??
      settings.protocol
    );
  }

  /** The URI: the one given, or the resolved `PYRO:` URI once `$bind()` pinned it. */
  get $uri(): URI {
    return this.#session.bound ?? this.#settings.uri;
  }

  /** The object's metadata once known (after connecting), else `null`. */
  get $metadata(): ObjectMetadata | null {
    return this.#session.metadata;
  }

  /** The configuration this proxy reads its defaults (and name-server location) from. */
  get $config(): PyroConfig {
    return this.#settings.config;
  }

  /** True while a connection is open. */
  get $connected(): boolean {
    return this.#session.connected;
  }

  /** The Pyro generation (4, 5) the current connection speaks; `null` when not connected. */
  get $protocol(): number | null {
    return this.#session.connection?.protocol.generation ?? null;
  }

  /** The handshake response of the current connection (`undefined` when not connected). */
  get $handshakeResponse(): unknown {
    return this.#session.connection?.response;
  }

  /** Timeout in ms for connecting and of inactivity while calls wait for replies; 0 = none. */
  get $timeout(): number {
    return this.#settings.timeoutMs;
  }
  set $timeout(ms: number) {
    this.#settings = changeSettings(this.#settings, { timeoutMs: ms });
  }

  /** How often a call is re-sent after a lost connection or timeout (it may run again). */
  get $maxRetries(): number {
    return this.#settings.maxRetries;
  }
  set $maxRetries(retries: number) {
    this.#settings = changeSettings(this.#settings, { maxRetries: retries });
  }

  /** The serializer of the next requests (the daemon takes any accepted one per message). */
  get $serializer(): SerializerName {
    return this.#settings.serializer.name;
  }
  set $serializer(name: SerializerName) {
    this.#settings = changeSettings(this.#settings, { serializer: name });
  }

  /** The HMAC key (`undefined` = none). Changing it closes the connection. */
  get $hmacKey(): Uint8Array | undefined {
    return this.#settings.hmacKey;
  }
  set $hmacKey(key: string | Uint8Array | null | undefined) {
    this.#settings = changeSettings(this.#settings, { hmacKey: key ?? null });
    this.$release();
  }

  /** The handshake value sent with the next CONNECT. */
  get $handshake(): unknown {
    return this.#settings.handshake;
  }
  set $handshake(value: unknown) {
    this.#settings = changeSettings(this.#settings, { handshake: value });
  }

  /** The correlation id (a UUID) sent as `CORR` with every request, or `null`. */
  get $correlationId(): string | null {
    return this.#settings.correlationId;
  }
  set $correlationId(id: string | null) {
    this.#settings = changeSettings(this.#settings, { correlationId: id });
  }

  /** Custom annotations sent with every request (4-character keys), or the function making them. */
  get $annotations(): ReadonlyMap<string, Uint8Array> | AnnotationsFunction {
    return this.#settings.annotations;
  }
  set $annotations(annotations: AnnotationsOption) {
    this.#settings = changeSettings(this.#settings, { annotations });
  }

  /**
   * The annotations of the last reply (`CORR` and whatever the daemon added): the CONNECT
   * reply's once connected, then each call's; empty after a oneway call, which gets none.
   */
  get $responseAnnotations(): ReadonlyMap<string, Uint8Array> {
    return this.#session.responseAnnotations;
  }

  /**
   * Call a remote method. Positional `args`, keyword `kwargs`. With metadata (the default)
   * an unknown name fails locally (`attribute` error) and `@oneway` methods resolve with
   * `undefined` once the request is written. A remote exception rejects with a
   * {@link PyroError} carrying `.remote` (type, args, attributes, traceback).
   */
  $call(
    method: string,
    args: readonly unknown[] = [],
    kwargs?: Readonly<Record<string, unknown>> | null,
    options: CallOptions = {},
  ): Promise<unknown> {
    return callMethod(
      this.#session,
      this.#settings,
      this.$uri,
      method,
      args,
      kwargs,
      options,
      this.#openStream,
    );
  }

  /** Read a remote attribute (an exposed Python property). */
  $get(name: string, options: CallOptions = {}): Promise<unknown> {
    return getAttribute(this.#session, this.#settings, this.$uri, name, options);
  }

  /** Write a remote attribute (an exposed Python property with a setter). */
  $set(name: string, value: unknown, options: CallOptions = {}): Promise<void> {
    return setAttribute(this.#session, this.#settings, this.$uri, name, value, options);
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
   * Ping the daemon over this proxy's connection (Pyro's MSG_PING, which the daemon answers
   * without calling anything), connecting first when needed. Timeouts and aborts apply as
   * for a call.
   */
  $ping(options: CallOptions = {}): Promise<void> {
    return ping(this.#session, this.#settings, options);
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
    const flags = options.flags ?? 0;
    return invoke(this.#session, this.#settings, method, args, kwargs, options, flags);
  }

  /**
   * Connect now (resolving a PYRONAME/PYROMETA URI) and pin the resolved URI, so later
   * reconnects skip the name server. Metadata is available afterwards.
   */
  $bind(options: CallOptions = {}): Promise<void> {
    return this.#session.bind(this.#settings, options);
  }

  /**
   * Close the connection and open a new one, trying up to `tries` times with `delayMs`
   * between tries (Pyro4 waits 2 s). Fails with `connection-closed` when every try failed.
   */
  $reconnect(tries = 100_000_000, delayMs = 2000): Promise<void> {
    return this.#session.reconnect(this.#settings, tries, delayMs);
  }

  /**
   * Close the connection (calls in flight fail with `connection-closed`). The proxy stays
   * usable: the next call reconnects.
   */
  $release(): void {
    this.#session.release();
  }

  /** A new, unconnected proxy with the same URI, metadata and settings. */
  $copy(): PyroProxy {
    const options = settingsOptions(this.#settings, this.#session.metadata);
    const copy = new PyroProxy(this.$uri, options);
    copy.#session.bound = this.#session.bound;
    return copy;
  }

  /** `await using proxy = new PyroProxy(…)` releases the connection at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.$release();
  }

  /** Pyro4's `repr`-like description. */
  toString(): string {
    return `<pyrogen.Proxy for ${this.$uri.toString()}${this.$connected ? "; connected" : ""}>`;
  }

  /** This proxy (wrappers such as `createProxy`'s forward it, so hooks reach the real proxy). */
  get [PROXY_TARGET](): PyroProxy {
    return this;
  }

  /**
   * A proxy received inside a value (see proxy/received-proxy.ts), in `protocol`'s class
   * dict: its daemon is taken to speak that generation unless already known otherwise.
   */
  #revive(dict: Record<string, unknown>, protocol: WireProtocol): PyroProxy {
    const state = protocol.dialect.proxyStateFromDict(dict);
    const here = this.#session.connection?.uri.location ?? this.$uri.location;
    const { uri, options } = receivedProxy(state, this.#settings, here);
    if (uri.protocol === "PYRO") presumeProtocol(uri, protocol);
    return new PyroProxy(uri, options);
  }
}

/** A proxy, for the name-server functions (they reach the name server through one). */
export const openProxy: OpenProxy = (uri, options) => new PyroProxy(uri, options);

/** PYRONAME/PYROMETA through the name server, reached through proxies of this class. */
const resolveForProxy = proxyResolver(openProxy);

/**
 * Every generation's URI and error classes, below each proxy's registry: one for all, since
 * nothing registers into it.
 */
const PROTOCOL_CLASSES = createProtocolRegistry();
