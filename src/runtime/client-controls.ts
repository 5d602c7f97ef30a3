/**
 * The controls of a typed client that read or change its proxy: the URI and object id,
 * timeouts, retries, HMAC key, annotations, handshake, serializer, correlation id, what the
 * last reply said, and the connection's life (bind, ping, reconnect, release). One place
 * for them, so a program needs the client only.
 */
import type { ClientCallOptions } from "./client-types.js";
import type { PyroProxy } from "./proxy.js";

/** Settings a client reads and writes through to its proxy (client name → proxy name). */
const SETTINGS: Readonly<Record<string, string>> = {
  $timeoutMs: "$timeout",
  $maxRetries: "$maxRetries",
  $hmacKey: "$hmacKey",
  $annotations: "$annotations",
  $handshake: "$handshake",
  $serializer: "$serializer",
  $correlationId: "$correlationId",
};

/** What a client only reads from its proxy. */
const READINGS: Readonly<Record<string, (proxy: PyroProxy) => unknown>> = {
  $uri: (proxy) => proxy.$uri,
  $objectId: (proxy) => proxy.$uri.object,
  $connected: (proxy) => proxy.$connected,
  $metadata: (proxy) => proxy.$metadata,
  $handshakeResponse: (proxy) => proxy.$handshakeResponse,
  $responseAnnotations: (proxy) => proxy.$responseAnnotations,
};

/** Define the control members on `client`; `scope` is the view's call options. */
export function defineControls(client: object, proxy: PyroProxy, scope: ClientCallOptions): void {
  const settings = proxy as unknown as Record<string, unknown>;
  for (const [name, proxyName] of Object.entries(SETTINGS)) {
    Object.defineProperty(client, name, {
      get: () => settings[proxyName],
      set: (value: unknown) => {
        settings[proxyName] = value;
      },
    });
  }
  for (const [name, read] of Object.entries(READINGS)) {
    Object.defineProperty(client, name, { get: () => read(proxy) });
  }
  const connection = {
    $bind: () => proxy.$bind(scope),
    $ping: () => proxy.$ping(scope),
    $reconnect: (tries?: number, delayMs?: number) => proxy.$reconnect(tries, delayMs),
    $release: () => proxy.$release(),
    [Symbol.asyncDispose]: async () => proxy.$release(),
  };
  for (const key of Reflect.ownKeys(connection)) {
    const value: unknown = connection[key as keyof typeof connection];
    Object.defineProperty(client, key, { value, enumerable: typeof key === "string" });
  }
}
