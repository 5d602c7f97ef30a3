/**
 * The marshal serializer (id 3): Python's `marshal` format as Pyro4's `MarshalSerializer`
 * uses it. Daemons also encode some CONNECTFAIL reasons with it, whatever
 * serializer the client spoke; see {@link marshalLoads}.
 */
import { PyTuple } from "../values.js";
import { ClassRegistry } from "./class-registry.js";
import { guardDecode, guardEncode } from "./codec-util.js";
import { decodeMarshal } from "./marshal-decoder.js";
import { encodeMarshal } from "./marshal-encoder.js";
import type { Serializer } from "./serializer.js";

/**
 * Pyro4's marshal serializer. Everything in the value mapping travels natively (tuples,
 * sets, bytes, complex, big ints, dicts with any hashable keys); class instances go as
 * class dicts. Received `StopIteration`/`Ellipsis` singletons arrive as `null`.
 */
export class MarshalSerializer implements Serializer {
  readonly name = "marshal" as const;
  readonly registry: ClassRegistry;

  constructor(registry: ClassRegistry = new ClassRegistry()) {
    this.registry = registry;
  }

  dumps(value: unknown, lent = false): Uint8Array {
    return guardEncode("marshal", () => encodeMarshal(value, this.registry, lent));
  }

  dumpsTuple(items: readonly unknown[], lent = false): Uint8Array {
    return this.dumps(new PyTuple(items), lent);
  }

  loads(data: Uint8Array): unknown {
    return guardDecode("marshal", () => decodeMarshal(data, this.registry));
  }
}

/**
 * Decode a marshal payload with the default class registry: what a CONNECTFAIL reason
 * encoded by the daemon's marshal serializer needs (its payload is a marshal str).
 */
export function marshalLoads(data: Uint8Array): unknown {
  return new MarshalSerializer().loads(data);
}
