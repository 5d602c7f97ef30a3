/**
 * The one list of the serializers pyrogen speaks, with what sets each apart. Config
 * validation (`SERIALIZER`), the CLI's `--serializer` choices, the proxy, batches and the
 * name-server client read it here; `test/docs/serializer-catalog.test.ts` holds the docs to
 * it. Pure data: the CLI loads it without loading a codec. The wire ids are not here: they
 * belong to a protocol generation (`protocol-pyro4/constants.ts`).
 */

/** The serializers pyrogen speaks, in Pyro4's preference order. pickle, dill and cloudpickle are deliberately absent. */
export const SERIALIZER_NAMES = ["serpent", "json", "marshal", "msgpack"] as const;

/** The name of a serializer pyrogen speaks. */
export type SerializerName = (typeof SERIALIZER_NAMES)[number];

/** What sets one serializer apart from the others. */
export interface SerializerTraits {
  readonly name: SerializerName;
  /** One line for help texts and docs. */
  readonly summary: string;
  /**
   * Whether a call may carry `None` as its kwargs, as Pyro sends them for attribute access
   * and batches. Python's marshal serializer breaks on it, so a marshal call sends `{}`.
   */
  readonly nullKwargs: boolean;
  /**
   * Whether class instances nested inside containers are converted to class dicts. Python's
   * marshal serializer converts top-level objects only ("unmarshallable object" otherwise).
   */
  readonly nestedClasses: boolean;
}

/** Each serializer's traits, by name. */
export const SERIALIZER_TRAITS: Readonly<Record<SerializerName, SerializerTraits>> = {
  serpent: {
    name: "serpent",
    summary: "Python literals as UTF-8 text; Pyro's default",
    nullKwargs: true,
    nestedClasses: true,
  },
  json: {
    name: "json",
    summary: "JSON text; no bytes, no tuples",
    nullKwargs: true,
    nestedClasses: true,
  },
  marshal: {
    name: "marshal",
    summary: "Python's marshal format; class instances at the top level only",
    nullKwargs: false,
    nestedClasses: false,
  },
  msgpack: {
    name: "msgpack",
    summary: "MessagePack binary; dict keys must be str",
    nullKwargs: true,
    nestedClasses: true,
  },
};

/** True if `name` is a serializer pyrogen speaks. */
export function isSerializerName(name: string): name is SerializerName {
  return Object.hasOwn(SERIALIZER_TRAITS, name);
}

/** The kwargs Pyro sends with attribute access and batches: `None`, or `{}` where it cannot. */
export function emptyKwargs(name: SerializerName): Record<string, never> | null {
  return SERIALIZER_TRAITS[name].nullKwargs ? null : {};
}
