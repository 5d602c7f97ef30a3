/**
 * Pyro5's CONNECT exchange. The client always sends `{handshake, object}` (flags 0: there is
 * no META_ON_CONNECT) and the daemon always answers CONNECTOK `{handshake, meta}`, the
 * metadata's collections as sets in serpent and marshal; or CONNECTFAIL with a reason text,
 * marshal-encoded when the daemon did not understand the CONNECT yet.
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
import { SERIALIZER_IDS } from "./constants.js";
import { pyro5SerializerIds } from "./serializer-ids.js";

function request(connect: ConnectRequest): Message {
  return {
    type: MessageType.CONNECT,
    flags: 0,
    seq: connect.seq,
    serializerId: SERIALIZER_IDS[connect.serializer.name],
    annotations: connect.annotations,
    correlationId: connect.correlationId,
    // Pyro5 always sends the metadata; `object` names whose (the URI's object).
    data: connect.serializer.dumps({
      handshake: connect.handshake,
      object: connect.target,
    }),
  };
}

function entry(dict: unknown, key: string): unknown {
  if (dict instanceof Map) return dict.get(key);
  if (typeof dict === "object" && dict !== null && Object.hasOwn(dict, key)) {
    return (dict as Record<string, unknown>)[key];
  }
  return undefined;
}

function readAccepted(reply: Message, serializer: Serializer, objectId: string): HandshakeResult {
  if (reply.serializerId !== SERIALIZER_IDS[serializer.name]) {
    throw new PyroError("serialize", `invalid serializer in response: ${reply.serializerId}`);
  }
  const value = serializer.loads(reply.data);
  const meta = entry(value, "meta");
  if (meta === undefined) {
    throw new PyroError(
      "protocol",
      "CONNECTOK lacks the 'meta' entry a Pyro5 daemon always sends; the daemon is not Pyro5-compatible",
    );
  }
  return { response: entry(value, "handshake"), metadata: parseMetadata(meta, objectId) };
}

function refusalReason(reply: Message): string {
  try {
    const name = pyro5SerializerIds.nameOf(reply.serializerId);
    if (name === undefined) throw new Error("unknown serializer");
    const value = createSerializer(name).loads(reply.data);
    return typeof value === "string" ? value : String(value);
  } catch {
    return `(undecodable reason, serializer id ${reply.serializerId})`;
  }
}

function readRequest(_msg: Message, payload: unknown): ConnectRequestRead {
  const handshake = entry(payload, "handshake");
  if (handshake === undefined) throw new PyroError("protocol", "'handshake'");
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
  return {
    type: MessageType.CONNECTOK,
    flags: 0,
    seq: request.seq,
    serializerId: SERIALIZER_IDS[serializer.name],
    annotations: new Map(),
    correlationId,
    data: serializer.dumps({ handshake: response, meta: metadata }),
  };
}

/** Pyro5's CONNECT exchange as the protocol seam sees it. */
export const pyro5Handshake: HandshakeLayout = {
  request,
  readAccepted,
  refusalReason,
  // A Pyro5 daemon drops a CONNECT in a serializer it lacks without a word.
  refusedSerializerId: () => null,
  readRequest,
  accepted,
  notAcceptedReason: (serializerId) =>
    `message used serializer that is not accepted: ${serializerId}`,
};
