/**
 * A TypeScript Pyro daemon: Python code (Pyro4 or Pyro5) calls objects that live in this
 * process — the "callbacks" pattern. It listens on TCP (IPv4/IPv6), a Unix socket, or TLS,
 * serves registered objects and `Pyro.Daemon`, and lives in the same event loop as the
 * client proxies (no threads).
 *
 * ```ts
 * const daemon = await Daemon.start({ host: "127.0.0.1" });
 * const uri = daemon.register(new Listener());          // @expose-decorated class
 * const server = new PyroProxy(serverUri);               // no wiring needed
 * await server.$call("subscribe", [listenerInstance]);  // arrives in Python as a proxy
 * ```
 */
import { randomUUID } from "node:crypto";
import { existsSync, lstatSync, unlinkSync } from "node:fs";
import type { Socket } from "node:net";
import { config as globalConfig } from "../config.js";
import { PyroError } from "../errors.js";
import { ClassRegistry, type AnyClass } from "../serializers/class-registry.js";
import {
  createSerializer,
  isSerializerName,
  type Serializer,
  type SerializerName,
} from "../serializers/index.js";
import { stderrWireLogger } from "../protocol/wire-log.js";
import { SentProxy } from "../protocol/sent-proxy.js";
import type { ProxyState, WireProtocol } from "../protocol/wire-protocol.js";
import { DEFAULT_PROTOCOL, protocolOfHeader } from "../protocols.js";
import { createListener, type Listener } from "../transport/listener.js";
import { ABSTRACT_SOCKETS_UNREACHABLE, isAbstractSocketName } from "../transport/open-stream.js";
import { URI } from "../uri.js";
import { ClientConnection } from "./client-connection.js";
import type { ConnectionHost } from "./connection-host.js";
import { DAEMON_OBJECT_ID, DaemonObject } from "./daemon-object.js";
import {
  acceptedIds,
  limitsOf,
  toKey,
  type DaemonLimits,
  type DaemonLogger,
  type DaemonOptions,
} from "./daemon-options.js";
import { refusalMessage, refuseConnection } from "./refusal.js";
import type { Registered } from "./dispatch.js";
import { exposureOf, type Exposure, type ExposeSpec } from "./expose.js";
import {
  attachSource,
  detachSource,
  hookClass,
  proxyState,
  type ProxySource,
} from "./proxy-dict.js";
import { StreamTable } from "./streams.js";

/** Options of {@link Daemon.register}. */
export interface DaemonRegisterOptions {
  /** The object id (default `obj_` + 32 hex digits, as Pyro4 generates them). */
  readonly id?: string;
  /** Exposure to declare in addition to (or instead of) decorators. */
  readonly expose?: ExposeSpec;
}

/** Something registered, or its object id. */
export type ObjectOrId = object | string;

const defaultLogger: DaemonLogger = (message, error) => {
  console.error(message, error);
};

function checkObjectId(id: string): void {
  if (id === "" || /[\s@]/.test(id)) {
    throw new PyroError(
      "daemon",
      `invalid object id '${id}': use a non-empty id without whitespace or '@'`,
    );
  }
}

/** A running TypeScript Pyro daemon; see the module comment. */
export class Daemon implements ProxySource {
  /**
   * The daemon's own wire protocol: its class names in `registry`, the serializer ids of
   * `serializers`. Clients of another generation are served on the same listener, each in
   * its own (see {@link #wireOf}).
   */
  readonly #protocol: WireProtocol = DEFAULT_PROTOCOL;
  /** Per protocol: the registry of its class names and its serializers by wire id. */
  readonly #wires = new Map<
    WireProtocol,
    { registry: ClassRegistry; serializers: Map<number, Serializer> }
  >();
  readonly #listener: Listener;
  readonly #options: DaemonOptions;
  readonly #objects = new Map<string, Registered>();
  readonly #ids = new WeakMap<object, string>();
  readonly #connections = new Set<ClientConnection>();
  readonly #serializers = new Map<number, Serializer>();
  readonly #accepted: ReadonlySet<number>;
  readonly #attached = new Set<ClassRegistry>();
  readonly #hmacKey: Uint8Array | undefined;
  readonly #location: string;
  readonly #streams: StreamTable;
  readonly #connectionHost: ConnectionHost<ClientConnection>;
  readonly #callbackSerializer: SerializerName;
  readonly #maxConnections: number;
  /** Sockets being refused (over the cap) right now. */
  #refusing = 0;
  #closing: Promise<void> | undefined;

