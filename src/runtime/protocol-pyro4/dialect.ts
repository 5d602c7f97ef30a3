/**
 * Pyro4's class names and class-dict layouts: `Pyro4.core.URI`, `Pyro4.core.Proxy` with its
 * 9-item state `[uri, oneway, methods, attrs, timeout, hmac, handshake, maxRetries,
 * serializer]`, `Pyro4.futures._ExceptionWrapper` and the `Pyro4.errors` module. The
 * value model (URI state, exception dicts) is the same in Pyro5, which builds its dialect
 * from other names and its own proxy state with {@link classDialect}.
 */
import { PyroError, pythonTypeForCode } from "../errors.js";
import { SentProxy } from "../protocol/sent-proxy.js";
import type { ClassDialect, ProxyState } from "../protocol/wire-protocol.js";
import { isSerializerName } from "../serializers/catalog.js";
import { ClassRegistry } from "../serializers/class-registry.js";
import { URI } from "../uri.js";
import { PyFloat, PyTuple } from "../values.js";

const URI_CLASS = "Pyro4.core.URI";
const PROXY_CLASS = "Pyro4.core.Proxy";
const ERRORS_MODULE = "Pyro4.errors";

/** The class dict for a proxy's state, in the shape Pyro4 expects. */
function proxyToDict(state: ProxyState): Record<string, unknown> {
  return {
    __class__: PROXY_CLASS,
    state: new PyTuple([
      state.uri,
      [...state.oneway],
      [...state.methods],
      [...state.attrs],
      new PyFloat(state.timeoutSeconds),
      state.hmacKey === null ? null : `b64:${Buffer.from(state.hmacKey).toString("base64")}`,
      state.handshake,
      state.maxRetries,
      state.serializer,
    ]),
  };
}

/** Read a received proxy class dict's state (8 or 9 items); a `protocol` error otherwise. */
function proxyStateFromDict(dict: Record<string, unknown>): ProxyState {
  const state = dict["state"];
  if (!Array.isArray(state) || state.length < 8 || typeof state[0] !== "string") {
    throw new PyroError(
      "protocol",
      `invalid ${PROXY_CLASS} state: expected [uri, oneway, methods, attrs, timeout, hmac, ` +
        "handshake, maxRetries, serializer]",
    );
  }
  const items = state as unknown[];
  const hmac = items[5];
  let hmacKey: Uint8Array | null = null;
  if (typeof hmac === "string") {
    if (!hmac.startsWith("b64:")) throw new PyroError("protocol", "hmac encoding error");
    hmacKey = Buffer.from(hmac.slice(4), "base64");
  }
  const serializer = items[8];
  return {
    uri: items[0] as string,
    oneway: names(items[1]),
    methods: names(items[2]),
    attrs: names(items[3]),
    timeoutSeconds: typeof items[4] === "number" ? items[4] : 0,
    hmacKey,
    handshake: items[6],
    maxRetries: typeof items[7] === "number" ? items[7] : 0,
    serializer: typeof serializer === "string" && isSerializerName(serializer) ? serializer : null,
  };
}

/** The strings of a received name collection (list, tuple or set); others are dropped. */
export function names(value: unknown): string[] {
  if (!(Array.isArray(value) || value instanceof Set)) return [];
  return [...(value as Iterable<unknown>)].filter((n): n is string => typeof n === "string");
}

/**
 * The dict Pyro4 uses for an exception sent as a value: `__class__`, `__exception__`,
 * `args`, `attributes` (with `_pyroTraceback` when a traceback is known).
 */
function exceptionToDict(error: unknown, errorsModule: string): Record<string, unknown> {
  if (error instanceof PyroError) {
    const attributes: Record<string, unknown> = { ...(error.remote?.attributes ?? {}) };
    const traceback = error.remote?.traceback ?? localTraceback(error);
    if (traceback !== null) attributes["_pyroTraceback"] = traceback;
    return {
      __class__: error.remote?.type ?? pythonTypeForCode(error.code, errorsModule),
      __exception__: true,
      args: error.remote ? [...error.remote.args] : [error.message],
      attributes,
    };
  }
  const err = error instanceof Error ? error : new Error(String(error));
  return {
    __class__: pythonTypeForJsError(err),
    __exception__: true,
    args: [err.message],
    attributes: { _pyroTraceback: localTraceback(err) },
  };
}

function pythonTypeForJsError(error: Error): string {
  if (error instanceof TypeError) return "builtins.TypeError";
  if (error instanceof RangeError) return "builtins.ValueError";
  return "builtins.Exception";
}

function localTraceback(error: Error): string[] {
  const stack = error.stack ?? `${error.name}: ${error.message}`;
  return stack.split("\n").map((line) => `${line}\n`);
}

/** A generation's class names and its proxy-state layout: the dialect minus its registry. */
export type DialectNames = Pick<
  ClassDialect,
  | "uriClass"
  | "proxyClass"
  | "exceptionWrapperClass"
  | "errorsModule"
  | "proxyToDict"
  | "proxyStateFromDict"
>;

/** A dialect over `names`: its registry turns URIs and errors into these names' dicts and back. */
export function classDialect(names: DialectNames): ClassDialect {
  const { uriClass, errorsModule } = names;
  // A tuple state, as Python sends it (serpent/marshal keep the difference).
  const uriToDict = (uri: URI): Record<string, unknown> => ({
    __class__: uriClass,
    state: new PyTuple(uri.state),
  });
  const uriFromDict = (dict: Record<string, unknown>): URI => {
    try {
      return URI.fromState(dict["state"]);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new PyroError("serialize", `cannot deserialize a ${uriClass}: ${reason}`, {
        cause: error,
      });
    }
  };
  function register(registry: ClassRegistry): void {
    registry.registerClassToDict(Error, (error) => exceptionToDict(error, errorsModule));
    registry.registerClassToDict(URI, (uri) => uriToDict(uri as URI));
    registry.registerDictToClass(uriClass, uriFromDict);
    registry.registerClassToDict(SentProxy, (sent) => names.proxyToDict((sent as SentProxy).state));
  }
  function createRegistry(): ClassRegistry {
    const registry = new ClassRegistry();
    register(registry);
    return registry;
  }
  return Object.freeze({ ...names, uriToDict, uriFromDict, register, createRegistry });
}

/** Pyro4's class names as the protocol seam sees them. */
export const pyro4Dialect: ClassDialect = classDialect({
  uriClass: URI_CLASS,
  proxyClass: PROXY_CLASS,
  exceptionWrapperClass: "Pyro4.futures._ExceptionWrapper",
  errorsModule: ERRORS_MODULE,
  proxyToDict,
  proxyStateFromDict,
});
