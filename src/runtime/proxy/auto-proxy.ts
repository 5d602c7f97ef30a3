/**
 * A proxy sent as a value: the state that travels in its class dict (the protocol's
 * dialect lays it out), so the receiver can make a proxy of its own for the same object.
 */
import type { ObjectMetadata } from "../metadata.js";
import type { ProxyState } from "../protocol/wire-protocol.js";
import { isSerializerName, type SerializerName } from "../serializers/catalog.js";
import type { URI } from "../uri.js";

/** What the state is made of: a proxy's public settings and metadata. */
export interface ProxyStateSource {
  readonly $uri: URI;
  readonly $metadata: ObjectMetadata | null;
  readonly $timeout: number;
  readonly $hmacKey: Uint8Array | undefined;
  readonly $handshake: unknown;
  readonly $maxRetries: number;
  readonly $serializer: SerializerName;
}

/**
 * The state of `proxy` when `serializerName` encodes it: the receiver is told to use that
 * serializer when it is one pyrogen speaks, else the proxy's own.
 */
export function proxyState(proxy: ProxyStateSource, serializerName: string): ProxyState {
  const metadata = proxy.$metadata;
  return {
    uri: proxy.$uri.toString(),
    oneway: [...(metadata?.oneway ?? [])],
    methods: [...(metadata?.methods ?? [])],
    attrs: [...(metadata?.attrs ?? [])],
    timeoutSeconds: proxy.$timeout / 1000,
    hmacKey: proxy.$hmacKey ?? null,
    handshake: proxy.$handshake,
    maxRetries: proxy.$maxRetries,
    serializer: isSerializerName(serializerName) ? serializerName : proxy.$serializer,
  };
}
