/**
 * pyrogen's runtime: a complete Pyro4 client (and a small daemon for callbacks) for
 * TypeScript. This is what generated modules and applications import as `@pyrogen/runtime`.
 * What only other libraries, tools and tests need — the wire protocol, message framing,
 * channels, transports, serializers — is the `@pyrogen/runtime/wire` subpath (wire.ts).
 */
import { PyroProxy } from "./proxy.js";

// Typed clients, as generated modules build them.
export {
  createClient,
  kwargs,
  Kwargs,
  BatchCall,
  type Client,
  type ClientControls,
  type ClientDescriptor,
  type ClientOptions,
  type AttributesOf,
  type MethodsOf,
  type BatchVariant,
  type AsyncVariant,
  type IterVariant,
  type BatchResults,
  type ItemOf,
  type BatchMethod,
  type BatchBuilder,
  type BatchSettled,
  type ClientCallOptions,
  type ClientTarget,
} from "./client.js";

// Values and errors.
export {
  PyroError,
  formatRemoteTraceback,
  type PyroErrorCode,
  type RemoteExceptionInfo,
} from "./errors.js";
export { PyTuple, PyFloat, PyComplex, tuple, float, complex } from "./values.js";
export { URI, type UriProtocol, type UriState, type UriOptions } from "./uri.js";
export { SerializedBlob } from "./serialized-blob.js";

// Proxies and what their calls give.
export { PyroProxy } from "./proxy.js";
export type {
  ProxyOptions,
  ProxyHandshakeValidator,
  HandshakeConnection,
} from "./proxy/settings.js";
export { createProxy, wrapProxy, type DynamicProxy, type RemoteMethod } from "./dynamic-proxy.js";
export type {
  CallOptions,
  AnnotationsInit,
  AnnotationsFunction,
  AnnotationsOption,
} from "./call-options.js";
export type { ObjectMetadata } from "./metadata.js";
export { BatchProxy, BatchResultList, type BatchSendOptions } from "./batch.js";
export type { AsyncCalls } from "./async-calls.js";
export { DeferredCall, Future, type FutureErrorHandler } from "./future.js";
export { RemoteIterator } from "./stream.js";

// Finding objects by name.
export {
  locateNS,
  resolveUri,
  discoverNameServer,
  NameServer,
  NAMESERVER_NAME,
  type LocateOptions,
  type ResolveOptions,
  type BroadcastOptions,
  type BroadcastOutcome,
  type Registration,
  type ListedRegistration,
  type NameServerRegisterOptions,
  type RemoveOptions,
  type ListFilter,
} from "./naming/index.js";

// Configuration, TLS material and custom classes.
export {
  PyroConfig,
  config,
  CONFIG_ITEMS,
  type ConfigItems,
  type ConfigItem,
  type ConfigUpdate,
} from "./config.js";
export type { Pem, TlsClientOptions, TlsServerOptions } from "./transport/tls-material.js";
export { ClassRegistry, type ClassToDict, type DictToClass } from "./serializers/class-registry.js";
export type { SerializerName } from "./serializers/catalog.js";

// Callbacks: a daemon in this process that Python calls.
export { Daemon, type DaemonRegisterOptions, type ObjectOrId } from "./daemon/daemon.js";
export { expose, oneway, callback, type ExposeSpec, type Exposure } from "./daemon/expose.js";
export { currentCall, type CallContext, type ClientAddress } from "./daemon/context.js";
export type { SentProxy } from "./protocol/sent-proxy.js";
export type {
  DaemonOptions,
  HandshakeInfo,
  DaemonHandshakeValidator,
  DaemonLogger,
} from "./daemon/daemon-options.js";

/**
 * The proxy class under its former name, kept for compatibility.
 * @deprecated Use {@link PyroProxy}: `Proxy` shadows JavaScript's global `Proxy`.
 */
export const Proxy = PyroProxy;
/**
 * A proxy (the instance type of {@link PyroProxy}) under its former name.
 * @deprecated Use {@link PyroProxy}.
 */
export type Proxy = PyroProxy;
