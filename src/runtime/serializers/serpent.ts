/**
 * serpent (wire id 1), Pyro4's default serializer: Python literal text in UTF-8.
 * The grammar lives in `serpent-parse.ts`, the writer in `serpent-emit.ts`.
 */
import { PyroError } from "../errors.js";
import { ClassRegistry } from "./class-registry.js";
import { SerpentWriter } from "./serpent-emit.js";
import { parseSerpent } from "./serpent-parse.js";
import type { Serializer } from "./serializer.js";

/** The comment line Python's serpent puts before every document. */
export const SERPENT_HEADER = "# serpent utf-8 python3.2\n";

/** The serpent serializer; see the value mapping in docs/internals.md. */
export class SerpentSerializer implements Serializer {
  readonly name = "serpent";
  readonly registry: ClassRegistry;

  constructor(registry: ClassRegistry = new ClassRegistry()) {
    this.registry = registry;
  }

  /** `value` as a serpent document (header line included). */
  dumps(value: unknown, lent = false): Uint8Array {
    return this.#write(value, undefined, lent);
  }

  /** `(item,…)` as a serpent document. */
  dumpsTuple(items: readonly unknown[], lent = false): Uint8Array {
    return this.#write(undefined, items, lent);
  }

  /** Parse a serpent document; class dicts are revived through the registry. */
  loads(data: Uint8Array): unknown {
    return parseSerpent(data, this.registry);
  }

  /**
   * The header, then `items` as a tuple or else `value`; copied out or `lent` (see
   * `SerpentWriter.lend`). Non-Pyro failures (a throwing hook) become `serialize` errors.
   */
  #write(value: unknown, items: readonly unknown[] | undefined, lent: boolean): Uint8Array {
    const writer = new SerpentWriter(this.registry);
    try {
      writer.ascii(SERPENT_HEADER);
      if (items === undefined) writer.value(value, 0);
      else writer.tuple(items, 0);
      return lent ? writer.lend() : writer.finish();
    } catch (error) {
      writer.abandon();
      if (error instanceof PyroError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new PyroError("serialize", `serpent serialization failed: ${reason}`, { cause: error });
    }
  }
}
