/** Pyro5's serializer ids (serpent 1, marshal 2, json 3, msgpack 4) as the protocol seam sees them. */
import type { SerializerIds } from "../protocol/wire-protocol.js";
import type { SerializerName } from "../serializers/catalog.js";
import { PING_SERIALIZER_ID, SERIALIZER_IDS } from "./constants.js";

const NAME_BY_ID = new Map<number, SerializerName>(
  Object.entries(SERIALIZER_IDS).map(([name, id]) => [id, name as SerializerName]),
);

/** Pyro5's serializer ids. */
export const pyro5SerializerIds: SerializerIds = {
  id: (name) => SERIALIZER_IDS[name],
  nameOf: (id) => NAME_BY_ID.get(id),
  ping: PING_SERIALIZER_ID,
  refusal: SERIALIZER_IDS.marshal,
};