  /**
   * The class registry of the daemon's serializers. Objects registered here travel as
   * callback proxies through every proxy of the process (through `ClassRegistry.default`);
   * passing it to a proxy (`{ registry: daemon.registry }`) is still possible.
   */
  readonly registry: ClassRegistry;

  private constructor(
    listener: Listener,
    options: DaemonOptions,
    location: string,
    limits: DaemonLimits,
  ) {
    this.#listener = listener;
    this.#options = options;
    this.#location = location;
    const cfg = options.config ?? globalConfig;
    this.#hmacKey = toKey(options.hmacKey ?? cfg.get("HMAC_KEY") ?? undefined);
    this.#callbackSerializer = options.serializer ?? cfg.get("SERIALIZER");
    this.#accepted = acceptedIds(options, this.#protocol);
    this.#maxConnections = limits.maxConnections;
    this.#streams = new StreamTable({
      lifetimeMs: options.streamLifetimeMs ?? 0,
      lingerMs: options.streamLingerMs ?? 30_000,
    });
    this.registry =
      options.registry ??
      new ClassRegistry(ClassRegistry.default, this.#protocol.dialect.createRegistry());
    // Registered objects leave as SentProxy values, which a user's own registry must write too.
    if (options.registry !== undefined) {
      this.registry.registerClassToDict(SentProxy, (sent) =>
        this.#protocol.dialect.proxyToDict((sent as SentProxy).state),
      );
    }
    this.attach(this.registry);
    // Every proxy of the process reads the default registry: objects registered here travel
    // as callback proxies without any wiring.
    this.attach(ClassRegistry.default);
    const daemonObject = new DaemonObject({
      exposureOf: (id) => this.#objects.get(id)?.exposure,
      registeredIds: () => [...this.#objects.keys()],
      describe: () => this.info(),
      streams: this.#streams,
    });
    this.#objects.set(DAEMON_OBJECT_ID, { target: daemonObject, exposure: DaemonObject.exposure });
    this.#connectionHost = {
      protocol: this.#protocol,
      hmacKey: this.#hmacKey,
      maxMessageSize: limits.maxMessageSize,
      inflateLimit: limits.inflateLimit,
      timeoutMs: limits.timeoutMs,
      compress: options.compression ?? cfg.get("COMPRESSION"),
      itemStreaming: options.itemStreaming ?? cfg.get("ITER_STREAMING"),
      asyncCallContext: options.asyncCallContext === true,
      streams: this.#streams,
      validateHandshake: options.validateHandshake ?? (() => "hello"),
      log: options.logger ?? defaultLogger,
      wireLog: cfg.get("LOGWIRE") ? stderrWireLogger : undefined,
      acceptedSerializer: (id, protocol) => {
        const name = protocol.serializers.nameOf(id);
        return name !== undefined && this.#accepts(name)
          ? this.#serializer(id, protocol)
          : undefined;
      },
      anySerializer: (id, protocol) => this.#serializer(id, protocol),
      lookup: (id) => this.#objects.get(id),
      closed: (connection) => {
        this.#connections.delete(connection);
        this.#streams.orphan(connection);
      },
    };
  }

  /**
   * Start a daemon: bind and listen, then resolve. Fails with a `communication` error if it
   * cannot bind, or a `daemon` error for an unusable advertised host.
   */
  static async start(options: DaemonOptions = {}): Promise<Daemon> {
    // Refuse a bad serializer list or limit before binding anything.
    acceptedIds(options, DEFAULT_PROTOCOL);
    const limits = limitsOf(options);
    const path = options.unixSocket;
    if (path !== undefined && isAbstractSocketName(path)) {
      throw new PyroError(
        "daemon",
        `cannot listen on ./u:${path.replace(/\0/g, "\\0")}: ${ABSTRACT_SOCKETS_UNREACHABLE}`,
      );
    }
    if (path !== undefined && existsSync(path) && lstatSync(path).isSocket()) unlinkSync(path);
    let accept: (socket: Socket) => void = (socket) => socket.destroy();
    const listener = await createListener(
      {
        host: options.host,
        port: options.port,
        unixPath: path,
        tls: options.tls,
        config: options.config,
      },
      (socket) => accept(socket),
    );
    let location = listener.location;
    if (listener.host !== null) {
      const advertised = options.advertiseHost ?? listener.host;
      if (advertised === "0.0.0.0" || advertised === "::" || advertised === "") {
        await listener.close();
        throw new PyroError(
          "daemon",
          `cannot hand out URIs for '${advertised}'; set advertiseHost to an address clients can reach`,
        );
      }
      location = advertised.includes(":")
        ? `[${advertised}]:${listener.port}`
        : `${advertised}:${listener.port}`;
    }
    const daemon = new Daemon(listener, options, location, limits);
    accept = (socket) => daemon.#accept(socket);
    return daemon;
  }

  /** `host:port`, `[v6]:port` or `./u:path`: where the daemon is reachable. */
  get location(): string {
    return this.#location;
  }

  /** The port the daemon listens on (`null` for a Unix socket). */
  get port(): number | null {
    return this.#listener.port;
  }

  /** The URI of the `Pyro.Daemon` object. */
  get uri(): URI {
    return new URI(`PYRO:${DAEMON_OBJECT_ID}@${this.#location}`);
  }

  /** Pyro's `info()` text. */
  info(): string {
    return (
      `Pyro.Daemon bound on ${this.#location}, NAT None, ${this.#objects.size} objects registered. ` +
      "Servertype: pyrogen (Node.js event loop)"
    );
  }

  /**
   * Register `target` (what it exposes comes from its decorators and `options.expose`)
   * and return its URI. Class instances then serialize as proxies (in the generation of the
   * call they travel in) through every registry attached to this daemon; for object literals
   * use {@link proxyFor}. An object that exposes nothing is registered too, as in Pyro4
   * (whose proxies then refuse it).
   */
  register(target: object, options: DaemonRegisterOptions = {}): URI {
    if (this.#closing !== undefined)
      throw new PyroError("daemon", "the daemon is closed; start a new one");
    const existing = this.#ids.get(target);
    if (existing !== undefined)
      throw new PyroError("daemon", `object already registered as '${existing}'`);
    const id = options.id ?? `obj_${randomUUID().replaceAll("-", "")}`;
    checkObjectId(id);
    if (this.#objects.has(id))
      throw new PyroError("daemon", `object id '${id}' is already registered; pick another id`);
    const exposure = exposureOf(target, options.expose);
    this.#objects.set(id, { target, exposure });
    this.#ids.set(target, id);
    const cls = classOf(target);
    if (cls !== undefined) for (const registry of this.#attached) hookClass(registry, cls);
    return this.uriFor(id);
  }

  /** Remove a registered object (by object or id); `Pyro.Daemon` stays. Unknown ones are ignored. */
  unregister(objectOrId: ObjectOrId): void {
    const id = typeof objectOrId === "string" ? objectOrId : this.#ids.get(objectOrId);
    if (id === undefined || id === DAEMON_OBJECT_ID) return;
    const entry = this.#objects.get(id);
    if (entry === undefined) return;
    this.#objects.delete(id);
    this.#ids.delete(entry.target);
  }

  /** The URI of a registered object (by object or id). */
  uriFor(objectOrId: ObjectOrId): URI {
    return new URI(`PYRO:${this.#idOf(objectOrId)}@${this.#location}`);
  }

  /** What a registered object exposes. */
  exposureOf(objectOrId: ObjectOrId): Exposure {
    return this.#objects.get(this.#idOf(objectOrId))!.exposure;
  }

  /**
   * A registered object as a proxy to pass as an argument explicitly (needed for object
   * literals, which have no class to hook). It is written in the generation of the call
   * it travels in — `Pyro4.core.Proxy` to a Pyro4 server, `Pyro5.client.Proxy` to a Pyro5
   * one — as registered class instances are. `serializer` is the one Python will call back
   * with (default: the daemon's `serializer` option, else `SERIALIZER`).
   */
  proxyFor(objectOrId: ObjectOrId, serializer?: SerializerName): SentProxy {
    return new SentProxy(this.#stateOf(objectOrId, serializer));
  }

  #stateOf(objectOrId: ObjectOrId, serializer: SerializerName | undefined): ProxyState {
    const id = this.#idOf(objectOrId);
    return proxyState(
      {
        uri: `PYRO:${id}@${this.#location}`,
        exposure: this.#objects.get(id)!.exposure,
        hmacKey: this.#hmacKey,
        handshake: this.#options.handshake ?? "hello",
      },
      serializer ?? this.#callbackSerializer,
    );
  }

  /**
   * @internal The class-to-dict hook's question: is `value` registered here? Then the proxy
   * to send, which each registry writes in its generation's class dict.
   */
  sentProxyFor(value: object, serializer: string): SentProxy | undefined {
    const id = this.#ids.get(value);
    if (id === undefined) return undefined;
    const accepted = isSerializerName(serializer) && this.#accepts(serializer);
    return new SentProxy(this.#stateOf(id, accepted ? serializer : undefined));
  }

  /** Whether the daemon accepts the serializer `name` (in any generation). */
  #accepts(name: SerializerName): boolean {
    return this.#accepted.has(this.#protocol.serializers.id(name));
  }

  /** Let registered objects serialize as proxies through `registry` too (e.g. a proxy's own registry). */
  attach(registry: ClassRegistry): void {
    this.#attached.add(registry);
    attachSource(registry, this);
    hookClass(registry, Object);
    for (const { target } of this.#objects.values()) {
      const cls = classOf(target);
      if (cls !== undefined && !(target instanceof DaemonObject)) hookClass(registry, cls);
    }
  }

  /** Stop listening, close every connection and stream. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  /** `await using daemon = await Daemon.start()` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #shutdown(): Promise<void> {
    const closed = this.#listener.close();
    for (const connection of this.#connections) connection.close();
    await this.#streams.closeAll();
    for (const registry of this.#attached) detachSource(registry, this);
    await closed;
  }

  #idOf(objectOrId: ObjectOrId): string {
    const id = typeof objectOrId === "string" ? objectOrId : this.#ids.get(objectOrId);
    if (id === undefined || !this.#objects.has(id)) {
      throw new PyroError("daemon", "unknown object: register it with daemon.register() first");
    }
    return id;
  }

  #serializer(id: number, protocol: WireProtocol = this.#protocol): Serializer | undefined {
    const wire = this.#wireOf(protocol);
    let serializer = wire.serializers.get(id);
    if (serializer === undefined) {
      const name = protocol.serializers.nameOf(id);
      if (name === undefined) return undefined;
      serializer = createSerializer(name, wire.registry);
      wire.serializers.set(id, serializer);
    }
    return serializer;
  }

  /**
   * The registry and serializers for clients of `protocol`: the daemon's own for its own
   * protocol; for another, a registry on top of the daemon's that sends that generation's
   * class names (URIs, errors, proxies of registered objects).
   */
  #wireOf(protocol: WireProtocol): {
    registry: ClassRegistry;
    serializers: Map<number, Serializer>;
  } {
    let wire = this.#wires.get(protocol);
    if (wire === undefined) {
      if (protocol === this.#protocol) {
        wire = { registry: this.registry, serializers: this.#serializers };
      } else {
        // Registered objects come from the daemon's hooks as SentProxy values; this
        // generation's hooks on top write them (and URIs, errors) in its class names.
        const registry = this.registry.derive();
        protocol.dialect.register(registry);
        wire = { registry, serializers: new Map() };
      }
      this.#wires.set(protocol, wire);
    }
    return wire;
  }

  #accept(socket: Socket): void {
    if (this.#closing !== undefined) {
      socket.destroy();
      return;
    }
    const cap = this.#maxConnections;
    if (cap > 0 && this.#connections.size >= cap) {
      this.#refuse(socket, cap);
      return;
    }
    const connection = new ClientConnection(socket, this.#connectionHost);
    this.#connections.add(connection);
  }

  /**
   * Turn away a connection over the cap, in the generation its first bytes name; a flood of
   * them is cut off without a reply.
   */
  #refuse(socket: Socket, cap: number): void {
    if (this.#refusing >= cap) {
      socket.destroy();
      return;
    }
    this.#refusing++;
    socket.once("close", () => this.#refusing--);
    const reason =
      `no free workers: the daemon serves at most maxConnections=${cap} connections; ` +
      "close idle proxies or raise maxConnections";
    refuseConnection(socket, (early) => {
      const protocol = protocolOfHeader(early, this.#protocol);
      // marshal: every generation's refusal serializer, built into every daemon.
      const marshal = this.#serializer(protocol.serializers.refusal, protocol)!;
      return refusalMessage(reason, marshal, this.#hmacKey, protocol);
    });
  }
}

/** The class of a class instance, or `undefined` for object literals (they need {@link Daemon.proxyFor}). */
function classOf(target: object): AnyClass | undefined {
  const proto: unknown = Object.getPrototypeOf(target);
  if (proto === null || proto === Object.prototype) return undefined;
  const ctor: unknown = (proto as { constructor?: unknown }).constructor;
  return typeof ctor === "function" && ctor !== Object ? (ctor as AnyClass) : undefined;
}
