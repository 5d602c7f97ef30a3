/**
 * The marshal serializer (id 3): Python's `marshal` format as Pyro4's `MarshalSerializer`
 * uses it (spec 3.5). Daemons also encode some CONNECTFAIL reasons with it, whatever
 * serializer the client spoke (spec 4.3); see {@link marshalLoads}.
 */
import { PyTuple } from "../values.js";
import { ClassRegistry, createDefaultRegistry } from "./class-registry.js";
import { guardDecode, guardEncode, makeCall, serializeError } from "./codec-util.js";
import { decodeMarshal } from "./marshal-decoder.js";
import { encodeMarshal } from "./marshal-encoder.js";
import { SERIALIZER_IDS, type InvokeCall, type Serializer } from "./serializer.js";

/**
 * Pyro4's marshal serializer. Everything in the value mapping travels natively (tuples,
 * sets, bytes, complex, big ints, dicts with any hashable keys); class instances go as
 * class dicts. Received `StopIteration`/`Ellipsis` singletons arrive as `null`.
 */
export class MarshalSerializer implements Serializer {
  readonly name = "marshal" as const;
  readonly id = SERIALIZER_IDS.marshal;
  readonly registry: ClassRegistry;

  constructor(registry: ClassRegistry = createDefaultRegistry()) {
    this.registry = registry;
  }

  dumps(value: unknown): Uint8Array {
    return guardEncode("marshal", () => encodeMarshal(value, this.registry));
  }

  loads(data: Uint8Array): unknown {
    return guardDecode("marshal", () => decodeMarshal(data, this.registry));
  }

  /** `(objid, method, [vargs], {kwargs})`; kwargs always a dict (Python breaks on None). */
  dumpsCall(call: InvokeCall): Uint8Array {
    return this.#call(call, false);
  }

  dumpsCallLent(call: InvokeCall): Uint8Array {
    return this.#call(call, true);
  }

  #call(call: InvokeCall, lent: boolean): Uint8Array {
    const payload = new PyTuple([call.objectId, call.method, [...call.vargs], call.kwargs ?? {}]);
    return guardEncode("marshal", () => encodeMarshal(payload, this.registry, lent));
  }

  loadsCall(data: Uint8Array): InvokeCall {
    const payload = this.loads(data);
    if (!Array.isArray(payload) || payload.length !== 4) {
      throw serializeError("marshal: call payload is not a 4-tuple (objid, method, vargs, kwargs)");
    }
    const [objectId, method, vargs, kwargs] = payload as unknown[];
    return makeCall("marshal", objectId, method, vargs, kwargs);
  }
}

/**
 * Decode a marshal payload with the default class registry: what a CONNECTFAIL reason
 * encoded by the daemon's marshal serializer needs (its payload is a marshal str).
 */
export function marshalLoads(data: Uint8Array): unknown {
  return new MarshalSerializer().loads(data);
}
