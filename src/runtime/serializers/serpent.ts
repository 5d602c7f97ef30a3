/**
 * serpent (wire id 1), Pyro4's default serializer: Python literal text in UTF-8.
 * The grammar lives in `serpent-parse.ts`, the writer in `serpent-emit.ts`.
 */
import { PyroError } from "../errors.js";
import { isPlainObject } from "../values.js";
import { ClassRegistry, createDefaultRegistry } from "./class-registry.js";
import { SerpentWriter } from "./serpent-emit.js";
import { parseSerpent } from "./serpent-parse.js";
import type { InvokeCall, Serializer } from "./serializer.js";

/** The comment line Python's serpent puts before every document. */
export const SERPENT_HEADER = "# serpent utf-8 python3.2\n";

/** The serpent serializer; see the value mapping in docs/internals.md. */
export class SerpentSerializer implements Serializer {
  readonly name = "serpent";
  readonly id = 1;
  readonly registry: ClassRegistry;

  constructor(registry: ClassRegistry = createDefaultRegistry()) {
    this.registry = registry;
  }

  /** `value` as a serpent document (header line included). */
  dumps(value: unknown): Uint8Array {
    return write(this.registry, false, (w) => w.value(value, 0));
  }

  /** Parse a serpent document; class dicts are revived through the registry. */
  loads(data: Uint8Array): unknown {
    return parseSerpent(data, this.registry);
  }

  /** `(objectId,method,(vargs…),{kwargs})`, vargs as a tuple as Python clients send them. */
  dumpsCall(call: InvokeCall): Uint8Array {
    return this.#call(call, false);
  }

  dumpsCallLent(call: InvokeCall): Uint8Array {
    return this.#call(call, true);
  }

  #call(call: InvokeCall, lent: boolean): Uint8Array {
    return write(this.registry, lent, (w) => {
      w.ascii("(");
      w.str(call.objectId);
      w.ascii(",");
      w.str(call.method);
      w.ascii(",");
      w.tuple(call.vargs, 1);
      w.ascii(",");
      w.value(call.kwargs, 1);
      w.ascii(")");
    });
  }

  /** Parse an INVOKE payload; vargs may be a tuple or a list, kwargs a dict or None. */
  loadsCall(data: Uint8Array): InvokeCall {
    const call = this.loads(data);
    if (!Array.isArray(call) || call.length !== 4) {
      throw new PyroError(
        "serialize",
        "invalid serpent call: expected (objectId, method, vargs, kwargs)",
      );
    }
    const [objectId, method, vargs, kwargs] = call as unknown[];
    if (typeof objectId !== "string" || typeof method !== "string") {
      throw new PyroError("serialize", "invalid serpent call: object id and method must be str");
    }
    if (!Array.isArray(vargs)) {
      throw new PyroError("serialize", "invalid serpent call: vargs must be a tuple or list");
    }
    if (kwargs !== null && !isPlainObject(kwargs)) {
      throw new PyroError(
        "serialize",
        "invalid serpent call: kwargs must be a dict with str keys, or None",
      );
    }
    return { objectId, method, vargs, kwargs };
  }
}

/**
 * Header plus what `body` writes, copied out or `lent` (see `SerpentWriter.lend`); non-Pyro
 * failures (a throwing hook) become `serialize`.
 */
function write(
  registry: ClassRegistry,
  lent: boolean,
  body: (writer: SerpentWriter) => void,
): Uint8Array {
  const writer = new SerpentWriter(registry);
  try {
    writer.ascii(SERPENT_HEADER);
    body(writer);
    return lent ? writer.lend() : writer.finish();
  } catch (error) {
    writer.abandon();
    if (error instanceof PyroError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new PyroError("serialize", `serpent serialization failed: ${reason}`, { cause: error });
  }
}
