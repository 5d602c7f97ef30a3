/**
 * Serializers by name: the codec behind each entry of the catalog (catalog.ts).
 */
import { PyroError } from "../errors.js";
import { isSerializerName, SERIALIZER_NAMES, type SerializerName } from "./catalog.js";
import { ClassRegistry } from "./class-registry.js";
import { JsonSerializer } from "./json.js";
import { MarshalSerializer } from "./marshal.js";
import { MsgpackSerializer } from "./msgpack.js";
import { SerpentSerializer } from "./serpent.js";
import type { Serializer } from "./serializer.js";

const CONSTRUCTORS: Readonly<Record<SerializerName, new (registry?: ClassRegistry) => Serializer>> =
  {
    serpent: SerpentSerializer,
    json: JsonSerializer,
    marshal: MarshalSerializer,
    msgpack: MsgpackSerializer,
  };

/**
 * A new serializer by name, with the class registry given (default: an empty one). Unknown
 * names get a `serialize` error that lists the supported ones.
 */
export function createSerializer(name: string, registry?: ClassRegistry): Serializer {
  if (!isSerializerName(name)) {
    throw new PyroError(
      "serialize",
      `serializer '${name}' is unknown or not available; use one of ${SERIALIZER_NAMES.join(", ")}`,
    );
  }
  return new CONSTRUCTORS[name](registry ?? new ClassRegistry());
}

export { SERIALIZER_NAMES, isSerializerName, type Serializer, type SerializerName };
