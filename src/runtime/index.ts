/**
 * pyrogen's runtime: a complete Pyro4 client (and a small daemon for callbacks) for
 * TypeScript. This is what generated modules and applications import as `@pyrogen/runtime`.
 */
export {
  PyroError,
  formatRemoteTraceback,
  type PyroErrorCode,
  type RemoteExceptionInfo,
} from "./errors.js";
export { PyTuple, PyFloat, PyComplex, tuple, float, complex } from "./values.js";
export {
  ClassRegistry,
  ExceptionWrapper,
  type ClassToDict,
  type DictToClass,
} from "./serializers/class-registry.js";
export type { Serializer, SerializerName, InvokeCall } from "./serializers/serializer.js";
export {
  Proxy,
  PROXY_TARGET,
  type ProxyOptions,
  type InvokeOptions,
  type InvokeReply,
  type HandshakeValidator,
  type HandshakeConnection,
} from "./proxy.js";
export { SerializedBlob } from "./serialized-blob.js";
export { createProxy, wrapProxy, type DynamicProxy, type RemoteMethod } from "./dynamic-proxy.js";
export { proxyHooks, type ProxyHooks } from "./proxy-hooks.js";
export type { CallOptions, AnnotationsInit } from "./call-options.js";
export type { ObjectMetadata } from "./metadata.js";
export {
  MessageType,
  MessageFlag,
  PROTOCOL_VERSION,
  HEADER_SIZE,
  PING_SERIALIZER_ID,
} from "./protocol/constants.js";
export {
  encodeMessage,
  decodeHeader,
  type Message,
  type MessageHeader,
  type EncodeOptions,
} from "./protocol/message.js";
export { MessageReader, type ReaderOptions } from "./protocol/reader.js";
export {
  MessageChannel,
  type ChannelOptions,
  type RequestOptions,
  type CloseListener,
} from "./protocol/channel.js";
export { URI, type UriProtocol, type UriState, type UriOptions } from "./uri.js";
export {
  PyroConfig,
  config,
  CONFIG_ITEMS,
  type ConfigItems,
  type ConfigItem,
  type ConfigUpdate,
} from "./config.js";
export { openStream, type OpenStreamOptions } from "./transport/open-stream.js";
export { createListener, type ListenOptions, type Listener } from "./transport/listener.js";
export { connectError, connectionLostError } from "./transport/socket-errors.js";
export type { Pem, TlsClientOptions, TlsServerOptions } from "./transport/tls-material.js";
export { DeferredCall, Future, type FutureErrorHandler } from "./future.js";
export { BatchProxy, BatchResultList, type BatchSendOptions } from "./batch.js";
export { AsyncCalls } from "./async-calls.js";
// Importing stream.ts and naming/ installs the proxy's stream and resolve hooks.
export { RemoteIterator } from "./stream.js";
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
} from "./client.js";
// Which remote names a typed client leaves out (also what the generator applies).
export { isReservedMember, reservedReason } from "./member-names.js";
export {
  Daemon,
  type DaemonOptions,
  type DaemonRegisterOptions,
  type ObjectOrId,
} from "./daemon/daemon.js";
export { expose, oneway, callback, type ExposeSpec, type Exposure } from "./daemon/expose.js";
export { currentCall, type CallContext, type ClientAddress } from "./daemon/context.js";
export type {
  HandshakeInfo,
  HandshakeValidator as DaemonHandshakeValidator,
  DaemonLogger,
} from "./daemon/connection.js";
export { DAEMON_OBJECT_ID } from "./daemon/daemon-object.js";
