/**
 * The CONNECT handshake (spec 4): the request a proxy sends first on every connection, and
 * how the daemon's CONNECTOK or CONNECTFAIL is read. A CONNECTFAIL may be encoded in a
 * different serializer than the one the client speaks (marshal, before the daemon accepted
 * the client's serializer), so its reason is decoded by the reply's own serializer id.
 */
import { PyroError } from "./errors.js";
import { parseMetadata, type ObjectMetadata } from "./metadata.js";
import { MessageFlag, MessageType } from "./protocol/constants.js";
import type { Message } from "./protocol/message.js";
import { createSerializer, serializerNameForId } from "./serializers/index.js";
import type { Serializer } from "./serializers/serializer.js";

/** What a successful handshake yields. */
export interface HandshakeResult {
  /** The daemon's handshake response (Pyro4's default is `"hello"`). */
  readonly response: unknown;
  /** The object's metadata when it was asked for and sent along, else `null`. */
  readonly metadata: ObjectMetadata | null;
}

/** The CONNECT message: `{handshake, object}` (object only when metadata is wanted). */
export function connectMessage(
  serializer: Serializer,
  seq: number,
  handshake: unknown,
  objectId: string | null,
  annotations: Map<string, Uint8Array>,
): Message {
  const payload: Record<string, unknown> = { handshake };
  if (objectId !== null) payload["object"] = objectId;
  return {
    type: MessageType.CONNECT,
    flags: objectId === null ? 0 : MessageFlag.META_ON_CONNECT,
    seq,
    serializerId: serializer.id,
    annotations,
    data: serializer.dumps(payload),
  };
}

/**
 * Read the reply to CONNECT. A CONNECTOK gives the handshake response and (with the META
 * flag) the metadata; a CONNECTFAIL becomes an error that names the cause and the fix.
 */
export function readConnectReply(
  reply: Message,
  serializer: Serializer,
  location: string,
  objectId: string,
): HandshakeResult {
  if (reply.type === MessageType.CONNECTFAIL) {
    throw connectRejected(location, connectFailReason(reply), serializer);
  }
  if (reply.serializerId !== serializer.id) {
    throw new PyroError("serialize", `invalid serializer in response: ${reply.serializerId}`);
  }
  const value = serializer.loads(reply.data);
  if ((reply.flags & MessageFlag.META_ON_CONNECT) === 0) return { response: value, metadata: null };
  const dict =
    typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  if (!("handshake" in dict) || !("meta" in dict)) {
    throw new PyroError(
      "protocol",
      "CONNECTOK with metadata lacks the 'handshake' or 'meta' entry; the daemon is not Pyro4-compatible",
    );
  }
  return { response: dict["handshake"], metadata: parseMetadata(dict["meta"], objectId) };
}

/** The reason text of a CONNECTFAIL, decoded with whatever serializer the daemon used. */
export function connectFailReason(reply: Message): string {
  try {
    const value = createSerializer(reply.serializerId).loads(reply.data);
    return typeof value === "string" ? value : String(value);
  } catch {
    return `(undecodable reason, serializer id ${reply.serializerId})`;
  }
}

/** The serializer id named in a "not accepted" CONNECTFAIL reason, if it is one. */
export function refusedSerializerId(reason: string): number | null {
  const match = /serializer that is not accepted: (\d+)/.exec(reason);
  return match === null ? null : Number(match[1]);
}

/** The error for a refused CONNECT, with a code and a hint for the known reasons. */
export function connectRejected(
  location: string,
  reason: string,
  serializer: Serializer,
  accepted?: readonly string[],
): PyroError {
  const prefix = `connection to ${location} rejected: ${reason}`;
  const refused = refusedSerializerId(reason);
  if (refused !== null) {
    let name: string = String(refused);
    try {
      name = serializerNameForId(refused);
    } catch {
      // keep the number
    }
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
