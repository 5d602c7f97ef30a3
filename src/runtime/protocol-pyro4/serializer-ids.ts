/** Pyro4's serializer ids (serpent 1, json 2, marshal 3, msgpack 6) as the protocol seam sees them. */
import type { SerializerIds } from "../protocol/wire-protocol.js";
import type { SerializerName } from "../serializers/catalog.js";
import { MARSHAL_SERIALIZER_ID, PING_SERIALIZER_ID, SERIALIZER_IDS } from "./constants.js";

const NAME_BY_ID = new Map<number, SerializerName>(
  Object.entries(SERIALIZER_IDS).map(([name, id]) => [id, name as SerializerName]),
);

/** Pyro4's serializer ids. */
export const pyro4SerializerIds: SerializerIds = {
  id: (name) => SERIALIZER_IDS[name],
  nameOf: (id) => NAME_BY_ID.get(id),
  ping: PING_SERIALIZER_ID,
  refusal: MARSHAL_SERIALIZER_ID,
};
