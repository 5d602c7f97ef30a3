/**
 * `@pyrogen/runtime/wire`: what only other libraries, tools and tests need — the wire-protocol seam
 * and Pyro4's implementation of it, message framing, channels, serializers, transports and
 * the proxy's low-level interfaces. Applications and generated modules use the main entry
 * (index.ts); these names may change between minor versions.
 */

// The wire-protocol seam, and Pyro4's protocol (48).
export type {
  WireProtocol,
  FrameCodec,
  ProtocolFlags,
  SerializerIds,
  HandshakeLayout,
  HandshakeResult,
  ConnectRequest,
  ConnectRequestRead,
  CallLayout,
  InvokeCall,
  ClassDialect,
  ProxyState,
} from "./protocol/wire-protocol.js";
export { WIRE_PROTOCOLS, DEFAULT_PROTOCOL } from "./protocols.js";
export { pyro4 } from "./protocol-pyro4/index.js";
export {
  PROTOCOL_VERSION,
  HEADER_SIZE,
  PING_SERIALIZER_ID,
  SERIALIZER_IDS,
  Pyro4Flag,
  Pyro4Annotation,
} from "./protocol-pyro4/constants.js";
export { encodeMessage, encodeMessageParts, decodeHeader } from "./protocol-pyro4/frames.js";

// Messages, their reader and the pipelined channel.
export { MessageType, MessageFlag, Annotation } from "./protocol/constants.js";
export type { Message, MessageHeader, MessageParts, EncodeOptions } from "./protocol/message.js";
export { MessageReader, type ReaderOptions } from "./protocol/reader.js";
export { MessageChannel } from "./protocol/channel.js";
export type {
  ChannelOptions,
  RequestOptions,
  CloseListener,
  DirectReadSource,
} from "./protocol/channel-options.js";
export type { WireLogger } from "./protocol/wire-log.js";

// Serializers.
export { createSerializer } from "./serializers/index.js";
export {
  SERIALIZER_NAMES,
  SERIALIZER_TRAITS,
  isSerializerName,
  type SerializerTraits,
} from "./serializers/catalog.js";
export type { Serializer } from "./serializers/serializer.js";
export { codeForPythonType, pythonTypeForCode } from "./errors.js";

// Transports.
export { openStream, type OpenStreamOptions } from "./transport/open-stream.js";
export { createListener, type ListenOptions, type Listener } from "./transport/listener.js";
export { connectError, connectionLostError } from "./transport/socket-errors.js";

// The proxy's low-level faces, for libraries built on proxies.
export { PROXY_TARGET, type RemoteObject, type OpenProxy } from "./proxy/remote-object.js";
export type { InvokeOptions, InvokeReply } from "./proxy/calls.js";
export { ExceptionWrapper } from "./batch.js";
export { DAEMON_OBJECT_ID } from "./daemon/daemon-object.js";

// Which remote names a typed client leaves out (the generator applies the same rule).
export { isReservedMember, reservedReason } from "./member-names.js";
