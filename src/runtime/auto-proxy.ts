/**
 * Proxies inside values (spec 3.2): the `Pyro4.core.Proxy` class dict a daemon sends for a
 * proxy or a registered object (auto-proxy), and the one pyrogen sends when a proxy is
 * passed as an argument. State: `[uri, oneway, methods, attrs, timeout, hmac, handshake,
 * maxRetries, serializer]`.
 */
import { PyroError } from "./errors.js";
import { isSerializerName } from "./serializers/index.js";
import type { SerializerName } from "./serializers/serializer.js";
import { PyFloat, PyTuple } from "./values.js";

/** The class name of a proxy class dict. */
export const PROXY_CLASS = "Pyro4.core.Proxy";

/** A proxy's state as it travels. */
export interface ProxyState {
  readonly uri: string;
  readonly oneway: readonly string[];
  readonly methods: readonly string[];
  readonly attrs: readonly string[];
  /** Seconds, informational only (Pyro4 receivers use their own timeout). */
  readonly timeoutSeconds: number;
  readonly hmacKey: Uint8Array | null;
  readonly handshake: unknown;
  readonly maxRetries: number;
  /** The serializer the receiver should use for this proxy; `null` = its own default. */
  readonly serializer: SerializerName | null;
}

/** The class dict for a proxy's state, in the shape Pyro4 expects. */
export function proxyToDict(state: ProxyState): Record<string, unknown> {
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
export function proxyStateFromDict(dict: Record<string, unknown>): ProxyState {
  const state = dict["state"];
  if (!Array.isArray(state) || state.length < 8 || typeof state[0] !== "string") {
    throw new PyroError(
      "protocol",
      "invalid Pyro4.core.Proxy state: expected [uri, oneway, methods, attrs, timeout, hmac, " +
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

function names(value: unknown): string[] {
  if (!(Array.isArray(value) || value instanceof Set)) return [];
  return [...(value as Iterable<unknown>)].filter((n): n is string => typeof n === "string");
}
