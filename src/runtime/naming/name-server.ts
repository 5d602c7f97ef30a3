/**
 * A typed client for Pyro4's name server (`Pyro.NameServer`): the whole 4.82 API — ping,
 * lookup, register, remove, list, set_metadata, count — over an ordinary proxy. Optional
 * arguments travel as keyword arguments, as the Python client sends them.
 */
import { PyroError } from "../errors.js";
import type { RemoteObject } from "../proxy/remote-object.js";
import { SERIALIZER_NAMES, SERIALIZER_TRAITS } from "../serializers/catalog.js";
import { URI } from "../uri.js";

/** The fixed object id of every Pyro4 name server. */
export const NAMESERVER_NAME = "Pyro.NameServer";

/** A lookup result with its metadata tags. */
export interface Registration {
  readonly uri: URI;
  readonly metadata: ReadonlySet<string>;
}

/** A `list` entry with its metadata tags (the URI as the name server keeps it: a string). */
export interface ListedRegistration {
  readonly uri: string;
  readonly metadata: ReadonlySet<string>;
}

/** Options of {@link NameServer.register}. */
export interface NameServerRegisterOptions {
  /** Fail with a `naming` error instead of overwriting an existing name. */
  readonly safe?: boolean;
  /** Metadata tags to store with the name. */
  readonly metadata?: Iterable<string>;
}

/** What {@link NameServer.remove} removes: one name, every name with a prefix, or a regex match. */
export interface RemoveOptions {
  readonly name?: string;
  readonly prefix?: string;
  /** A Python regular expression, matched at the start of names (`re.match`). */
  readonly regex?: string;
}

/** Filters of {@link NameServer.list}; the name server allows at most one at a time. */
export interface ListFilter {
  readonly prefix?: string;
  /** A Python regular expression, matched at the start of names (`re.match`). */
  readonly regex?: string;
  /** Only entries that have all of these tags. */
  readonly metadataAll?: Iterable<string>;
  /** Only entries that have at least one of these tags. */
  readonly metadataAny?: Iterable<string>;
}

/**
 * A client for a Pyro4 or Pyro5 name server; get one from `locateNS` or wrap a proxy to one.
 * The API is one for both: where Pyro5 moved a feature (metadata search went from `list` to
 * `yplookup`), the client calls what the connected name server has.
 */
export class NameServer implements AsyncDisposable {
  /** The proxy the calls go through (its connection is reused across calls). */
  readonly proxy: RemoteObject;

  /** A client that calls the name server through `proxy` (a `PyroProxy` to `Pyro.NameServer`). */
  constructor(proxy: RemoteObject) {
    this.proxy = proxy;
  }

  /** The name server's URI. */
  get uri(): URI {
    return this.proxy.$uri;
  }

  /** Check that the name server answers. */
  async ping(): Promise<void> {
    await this.proxy.$call("ping");
  }

  /** How many names are registered (the name server's own entry included). */
  async count(): Promise<number> {
    return expectNumber(await this.proxy.$call("count"), "count");
  }

  /**
   * The URI registered under `name`; with `returnMetadata` also its tags. An unknown name is
   * a `naming` error (`unknown name: …`).
   */
  lookup(name: string): Promise<URI>;
  lookup(name: string, options: { returnMetadata: true }): Promise<Registration>;
  lookup(name: string, options?: { returnMetadata?: boolean }): Promise<URI | Registration>;
  async lookup(
    name: string,
    options: { returnMetadata?: boolean } = {},
  ): Promise<URI | Registration> {
    if (options.returnMetadata !== true) {
      return toUri(await this.proxy.$call("lookup", [name]), "lookup");
    }
    const result = await this.proxy
      .$call("lookup", [name], { return_metadata: true })
      .catch((error: unknown) => {
        throw this.#topLevelOnly(error);
      });
    if (!Array.isArray(result) || result.length !== 2) {
      throw unexpected("lookup", result, "a (uri, metadata) pair");
    }
    return { uri: toUri(result[0], "lookup"), metadata: toTags(result[1], "lookup") };
  }

  /**
   * Register `uri` under `name`, overwriting an existing entry unless `safe` is set (then an
   * existing name is a `naming` error).
   */
  async register(
    name: string,
    uri: string | URI,
    options: NameServerRegisterOptions = {},
  ): Promise<void> {
    const kwargs: Record<string, unknown> = {};
    if (options.safe !== undefined) kwargs["safe"] = options.safe;
    if (options.metadata !== undefined) kwargs["metadata"] = tagList(options.metadata);
    // A string is sent as it is: the name server validates it and says what is wrong.
    await this.proxy.$call("register", [name, uri.toString()], kwargs);
  }

  /**
   * Remove registrations; returns how many were removed (0 when nothing matched). A name wins
   * over a prefix, a prefix over a regex; the name server's own entry is never removed.
   */
  async remove(what: string | RemoveOptions): Promise<number> {
    const options = typeof what === "string" ? { name: what } : what;
    const kwargs: Record<string, unknown> = {};
    if (options.name !== undefined) kwargs["name"] = options.name;
    if (options.prefix !== undefined) kwargs["prefix"] = options.prefix;
    if (options.regex !== undefined) kwargs["regex"] = options.regex;
    return expectNumber(await this.proxy.$call("remove", [], kwargs), "remove");
  }

