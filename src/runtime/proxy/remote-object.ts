/**
 * What the features built on a proxy need of it — batches, remote iterators, async calls,
 * the name-server client — as an interface, so they depend on this and not on the proxy
 * class, which in turn uses them. `PyroProxy` (proxy.ts) implements it.
 */
import type { CallOptions } from "../call-options.js";
import type { SerializerName } from "../serializers/catalog.js";
import type { URI } from "../uri.js";
import type { InvokeOptions, InvokeReply } from "./calls.js";
import type { ProxyOptions } from "./settings.js";

/** A proxy for one remote object, as the features built on proxies see it. */
export interface RemoteObject {
  /** The URI: the one given, or the resolved `PYRO:` URI once bound. */
  readonly $uri: URI;
  /** True while a connection is open. */
  readonly $connected: boolean;
  /** The Pyro generation (4, 5) the current connection speaks; `null` when not connected. */
  readonly $protocol: number | null;
  /** Timeout in ms for connecting and of inactivity while calls wait for replies; 0 = none. */
  readonly $timeout: number;
  /** The serializer of the next requests. */
  $serializer: SerializerName;
  /** Call a remote method (see `PyroProxy.$call`). */
  $call(
    method: string,
    args?: readonly unknown[],
    kwargs?: Readonly<Record<string, unknown>> | null,
    options?: CallOptions,
  ): Promise<unknown>;
  /** Send one INVOKE with explicit flags and object id (see `PyroProxy.$invoke`). */
  $invoke(
    method: string,
    args: readonly unknown[],
    kwargs: Readonly<Record<string, unknown>> | null,
    options?: InvokeOptions,
  ): Promise<InvokeReply | undefined>;
  /** Connect now and pin the resolved URI. */
  $bind(options?: CallOptions): Promise<void>;
  /** Close the connection; the next call reconnects. */
  $release(): void;
  /** A new, unconnected proxy with the same URI, metadata and settings. */
  $copy(): RemoteObject;
}

/** Makes a proxy (the name-server functions are given one, to reach the name server). */
export type OpenProxy = (uri: string | URI, options: ProxyOptions) => RemoteObject;

/** Reach the real proxy behind a wrapper (e.g. the JS Proxy of `createProxy`). */
export const PROXY_TARGET: unique symbol = Symbol("pyrogen.proxyTarget");

/**
 * The base of typed clients (client.ts). Its prototype has no members (not even
 * `Object.prototype`'s), so every member of a client is its own; the class exists so that
 * a client passed as a call argument is recognised (by a class hook on this class) and
 * travels as the proxy its {@link PROXY_TARGET} names.
 */
export abstract class ProxyFacade {
  /** The proxy behind the client. */
  abstract readonly [PROXY_TARGET]: RemoteObject;
}
Object.setPrototypeOf(ProxyFacade.prototype, null);
