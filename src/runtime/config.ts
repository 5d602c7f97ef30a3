/**
 * Pyro4's configuration items that matter to a client (and to pyrogen's small callback
 * daemon), with Pyro4 4.82's defaults and its `PYRO_<ITEM>` environment variables.
 *
 * | item | env var | default | used for |
 * |---|---|---|---|
 * | SERIALIZER | PYRO_SERIALIZER | `serpent` | serializer of new proxies (serpent, json, marshal, msgpack) |
 * | METADATA | PYRO_METADATA | `true` | ask for metadata in CONNECT (META_ON_CONNECT) |
 * | COMMTIMEOUT | PYRO_COMMTIMEOUT | `0` | seconds for connect and each call; 0 = no timeout |
 * | MAX_RETRIES | PYRO_MAX_RETRIES | `0` | re-sends after a lost connection or a timeout |
 * | COMPRESSION | PYRO_COMPRESSION | `false` | zlib-compress outgoing payloads |
 * | MAX_MESSAGE_SIZE | PYRO_MAX_MESSAGE_SIZE | `0` | byte limit of sent/received messages; 0 = none |
 * | NS_HOST | PYRO_NS_HOST | `localhost` | name server host for `locateNS` |
 * | NS_PORT | PYRO_NS_PORT | `9090` | name server port; default port of PYRONAME/PYROMETA URIs |
 * | NS_BCPORT | PYRO_NS_BCPORT | `9091` | UDP port of the broadcast discovery |
 * | BROADCAST_ADDRS | PYRO_BROADCAST_ADDRS | `<broadcast>, 0.0.0.0` | where discovery broadcasts go (comma-separated; `''` = empty string) |
 * | PREFER_IP_VERSION | PYRO_PREFER_IP_VERSION | `4` | address family for host names: 4, 6, or 0 (OS decides) |
 * | SOCK_REUSE | PYRO_SOCK_REUSE | `true` | SO_REUSEADDR on listening sockets (Node always sets it) |
 * | SOCK_NODELAY | PYRO_SOCK_NODELAY | `false` | Pyro4's TCP_NODELAY switch; pyrogen sets TCP_NODELAY on every socket regardless |
 * | SSL | PYRO_SSL | `false` | use TLS |
 * | SSL_CACERTS | PYRO_SSL_CACERTS | `""` | PEM file or directory of CAs to trust (in addition to the system CAs) |
 * | SSL_CLIENTCERT | PYRO_SSL_CLIENTCERT | `""` | PEM client certificate (2-way TLS) |
 * | SSL_CLIENTKEY | PYRO_SSL_CLIENTKEY | `""` | PEM key of the client certificate |
 * | SSL_CLIENTKEYPASSWD | PYRO_SSL_CLIENTKEYPASSWD | `""` | passphrase of that key |
 * | HMAC_KEY | PYRO_HMAC_KEY | `null` | message signing key (not a Pyro4 item; its tools read this variable) |
 * | PROTOCOL | PYRO_PROTOCOL | `0` | Pyro generation of new proxies: 4, 5, or 0 (detect on connect, remembered per address; not a Pyro item) |
 * | LOGWIRE | PYRO_LOGWIRE | `false` | log every message sent and received |
 * | HOST | PYRO_HOST | `localhost` | (daemon) address to bind |
 * | ITER_STREAMING | PYRO_ITER_STREAMING | `true` | (daemon) hand out iterators as item streams |
 * | SSL_SERVERCERT | PYRO_SSL_SERVERCERT | `""` | (daemon) PEM server certificate |
 * | SSL_SERVERKEY | PYRO_SSL_SERVERKEY | `""` | (daemon) PEM key of the server certificate |
 * | SSL_SERVERKEYPASSWD | PYRO_SSL_SERVERKEYPASSWD | `""` | (daemon) passphrase of that key |
 * | SSL_REQUIRECLIENTCERT | PYRO_SSL_REQUIRECLIENTCERT | `false` | (daemon) require client certificates (2-way TLS) |
 *
 * Pyro4's server-only items (SERVERTYPE, THREADPOOL_SIZE, SERIALIZERS_ACCEPTED, …) are not
 * here: pyrogen has no use for them.
 */
