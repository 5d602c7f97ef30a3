/**
 * Pyro object URIs: `PYRO:obj@host:port`, `PYRO:obj@[::1]:port`, `PYRO:obj@./u:/path.sock`,
 * `PYRONAME:name[@host[:port]]` and `PYROMETA:tag1,tag2[@host[:port]]`, parsed by Pyro4's
 * rules (`Pyro4.core.URI`) and printed back as Pyro4 prints them.
 *
 * Where Pyro4 is lax, pyrogen is stricter, so a mistake shows up when the URI is parsed
 * rather than when it is used: the port must be decimal digits in 0..65535, a host must not
 * be empty, nothing may follow a bracketed IPv6 address but `:port`, the object part must
 * not start with `@`, and PYROMETA tags must not be empty.
 */
import { PyroError } from "./errors.js";

/** The three URI kinds. */
export type UriProtocol = "PYRO" | "PYRONAME" | "PYROMETA";

/**
 * The URI state Pyro puts in its URI class dict (`Pyro4.core.URI`; the same in every generation):
 * `[protocol, object (or the tag set for PYROMETA), sockname, host, port]`.
 */
export type UriState = [
  protocol: UriProtocol,
  object: string | Set<string>,
  sockname: string | null,
  host: string | null,
  port: number | null,
];

/** Options of the {@link URI} constructor. */
export interface UriOptions {
  /**
   * Port for PYRONAME/PYROMETA locations without one; default 9090, Pyro's default NS_PORT
   * (proxies and the name-server functions pass their config's NS_PORT).
   */
  readonly nsPort?: number;
}

const ACCEPTED_FORMS =
  "accepted forms: PYRO:<objectid>@<host>:<port>, PYRO:<objectid>@[<ipv6>]:<port>, " +
  "PYRO:<objectid>@./u:<socketpath>, PYRONAME:<name>[@<host>[:<port>]], " +
  "PYROMETA:<tag>[,<tag>...][@<host>[:<port>]]";

// Pyro4's own pattern; JS `$` (no m flag) matches only at the very end, unlike Python's.
const URI_PATTERN = /^(?<protocol>[Pp][Yy][Rr][Oo][a-zA-Z]*):(?<object>\S+?)(@(?<location>.+))?$/;
const IPV6_LOCATION = /^\[(?<host>[0-9a-fA-F:%]+)\](:(?<port>.*))?$/;
const PROTOCOLS: readonly UriProtocol[] = ["PYRO", "PYRONAME", "PYROMETA"];

/** Pyro's default name-server port (the NS_PORT config item's default). */
const DEFAULT_NS_PORT = 9090;

/** URIs parsed by {@link URI.parse}, by options and text; cleared when it reaches the limit. */
const parsed = new Map<string, URI>();
const PARSED_LIMIT = 1024;

function uriError(text: string, problem: string): PyroError {
  return new PyroError("uri", `invalid uri '${text}': ${problem}; ${ACCEPTED_FORMS}`);
}

interface Location {
  sockname: string | null;
  host: string | null;
  port: number | null;
}

/** Parse a port string; Pyro4's message names the port, with `None` for a missing one. */
function parsePort(text: string, port: string | null): number {
  if (port === null) {
    throw uriError(text, "invalid port in uri, port=None (a PYRO uri needs host:port)");
  }
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    throw uriError(text, `invalid port in uri, port=${port} (must be a number 0..65535)`);
  }
  return Number(port);
}

function parseLocation(text: string, location: string, defaultPort: number | null): Location {
  if (location.startsWith("./u:")) {
    const sockname = location.slice(4);
    if (sockname === "" || sockname.includes(":")) {
      throw uriError(
        text,
        "invalid uri (location): a unix socket path must be non-empty and contain no ':'",
      );
    }
    return { sockname, host: null, port: null };
  }
  let host: string;
  let port: string | null;
  if (location.startsWith("[")) {
    if (location.startsWith("[[")) {
      throw uriError(text, "invalid ipv6 address: enclosed in too many brackets");
    }
    const match = IPV6_LOCATION.exec(location);
    if (match?.groups?.["host"] === undefined) {
      throw uriError(
        text,
        "invalid ipv6 address: the part between brackets must be a numeric ipv6 address, " +
          "optionally followed by :port",
      );
    }
    host = match.groups["host"];
    port = match.groups["port"] ?? null;
  } else {
    const colon = location.indexOf(":");
    host = colon < 0 ? location : location.slice(0, colon);
    port = colon < 0 ? null : location.slice(colon + 1);
    if (host === "") {
      throw uriError(
        text,
        "the host is empty (an IPv6 address must be written in brackets: [::1]:port)",
      );
    }
  }
  // As in Pyro4, a missing or empty port means the default one (PYRO has none).
  const missing = port === null || port === "";
  return {
    sockname: null,
    host,
    port: missing ? (defaultPort ?? parsePort(text, null)) : parsePort(text, port),
  };
}

