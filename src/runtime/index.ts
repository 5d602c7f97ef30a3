/**
 * pyrogen's runtime: a complete Pyro4 client (and a small daemon for callbacks) for
 * TypeScript. This is what generated modules and applications import as `pyrogen/runtime`.
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
