/**
 * An object's metadata as a Pyro4 daemon reports it (`get_metadata`): the names of its exposed
 * methods, which of them are oneway, and its exposed properties. The proxy uses it to
 * refuse unknown names locally and to decide which calls are oneway.
 */
import { PyroError } from "./errors.js";

/** What a remote object exposes. Order carries no meaning, hence sets. */
export interface ObjectMetadata {
  /** Exposed callable members (oneway ones included). */
  readonly methods: ReadonlySet<string>;
  /** The subset of `methods` marked `@oneway` on the server. */
  readonly oneway: ReadonlySet<string>;
  /** Exposed properties, readable (and maybe writable) with `$get` / `$set`. */
  readonly attrs: ReadonlySet<string>;
}

/**
 * Read the metadata dict a daemon sent (`{methods, oneway, attrs}`; lists in a CONNECTOK,
 * sets or — serpent's empty set — tuples from `get_metadata`). Throws a `protocol` error
 * for anything else, and a `pyro` error when the object exposes nothing at all, as Pyro4 does.
 */
export function parseMetadata(value: unknown, objectId: string): ObjectMetadata {
  if (typeof value !== "object" || value === null) {
    throw new PyroError("protocol", `invalid metadata for object '${objectId}': not a dict`);
  }
  const metadata: ObjectMetadata = {
    methods: nameSet(entry(value, "methods"), "methods", objectId),
    oneway: nameSet(entry(value, "oneway"), "oneway", objectId),
    attrs: nameSet(entry(value, "attrs"), "attrs", objectId),
  };
  if (metadata.methods.size === 0 && metadata.attrs.size === 0) {
    throw new PyroError(
      "pyro",
      `remote object '${objectId}' doesn't expose any methods or attributes; ` +
        "did you forget setting @Pyro4.expose on them in the server?",
    );
  }
  return metadata;
}

/** Metadata from plain name lists (an auto-proxy's state, a cached snapshot). */
export function metadataFromNames(
  methods: Iterable<string>,
  oneway: Iterable<string>,
  attrs: Iterable<string>,
): ObjectMetadata {
  return { methods: new Set(methods), oneway: new Set(oneway), attrs: new Set(attrs) };
}

/** True when the metadata knows no names at all (nothing fetched yet). */
export function isEmptyMetadata(metadata: ObjectMetadata): boolean {
  return metadata.methods.size === 0 && metadata.attrs.size === 0;
}

/** `dict[key]` of a decoded dict (a plain object, or a Map when keys were not all strings). */
function entry(dict: object, key: string): unknown {
  return dict instanceof Map ? dict.get(key) : (dict as Record<string, unknown>)[key];
}

function nameSet(raw: unknown, key: string, objectId: string): Set<string> {
  if (raw === undefined || raw === null) return new Set();
  const names = new Set<string>();
  if (Array.isArray(raw) || raw instanceof Set) {
    for (const name of raw as Iterable<unknown>) {
      if (typeof name !== "string") return badNames(key, objectId);
      names.add(name);
    }
    return names;
  }
  return badNames(key, objectId);
}

function badNames(key: string, objectId: string): never {
  throw new PyroError(
    "protocol",
    `invalid metadata for object '${objectId}': '${key}' is not a collection of names`,
  );
}
