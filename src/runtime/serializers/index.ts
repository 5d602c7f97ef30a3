/**
 * The serializer registry: pick a serializer by name or wire id.
 */
import { PyroError } from "../errors.js";
import { isSerializerName, SERIALIZER_NAMES } from "./catalog.js";
import { ClassRegistry, createDefaultRegistry } from "./class-registry.js";
import { JsonSerializer } from "./json.js";
import { MarshalSerializer } from "./marshal.js";
import { MsgpackSerializer } from "./msgpack.js";
import { SerpentSerializer } from "./serpent.js";
import { SERIALIZER_IDS, type Serializer, type SerializerName } from "./serializer.js";

const CONSTRUCTORS: Readonly<Record<SerializerName, new (registry?: ClassRegistry) => Serializer>> =
  {
    serpent: SerpentSerializer,
    json: JsonSerializer,
    marshal: MarshalSerializer,
    msgpack: MsgpackSerializer,
  };

const NAME_BY_ID = new Map<number, SerializerName>(
  Object.entries(SERIALIZER_IDS).map(([name, id]) => [id, name as SerializerName]),
);

export { SERIALIZER_NAMES, isSerializerName };

/** The serializer name for a wire id; a `serialize` error for an unknown id. */
export function serializerNameForId(id: number): SerializerName {
  const name = NAME_BY_ID.get(id);
  if (name === undefined) {
    throw new PyroError("serialize", `no serializer available for id ${id}`);
  }
  return name;
}

/**
 * A new serializer by name or wire id, with its own class registry (or the one given).
 * Unknown names get a `serialize` error that lists the supported ones.
 */
export function createSerializer(nameOrId: string | number, registry?: ClassRegistry): Serializer {
  const name = typeof nameOrId === "number" ? serializerNameForId(nameOrId) : nameOrId;
  if (!isSerializerName(name)) {
    throw new PyroError(
      "serialize",
      `serializer '${name}' is unknown or not available; use one of ${SERIALIZER_NAMES.join(", ")}`,
    );
  }
  return new CONSTRUCTORS[name](registry ?? createDefaultRegistry());
}

export { SERIALIZER_IDS, type Serializer, type SerializerName };