import { PyroError } from "./errors.js";
import { SERIALIZER_NAMES, type SerializerName } from "./serializers/catalog.js";

/** Every configuration item with its type. Names are exactly Pyro4's. */
export interface ConfigItems {
  SERIALIZER: SerializerName;
  METADATA: boolean;
  COMMTIMEOUT: number;
  MAX_RETRIES: number;
  COMPRESSION: boolean;
  MAX_MESSAGE_SIZE: number;
  NS_HOST: string;
  NS_PORT: number;
  NS_BCPORT: number;
  BROADCAST_ADDRS: readonly string[];
  PREFER_IP_VERSION: 0 | 4 | 6;
  SOCK_REUSE: boolean;
  SOCK_NODELAY: boolean;
  SSL: boolean;
  SSL_CACERTS: string;
  SSL_CLIENTCERT: string;
  SSL_CLIENTKEY: string;
  SSL_CLIENTKEYPASSWD: string;
  HMAC_KEY: string | null;
  PROTOCOL: 0 | 4 | 5;
  LOGWIRE: boolean;
  HOST: string;
  ITER_STREAMING: boolean;
  SSL_SERVERCERT: string;
  SSL_SERVERKEY: string;
  SSL_SERVERKEYPASSWD: string;
  SSL_REQUIRECLIENTCERT: boolean;
}

/** The name of a configuration item. */
export type ConfigItem = keyof ConfigItems;

/** What `set` accepts: BROADCAST_ADDRS may also be given as Pyro4's comma-separated string. */
export type ConfigUpdate = Partial<Omit<ConfigItems, "BROADCAST_ADDRS">> & {
  BROADCAST_ADDRS?: readonly string[] | string;
};

/** How one item is checked, parsed from the environment, and described in errors. */
interface ItemRule<T> {
  readonly default: T;
  /** The allowed values, as shown in error messages. */
  readonly allowed: string;
  /** Parse the raw environment string; `undefined` means invalid. */
  fromEnv(raw: string): T | undefined;
  /** Validate a value given to `set`; `undefined` means invalid. */
  check(value: unknown): T | undefined;
}

function booleanRule(defaultValue: boolean): ItemRule<boolean> {
  return {
    default: defaultValue,
    allowed: "a boolean (env: 0, off, no, false, 1, yes, on, true)",
    fromEnv(raw) {
      const word = raw.toLowerCase();
      if (["0", "off", "no", "false"].includes(word)) return false;
      if (["1", "yes", "on", "true"].includes(word)) return true;
      return undefined;
    },
    check: (value) => (typeof value === "boolean" ? value : undefined),
  };
}