function describeMismatch(text: string): string {
  if (!/^[Pp][Yy][Rr][Oo][a-zA-Z]*:/.test(text)) {
    return "it must start with PYRO:, PYRONAME: or PYROMETA:";
  }
  const rest = text.slice(text.indexOf(":") + 1);
  if (rest === "" || rest.startsWith("@")) return "the object part is empty";
  return "the object part must not contain whitespace";
}

/** An immutable Pyro URI. */
export class URI {
  /** `PYRO`, `PYRONAME` or `PYROMETA` (always upper case). */
  readonly protocol: UriProtocol;
  /** The object id (PYRO), the logical name (PYRONAME), or the tags joined by `,` (PYROMETA). */
  readonly object: string;
  /** The metadata tags of a PYROMETA URI, else `null`. */
  readonly tags: ReadonlySet<string> | null;
  /** The Unix domain socket path, or `null`. */
  readonly sockname: string | null;
  /** The host name or IP address (IPv6 without brackets), or `null`. */
  readonly host: string | null;
  /** The TCP port, or `null`. */
  readonly port: number | null;

  /** Parse a URI string (or copy a URI). Anything malformed is a `uri` error. */
  constructor(uri: string | URI, options: UriOptions = {}) {
    if (uri instanceof URI) {
      this.protocol = uri.protocol;
      this.object = uri.object;
      this.tags = uri.tags;
      this.sockname = uri.sockname;
      this.host = uri.host;
      this.port = uri.port;
      Object.freeze(this);
      return;
    }
    if (typeof uri !== "string") {
      throw new PyroError("uri", `a uri must be a string or a URI, not ${typeof uri}`);
    }
    const match = URI_PATTERN.exec(uri);
    const groups = match?.groups;
    if (groups?.["protocol"] === undefined || groups["object"] === undefined) {
      throw uriError(uri, describeMismatch(uri));
    }
    // Pyro4 would take "@host:1" itself as the object id; it is an empty one by mistake.
    if (groups["object"].startsWith("@")) throw uriError(uri, "the object part is empty");
    const protocol = groups["protocol"].toUpperCase();
    if (!PROTOCOLS.includes(protocol as UriProtocol)) {
      throw uriError(uri, `invalid uri (protocol): unknown protocol ${protocol}`);
    }
    this.protocol = protocol as UriProtocol;
    const location = groups["location"];
    const nsPort = options.nsPort ?? DEFAULT_NS_PORT;
    let parsed: Location = { sockname: null, host: null, port: null };
    if (this.protocol === "PYRO") {
      if (location === undefined) {
        throw uriError(uri, "a PYRO uri needs a location (@host:port or @./u:socketpath)");
      }
      parsed = parseLocation(uri, location, null);
    } else if (location !== undefined) {
      parsed = parseLocation(uri, location, nsPort);
    }
    if (this.protocol === "PYROMETA") {
      const tags = groups["object"].split(",").map((tag) => tag.trim());
      if (tags.includes("")) throw uriError(uri, "a PYROMETA tag is empty");
      this.tags = new Set(tags);
      this.object = [...this.tags].join(",");
    } else {
      this.tags = null;
      this.object = groups["object"];
    }
    this.sockname = parsed.sockname;
    this.host = parsed.host;
    this.port = parsed.port;
    Object.freeze(this);
  }

  /**
   * `new URI(text, options)`, remembered: a program makes proxies for the same few URIs over
   * and over, and a URI is immutable, so the same instance serves every time. Failures are
   * not remembered (each throws anew).
   */
  static parse(text: string, options: UriOptions = {}): URI {
    const key = `${options.nsPort ?? DEFAULT_NS_PORT}\u0000${text}`;
    let uri = parsed.get(key);
    if (uri === undefined) {
      uri = new URI(text, options);
      if (parsed.size >= PARSED_LIMIT) parsed.clear();
      parsed.set(key, uri);
    }
    return uri;
  }

