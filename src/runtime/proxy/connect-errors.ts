/**
 * A refused CONNECT as the proxy reports it: a `PyroError` with a code, the daemon's reason
 * and a hint at the fix for the reasons Pyro daemons give.
 */
import { PyroError } from "../errors.js";
import type { WireProtocol } from "../protocol/wire-protocol.js";
import type { Serializer } from "../serializers/serializer.js";

/**
 * The error for a CONNECT refused with `reason`. `accepted` lists the serializers the
 * daemon was found to accept, when it refused the client's.
 */
export function connectRejected(
  location: string,
  reason: string,
  serializer: Serializer,
  protocol: WireProtocol,
  accepted?: readonly string[],
): PyroError {
  const prefix = `connection to ${location} rejected: ${reason}`;
  const refused = protocol.handshake.refusedSerializerId(reason);
  if (refused !== null) {
    const name = protocol.serializers.nameOf(refused) ?? String(refused);
    const which =
      accepted === undefined
        ? "choose one it accepts (Pyro4's default set is serpent, marshal, json)"
        : accepted.length > 0
          ? `it accepts ${accepted.join(", ")}`
          : "none of pyrogen's serializers was accepted either";
    return new PyroError(
      "serialize",
      `${prefix} (the daemon does not accept the ${name} serializer; ${which}, ` +
        `or add ${name} to the daemon's SERIALIZERS_ACCEPTED)`,
    );
  }
  if (reason.includes("hmac")) {
    return new PyroError(
      "communication",
      `${prefix} (set the same hmacKey as the daemon's, or none if it has none)`,
    );
  }
  if (reason === "unknown object") {
    return new PyroError(
      "communication",
      `${prefix} (no such object id is registered on that daemon; check the uri)`,
    );
  }
  if (reason.startsWith("no free workers")) {
    return new PyroError(
      "communication",
      `${prefix} (release idle proxies, or raise the daemon's THREADPOOL_SIZE)`,
    );
  }
  return new PyroError(
    "communication",
    `${prefix} (the daemon refused the handshake; check the handshake option ` +
      `(now using serializer ${serializer.name}))`,
  );
}