  /**
   * The registrations as name → URI string, optionally filtered (one filter at a time); with
   * `returnMetadata` each entry also has its tags. A bad regex is a `naming` error.
   */
  list(filter?: ListFilter): Promise<Map<string, string>>;
  list(filter: ListFilter & { returnMetadata: true }): Promise<Map<string, ListedRegistration>>;
  list(
    filter?: ListFilter & { returnMetadata?: boolean },
  ): Promise<Map<string, string> | Map<string, ListedRegistration>>;
  async list(
    filter: ListFilter & { returnMetadata?: boolean } = {},
  ): Promise<Map<string, string> | Map<string, ListedRegistration>> {
    const kwargs: Record<string, unknown> = {};
    if (filter.prefix !== undefined) kwargs["prefix"] = filter.prefix;
    if (filter.regex !== undefined) kwargs["regex"] = filter.regex;
    const byMetadata = filter.metadataAll !== undefined || filter.metadataAny !== undefined;
    const yellowPages = byMetadata && (await this.#generation()) >= 5;
    const [all, any] = yellowPages ? ["meta_all", "meta_any"] : ["metadata_all", "metadata_any"];
    if (filter.metadataAll !== undefined) kwargs[all!] = tagList(filter.metadataAll);
    if (filter.metadataAny !== undefined) kwargs[any!] = tagList(filter.metadataAny);
    if (yellowPages) {
      if (filter.prefix !== undefined || filter.regex !== undefined) {
        throw new PyroError(
          "naming",
          "a Pyro5 name server searches by metadata alone (yplookup): filter by prefix or " +
            "regex, or by metadata, not both",
        );
      }
      kwargs["return_metadata"] = filter.returnMetadata === true;
    } else if (filter.returnMetadata === true) kwargs["return_metadata"] = true;
    const method = yellowPages ? "yplookup" : "list";
    const entries = dictEntries(await this.proxy.$call(method, [], kwargs));
    if (filter.returnMetadata !== true) {
      return new Map(entries.map(([name, uri]) => [name, expectString(uri, "list")]));
    }
    return new Map(
      entries.map(([name, entry]): [string, ListedRegistration] => {
        if (!Array.isArray(entry) || entry.length !== 2) {
          throw unexpected("list", entry, "a (uri, metadata) pair");
        }
        return [name, { uri: expectString(entry[0], "list"), metadata: toTags(entry[1], "list") }];
      }),
    );
  }

  /** The generation of the name server (connecting first when not connected). */
  async #generation(): Promise<number> {
    if (this.proxy.$protocol === null) await this.proxy.$bind();
    return this.proxy.$protocol ?? 4;
  }

  /** Replace the tags of a registered name (`null` or empty clears them). */
  async setMetadata(name: string, metadata: Iterable<string> | null): Promise<void> {
    await this.proxy.$call("set_metadata", [name, metadata === null ? [] : tagList(metadata)]);
  }

  /**
   * A serializer that converts only top-level objects (marshal) cannot carry the URI inside
   * the (uri, metadata) pair; say so instead of "unmarshallable object".
   */
  #topLevelOnly(error: unknown): unknown {
    const serializer = this.proxy.$serializer;
    if (SERIALIZER_TRAITS[serializer].nestedClasses || !(error instanceof PyroError)) return error;
    if (!error.message.includes("unmarshallable object")) return error;
    const others = SERIALIZER_NAMES.filter((name) => SERIALIZER_TRAITS[name].nestedClasses);
    const choice = `${others.slice(0, -1).join(", ")} or ${others.at(-1)}`;
    return new PyroError(
      "serialize",
      `a Pyro name server cannot send lookup results with metadata in ${serializer} (it only ` +
        `converts top-level objects); use ${choice} for this lookup`,
      { cause: error },
    );
  }

  /** Close the connection to the name server (the client reconnects on its next call). */
  release(): void {
    this.proxy.$release();
  }

  /** `await using ns = await locateNS()` releases the connection at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.release();
  }
}

/** Tags as a list: every serializer carries lists, and a lone string is a caller's mistake. */
function tagList(tags: Iterable<string>): string[] {
  if (typeof tags === "string") {
    throw new PyroError(
      "naming",
      `metadata must be a collection of tags (an array or a Set), not the string '${tags}'`,
    );
  }
  return [...tags];
}

function unexpected(method: string, value: unknown, wanted: string): PyroError {
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  return new PyroError(
    "naming",
    `the name server's ${method} returned ${shown.slice(0, 200)} instead of ${wanted}; ` +
      "is the object at this URI really a Pyro4 name server?",
  );
}

function expectNumber(value: unknown, method: string): number {
  if (typeof value === "number") return value;
  throw unexpected(method, value, "a number");
}

function expectString(value: unknown, method: string): string {
  if (typeof value === "string") return value;
  throw unexpected(method, value, "a URI string");
}

/** A URI from what the name server returned: a URI object, or a string for lenient servers. */
function toUri(value: unknown, method: string): URI {
  if (value instanceof URI) return value;
  if (typeof value === "string") return new URI(value);
  throw unexpected(method, value, "a URI");
}

function toTags(value: unknown, method: string): ReadonlySet<string> {
  const items = value instanceof Set ? [...(value as Set<unknown>)] : value;
  if (!Array.isArray(items) || !items.every((tag) => typeof tag === "string")) {
    throw unexpected(method, value, "a collection of metadata tags");
  }
  return new Set(items as string[]);
}

/** The entries of a received dict (a plain object, or a Map for non-string keys). */
function dictEntries(value: unknown): Array<[string, unknown]> {
  if (value instanceof Map) {
    return [...(value as Map<unknown, unknown>)].map(([key, item]) => [String(key), item]);
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    return Object.entries(value);
  }
  throw unexpected("list", value, "a dict");
}
