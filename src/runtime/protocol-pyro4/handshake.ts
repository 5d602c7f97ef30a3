/**
 * Pyro4's CONNECT exchange. The client sends `{handshake}`, or `{handshake, object}` with
 * the flag META_ON_CONNECT when it wants the object's metadata; the daemon answers
 * CONNECTOK with its handshake response (under META_ON_CONNECT: `{handshake, meta}`), or
 * CONNECTFAIL with a reason text. A CONNECTFAIL may be encoded in another serializer than
 * the client's (marshal, before the daemon accepted the client's serializer), so its reason
 * is decoded by the reply's own serializer id.
 */
import { PyroError } from "../errors.js";
import { parseMetadata } from "../metadata.js";
import { MessageType } from "../protocol/constants.js";
import type { Message } from "../protocol/message.js";
import type {
  ConnectRequest,
  ConnectRequestRead,
  HandshakeLayout,
  HandshakeResult,
} from "../protocol/wire-protocol.js";
import { createSerializer } from "../serializers/index.js";
import type { Serializer } from "../serializers/serializer.js";
import { Pyro4Flag, SERIALIZER_IDS } from "./constants.js";
import { pyro4SerializerIds } from "./serializer-ids.js";

const NOT_ACCEPTED = /serializer that is not accepted: (\d+)/;

function request(connect: ConnectRequest): Message {
  const { serializer, objectId } = connect;
  const payload: Record<string, unknown> = { handshake: connect.handshake };
  if (objectId !== null) payload["object"] = objectId;
  return {
    type: MessageType.CONNECT,
    flags: objectId === null ? 0 : Pyro4Flag.META_ON_CONNECT,
    seq: connect.seq,
    serializerId: SERIALIZER_IDS[serializer.name],
    annotations: connect.annotations,
    correlationId: connect.correlationId,
    data: serializer.dumps(payload),
  };
}

function readAccepted(reply: Message, serializer: Serializer, objectId: string): HandshakeResult {
  if (reply.serializerId !== SERIALIZER_IDS[serializer.name]) {
    throw new PyroError("serialize", `invalid serializer in response: ${reply.serializerId}`);
  }
  const value = serializer.loads(reply.data);
  if ((reply.flags & Pyro4Flag.META_ON_CONNECT) === 0) return { response: value, metadata: null };
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

function refusalReason(reply: Message): string {
  try {
    const name = pyro4SerializerIds.nameOf(reply.serializerId);
    if (name === undefined) throw new Error("unknown serializer");
    const value = createSerializer(name).loads(reply.data);
    return typeof value === "string" ? value : String(value);
  } catch {
    return `(undecodable reason, serializer id ${reply.serializerId})`;
  }
}

function refusedSerializerId(reason: string): number | null {
  const match = NOT_ACCEPTED.exec(reason);
  return match === null ? null : Number(match[1]);
}

/** `dict[key]` of a decoded dict (a plain object, or a Map when keys were not all strings). */
function entry(dict: unknown, key: string): unknown {
  if (dict instanceof Map) return dict.get(key);
  if (typeof dict === "object" && dict !== null && Object.hasOwn(dict, key)) {
    return (dict as Record<string, unknown>)[key];
  }
  return undefined;
}

function readRequest(msg: Message, payload: unknown): ConnectRequestRead {
  const handshake = entry(payload, "handshake");
  if (handshake === undefined) throw new PyroError("protocol", "'handshake'");
  if ((msg.flags & Pyro4Flag.META_ON_CONNECT) === 0) return { handshake, objectId: null };
  const objectId = entry(payload, "object");
  if (typeof objectId !== "string") throw new PyroError("protocol", "'object'");
  return { handshake, objectId };
}

function accepted(
  request: Message,
  serializer: Serializer,
  response: unknown,
  metadata: unknown,
  correlationId: Uint8Array,
): Message {
  const withMetadata = (request.flags & Pyro4Flag.META_ON_CONNECT) !== 0;
  return {
    type: MessageType.CONNECTOK,
    flags: withMetadata ? Pyro4Flag.META_ON_CONNECT : 0,
    seq: request.seq,
    serializerId: SERIALIZER_IDS[serializer.name],
    annotations: new Map(),
    correlationId,
    data: serializer.dumps(withMetadata ? { handshake: response, meta: metadata } : response),
  };
}

/** Pyro4's CONNECT exchange as the protocol seam sees it. */
export const pyro4Handshake: HandshakeLayout = {
  request,
  readAccepted,
  refusalReason,
  refusedSerializerId,
  readRequest,
  accepted,
  notAcceptedReason: (serializerId) =>
    `message used serializer that is not accepted: ${serializerId}`,
};
