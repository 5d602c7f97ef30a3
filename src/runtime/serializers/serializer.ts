/**
 * The contract every serializer (serpent, json, marshal, msgpack) fulfils: values in, bytes
 * out, and back. All four share one value mapping (see `../values.ts`) and one
 * {@link ClassRegistry} for class dicts. Which wire id a serializer has and how a call is
 * laid out in it belong to the protocol generation (protocol/wire-protocol.ts), not here.
 */
import type { SerializerName } from "./catalog.js";
import type { ClassRegistry } from "./class-registry.js";

export type { SerializerName };

/** A serializer instance; it owns (or shares) a {@link ClassRegistry}. */
export interface Serializer {
  readonly name: SerializerName;
  /** The class registry consulted for class dicts in both directions. */
  readonly registry: ClassRegistry;
  /**
   * Serialize a value. With `lent` the bytes are the encoder's scratch memory, not a copy:
   * lent for a message that is framed or written at once, and given back with `giveBack`
   * (serializers/scratch.ts) once nothing reads them; until then the next encode uses other
   * memory. Bytes never given back are simply not reused.
   */
  dumps(value: unknown, lent?: boolean): Uint8Array;
  /**
   * Serialize `items` as one tuple, as `dumps(new PyTuple(items), lent)` would (in json and
   * msgpack: an array), without the wrapper.
   */
  dumpsTuple(items: readonly unknown[], lent?: boolean): Uint8Array;
  /**
   * Parse a payload into a value, reviving class dicts through the registry. Bytes values
   * of 64 KiB or more (marshal, msgpack) are views of `data`, not copies: leave `data`
   * unchanged while they are in use.
   */
  loads(data: Uint8Array): unknown;
}
