/**
 * The msgpack serializer (id 6), as Pyro4's `MsgpackSerializer` speaks it.
 *
 * The codec is pyrogen's own rather than `@msgpack/msgpack`'s Encoder/Decoder: that library
 * refuses `__proto__` map keys, turns int map keys into string keys of a plain object,
 * cannot write an integral float64 for one value (`PyFloat`), writes a `Map` as an empty
 * map, silently truncates bigints beyond 64 bits, and reports truncation with a shared
 * RangeError that has no offset. Each of those breaks the value mapping or the error contract.
 */
import { ClassRegistry } from "./class-registry.js";
import { guardDecode, guardEncode } from "./codec-util.js";
import { decodeMsgpack } from "./msgpack-decoder.js";
import { encodeMsgpack } from "./msgpack-encoder.js";
import type { Serializer } from "./serializer.js";

/**
 * Pyro4's msgpack serializer. Tuples and sets go as arrays, bytes as bin, complex and ints
 * beyond 64 bits as Pyro's ext types. Dict keys must be str (Python's receiver refuses
 * others). Received: datetime ext → `Date`, date ext → `"YYYY-MM-DD"`, int-keyed maps → `Map`.
 */
export class MsgpackSerializer implements Serializer {
  readonly name = "msgpack" as const;
  readonly registry: ClassRegistry;

  constructor(registry: ClassRegistry = new ClassRegistry()) {
    this.registry = registry;
  }

  dumps(value: unknown, lent = false): Uint8Array {
    return guardEncode("msgpack", () => encodeMsgpack(value, this.registry, lent));
  }

  /** msgpack has no tuples: an array. */
  dumpsTuple(items: readonly unknown[], lent = false): Uint8Array {
    return this.dumps(items, lent);
  }

  loads(data: Uint8Array): unknown {
    return guardDecode("msgpack", () => decodeMsgpack(data, this.registry));
  }
}
