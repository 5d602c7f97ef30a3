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