  /**
   * Rebuild a URI from the state of a URI class dict (tuples arrive as arrays,
   * a PYROMETA tag set as a Set or an array). A malformed state is a `uri` error.
   */
  static fromState(state: unknown): URI {
    const problem = stateProblem(state);
    if (problem !== null) {
      throw new PyroError(
        "uri",
        `invalid URI state ${showState(state)}: ${problem}; ` +
          "expected [protocol, object, sockname, host, port]",
      );
    }
    const [protocol, object, sockname, host, port] = state as UriState;
    const tags = protocol === "PYROMETA" ? new Set(object as Iterable<string>) : null;
    // Built field by field, not re-parsed: an object id may hold characters ('@') that
    // would read differently inside a URI string.
    const uri = Object.create(URI.prototype) as URI;
    Object.assign(uri, {
      protocol,
      object: tags === null ? object : [...tags].join(","),
      tags,
      sockname,
      host,
      port,
    });
    return Object.freeze(uri);
  }

  /** The state for a URI class dict; PYROMETA tags as a Set, as Python has them. */
  get state(): UriState {
    return [
      this.protocol,
      this.tags === null ? this.object : new Set(this.tags),
      this.sockname,
      this.host,
      this.port,
    ];
  }

  /** `host:port`, `[ipv6]:port` or `./u:path`; `null` for a PYRONAME/PYROMETA without one. */
  get location(): string | null {
    if (this.host !== null) {
      const host = this.host.includes(":") ? `[${this.host}]` : this.host;
      return `${host}:${String(this.port)}`;
    }
    return this.sockname === null ? null : `./u:${this.sockname}`;
  }

  /** The URI as Pyro4 prints it, e.g. `PYRONAME:name@host:9090`. */
  toString(): string {
    const location = this.location;
    return `${this.protocol}:${this.object}${location === null ? "" : `@${location}`}`;
  }

  /** The string form, so URIs print well inside JSON. */
  toJSON(): string {
    return this.toString();
  }

  /** True if `other` is a URI with the same protocol, object (or tag set) and location. */
  equals(other: unknown): boolean {
    if (!(other instanceof URI)) return false;
    if (this.tags !== null || other.tags !== null) {
      if (this.tags === null || other.tags === null || this.tags.size !== other.tags.size) {
        return false;
      }
      for (const tag of this.tags) if (!other.tags.has(tag)) return false;
    } else if (this.object !== other.object) {
      return false;
    }
    return (
      this.protocol === other.protocol &&
      this.sockname === other.sockname &&
      this.host === other.host &&
      this.port === other.port
    );
  }
}

function stateProblem(state: unknown): string | null {
  if (!Array.isArray(state) || state.length !== 5) return "not a 5-item sequence";
  const [protocol, object, sockname, host, port] = state as unknown[];
  if (!PROTOCOLS.includes(protocol as UriProtocol)) return "unknown protocol";
  if (protocol === "PYROMETA") {
    const tags = object instanceof Set ? [...(object as Set<unknown>)] : object;
    if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === "string" && tag !== "")) {
      return "PYROMETA tags must be a set or list of non-empty strings";
    }
  } else if (typeof object !== "string" || object === "") {
    return "the object must be a non-empty string";
  }
  if (sockname !== null && (typeof sockname !== "string" || sockname === "")) {
    return "sockname must be a non-empty string or null";
  }
  if (host !== null && (typeof host !== "string" || host === "")) {
    return "host must be a non-empty string or null";
  }
  if (
    port !== null &&
    !(Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65535)
  ) {
    return "port must be an integer 0..65535 or null";
  }
  if (sockname !== null && host !== null) return "it has both a sockname and a host";
  if ((host === null) !== (port === null)) return "host and port must both be set or both be null";
  if (protocol === "PYRO" && sockname === null && host === null)
    return "a PYRO uri needs a location";
  return null;
}

function showState(state: unknown): string {
  try {
    return JSON.stringify(state, (_key, value: unknown) =>
      value instanceof Set
        ? [...(value as Set<unknown>)]
        : typeof value === "bigint"
          ? String(value)
          : value,
    ).slice(0, 200);
  } catch {
    return String(state);
  }
}