/** Integers as Python's `int()` reads them: optional sign, digits, surrounding spaces. */
function integerRule(defaultValue: number, min: number, max: number): ItemRule<number> {
  const check = (value: unknown): number | undefined =>
    typeof value === "number" && Number.isInteger(value) && value >= min && value <= max
      ? value
      : undefined;
  return {
    default: defaultValue,
    allowed: max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer ${min}..${max}`,
    fromEnv: (raw) => (/^\s*[+-]?\d+\s*$/.test(raw) ? check(Number(raw)) : undefined),
    check,
  };
}

/** Non-negative seconds, as Python's `float()` reads them (no inf/nan: a timeout must end). */
function secondsRule(defaultValue: number): ItemRule<number> {
  const check = (value: unknown): number | undefined =>
    typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
  return {
    default: defaultValue,
    allowed: "a number of seconds >= 0 (0 = no timeout)",
    fromEnv: (raw) =>
      /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(raw) ? check(Number(raw)) : undefined,
    check,
  };
}

function stringRule(defaultValue: string, allowed = "a string"): ItemRule<string> {
  return {
    default: defaultValue,
    allowed,
    fromEnv: (raw) => raw,
    check: (value) => (typeof value === "string" ? value : undefined),
  };
}

function choiceRule<T extends string | number>(
  defaultValue: T,
  choices: readonly T[],
): ItemRule<T> {
  const find = (value: unknown): T | undefined => choices.find((choice) => choice === value);
  return {
    default: defaultValue,
    allowed: `one of ${choices.join(", ")}`,
    fromEnv: (raw) => {
      if (typeof defaultValue === "string") return find(raw);
      return /^\s*[+-]?\d+\s*$/.test(raw) ? find(Number(raw)) : undefined;
    },
    check: find,
  };
}

/** Pyro4's `parseAddressesString`: split on `,`, trim, `''` stands for the empty string. */
export function parseAddresses(text: string): readonly string[] {
  return Object.freeze(
    text.split(",").map((part) => {
      const address = part.trim();
      return address === "''" ? "" : address;
    }),
  );
}

const addressesRule: ItemRule<readonly string[]> = {
  default: parseAddresses("<broadcast>, 0.0.0.0"),
  allowed: "a list of addresses, or one comma-separated string",
  fromEnv: parseAddresses,
  check(value) {
    if (typeof value === "string") return parseAddresses(value);
    if (Array.isArray(value) && value.every((item) => typeof item === "string")) {
      return Object.freeze([...(value as string[])]);
    }
    return undefined;
  },
};

const hmacKeyRule: ItemRule<string | null> = {
  default: null,
  allowed: "a string, or null for no key",
  // An empty PYRO_HMAC_KEY means no key, as in Pyro4's tools.
  fromEnv: (raw) => (raw === "" ? null : raw),
  check: (value) => (value === null || typeof value === "string" ? value : undefined),
};

const MAX_INT = Number.MAX_SAFE_INTEGER;

const RULES: { readonly [K in ConfigItem]: ItemRule<ConfigItems[K]> } = {
  SERIALIZER: choiceRule<SerializerName>("serpent", SERIALIZER_NAMES),
  METADATA: booleanRule(true),
  COMMTIMEOUT: secondsRule(0),
  MAX_RETRIES: integerRule(0, 0, MAX_INT),
  COMPRESSION: booleanRule(false),
  MAX_MESSAGE_SIZE: integerRule(0, 0, MAX_INT),
  NS_HOST: stringRule("localhost", "a host name or IP address"),
  NS_PORT: integerRule(9090, 1, 65535),
  NS_BCPORT: integerRule(9091, 1, 65535),
  BROADCAST_ADDRS: addressesRule,
  PREFER_IP_VERSION: choiceRule<0 | 4 | 6>(4, [4, 6, 0]),
  SOCK_REUSE: booleanRule(true),
  SOCK_NODELAY: booleanRule(false),
  SSL: booleanRule(false),
  SSL_CACERTS: stringRule("", "a file or directory path, or empty"),
  SSL_CLIENTCERT: stringRule("", "a file path, or empty"),
  SSL_CLIENTKEY: stringRule("", "a file path, or empty"),
  SSL_CLIENTKEYPASSWD: stringRule(""),
  HMAC_KEY: hmacKeyRule,
  PROTOCOL: choiceRule<0 | 4 | 5>(0, [0, 4, 5]),
  LOGWIRE: booleanRule(false),
  HOST: stringRule("localhost", "a host name or IP address"),
  ITER_STREAMING: booleanRule(true),
  SSL_SERVERCERT: stringRule("", "a file path, or empty"),
  SSL_SERVERKEY: stringRule("", "a file path, or empty"),
  SSL_SERVERKEYPASSWD: stringRule(""),
  SSL_REQUIRECLIENTCERT: booleanRule(false),
};

/** Every item name, in the order of the table above. */
export const CONFIG_ITEMS: readonly ConfigItem[] = Object.keys(RULES) as ConfigItem[];

/** True if `name` is one of pyrogen's configuration items. */
export function isConfigItem(name: string): name is ConfigItem {
  return Object.hasOwn(RULES, name);
}

function show(value: unknown): string {
  if (typeof value === "string") return `'${value}'`;
  if (typeof value === "number") return String(value);
  if (typeof value === "bigint") return `${value}n`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function unknownItem(name: string): PyroError {
  return new PyroError(
    "config",
    `unknown config item ${name}; the items are ${CONFIG_ITEMS.join(", ")}`,
  );
}

/** Items whose values are secrets: an invalid one is described by its kind, never shown. */
const SECRET_ITEMS: ReadonlySet<ConfigItem> = new Set([
  "HMAC_KEY",
  "SSL_CLIENTKEYPASSWD",
  "SSL_SERVERKEYPASSWD",
]);

/** What kind of value `value` is, for messages that must not show it. */
function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Buffer.isBuffer(value)) return "a Buffer";
  if (value instanceof Uint8Array) return "a Uint8Array";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function checkItem<K extends ConfigItem>(item: K, value: unknown): ConfigItems[K] {
  const rule: ItemRule<ConfigItems[K]> = RULES[item];
  const checked = rule.check(value);
  if (checked === undefined) {
    const given = SECRET_ITEMS.has(item)
      ? ` (${kindOf(value)}; the value is not shown, it may be secret)`
      : `=${show(value)}`;
    throw new PyroError("config", `invalid config item ${item}${given}: must be ${rule.allowed}`);
  }
  return checked;
}

type Values = { -readonly [K in ConfigItem]: ConfigItems[K] };

function defaults(): Values {
  const values: Partial<Record<ConfigItem, unknown>> = {};
  for (const item of CONFIG_ITEMS) values[item] = RULES[item].default;
  return values as Values;
}

/**
 * A set of configuration items. Proxies read their defaults from one (the process-wide
 * {@link config} unless given their own); every change is validated.
 */
export class PyroConfig {
  #values: Values;

  /** Pyro4's defaults, changed by `items` if given. */
  constructor(items: ConfigUpdate = {}) {
    this.#values = defaults();
    this.set(items);
  }

  /**
   * A configuration from `PYRO_<ITEM>` environment variables (default `process.env`), parsed
   * the way Pyro4 does; other items keep their defaults. An invalid value is a `config` error
   * that names the variable, the value and what is allowed.
   */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): PyroConfig {
    const result = new PyroConfig();
    for (const item of CONFIG_ITEMS) {
      const raw = env[`PYRO_${item}`];
      if (raw !== undefined) result.#setFromEnv(item, raw);
    }
    return result;
  }

  #setFromEnv<K extends ConfigItem>(item: K, raw: string): void {
    const rule: ItemRule<ConfigItems[K]> = RULES[item];
    const value = rule.fromEnv(raw);
    if (value === undefined) {
      throw new PyroError(
        "config",
        `invalid environment variable PYRO_${item}=${show(raw)}: ${item} must be ${rule.allowed}`,
      );
    }
    this.#values[item] = value;
  }

  /** The current value of one item. */
  get<K extends ConfigItem>(item: K): ConfigItems[K] {
    if (!isConfigItem(item)) throw unknownItem(item);
    return this.#values[item];
  }

  /**
   * Change some items. All are validated before any is changed, so a bad value leaves the
   * configuration as it was.
   */
  set(items: ConfigUpdate): this {
    const next = { ...this.#values };
    for (const [name, value] of Object.entries(items)) {
      if (!isConfigItem(name)) throw unknownItem(name);
      if (value !== undefined) Object.assign(next, { [name]: checkItem(name, value) });
    }
    this.#values = next;
    return this;
  }

  /** An independent copy. */
  copy(): PyroConfig {
    const clone = new PyroConfig();
    clone.#values = { ...this.#values };
    return clone;
  }

  /** Every item and its value, as a plain object (BROADCAST_ADDRS copied). */
  asDict(): ConfigItems {
    return { ...this.#values, BROADCAST_ADDRS: [...this.#values.BROADCAST_ADDRS] };
  }
}

/**
 * The process-wide configuration, read from the environment when the runtime is imported.
 * Change it with `config.set({...})`; proxies created later use the new values.
 */
export const config: PyroConfig = PyroConfig.fromEnv();
