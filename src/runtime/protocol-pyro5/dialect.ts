/**
 * Pyro5's class names and proxy state: `Pyro5.core.URI`, `Pyro5.client.Proxy` with its
 * 6-item state `[uri, oneway, methods, attrs, handshake, serializer]` (no timeout, HMAC key
 * or retries), `Pyro5.core._ExceptionWrapper` and the `Pyro5.errors` module. Values and
 * exception dicts are laid out as in Pyro4 (docs/pyro5-protocol.md, "Class dicts").
 */
import { PyroError } from "../errors.js";
import { classDialect, names } from "../protocol-pyro4/dialect.js";
import type { ClassDialect, ProxyState } from "../protocol/wire-protocol.js";
import { isSerializerName } from "../serializers/catalog.js";
import { PyTuple } from "../values.js";

const PROXY_CLASS = "Pyro5.client.Proxy";

function proxyToDict(state: ProxyState): Record<string, unknown> {
  return {
    __class__: PROXY_CLASS,
    state: new PyTuple([
      state.uri,
      [...state.oneway],
      [...state.methods],
      [...state.attrs],
      state.handshake,
      state.serializer,
    ]),
  };
}

function proxyStateFromDict(dict: Record<string, unknown>): ProxyState {
  const state = dict["state"];
  if (!Array.isArray(state) || state.length < 6 || typeof state[0] !== "string") {
    throw new PyroError(
      "protocol",
      `invalid ${PROXY_CLASS} state: expected [uri, oneway, methods, attrs, handshake, serializer]`,
    );
  }
  const items = state as unknown[];
  const serializer = items[5];
  return {
    uri: items[0] as string,
    oneway: names(items[1]),
    methods: names(items[2]),
    attrs: names(items[3]),
    timeoutSeconds: 0,
    hmacKey: null,
    handshake: items[4],
    maxRetries: 0,
    serializer: typeof serializer === "string" && isSerializerName(serializer) ? serializer : null,
  };
}

/** Pyro5's class names as the protocol seam sees them. */
export const pyro5Dialect: ClassDialect = classDialect({
  uriClass: "Pyro5.core.URI",
  proxyClass: PROXY_CLASS,
  exceptionWrapperClass: "Pyro5.core._ExceptionWrapper",
  errorsModule: "Pyro5.errors",
  proxyToDict,
  proxyStateFromDict,
});
