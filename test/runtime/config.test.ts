/**
 * PyroConfig: Pyro4 4.82's defaults, its PYRO_* environment parsing (compared with Pyro4's
 * own Configuration), and validation errors that name the item and the allowed values.
 */
import { describe, expect, it } from "vitest";
import {
  CONFIG_ITEMS,
  PyroConfig,
  config,
  parseAddresses,
  type ConfigItem,
} from "../../src/runtime/config.js";
import { PyroError } from "../../src/runtime/errors.js";
import { runPython } from "../harness/python.js";

function configError(action: () => unknown): PyroError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(PyroError);
    expect((error as PyroError).code).toBe("config");
    return error as PyroError;
  }
  throw new Error("no error");
}

/** Pyro4's values for some env settings: each case is `{VAR: value}` → config dict or error text. */
function pyro4Parse(
  cases: Array<Record<string, string>>,
): Array<Record<string, unknown> | { error: string }> {
  const script = `
import json, os, sys, Pyro4
out = []
for case in json.load(sys.stdin):
    for key in [k for k in os.environ if k.startswith("PYRO_")]:
        del os.environ[key]
    os.environ.update(case)
    try:
        Pyro4.config.reset()
        d = Pyro4.config.asDict()
        d["BROADCAST_ADDRS"] = Pyro4.config.parseAddressesString(d["BROADCAST_ADDRS"])
        out.append({k: v for k, v in d.items() if not isinstance(v, set)})
    except ValueError as e:
        out.append({"error": str(e)})
print(json.dumps(out))`;
  return JSON.parse(runPython(script, { input: JSON.stringify(cases) })) as Array<
    Record<string, unknown> | { error: string }
  >;
}

/** Items Pyro4 has too (HMAC_KEY and PROTOCOL are pyrogen's own). */
const SHARED = CONFIG_ITEMS.filter((item) => item !== "HMAC_KEY" && item !== "PROTOCOL");

describe("defaults", () => {
  it("are Pyro4 4.82's", () => {
    const [pyro] = pyro4Parse([{}]);
    const ours = new PyroConfig().asDict();
    for (const item of SHARED)
      expect(ours[item], item).toEqual((pyro as Record<string, unknown>)[item]);
    expect(ours.HMAC_KEY).toBeNull();
  });

  it("keep Pyro4's broadcast default in the table", () => {
    expect(new PyroConfig().get("BROADCAST_ADDRS")).toEqual(["<broadcast>", "0.0.0.0"]);
  });
});

describe("environment variables", () => {
  const accepted: Array<Record<string, string>> = [
    { PYRO_METADATA: "0" },
    { PYRO_METADATA: "Off" },
    { PYRO_METADATA: "NO" },
    { PYRO_METADATA: "false" },
    { PYRO_COMPRESSION: "1" },
    { PYRO_COMPRESSION: "yes" },
    { PYRO_COMPRESSION: "ON" },
    { PYRO_COMPRESSION: "True" },
    { PYRO_COMMTIMEOUT: "2.5" },
    { PYRO_COMMTIMEOUT: " 3 " },
    { PYRO_COMMTIMEOUT: "1e1" },
    { PYRO_COMMTIMEOUT: ".5" },
    { PYRO_MAX_RETRIES: "3" },
    { PYRO_MAX_RETRIES: " +2" },
    { PYRO_MAX_MESSAGE_SIZE: "1000" },
    { PYRO_NS_HOST: "127.0.0.1" },
    { PYRO_NS_PORT: "19090", PYRO_NS_BCPORT: "19091" },
    { PYRO_BROADCAST_ADDRS: "127.0.0.1" },
    { PYRO_BROADCAST_ADDRS: " 127.0.0.1 ,'', ::1" },
    { PYRO_BROADCAST_ADDRS: "" },
    { PYRO_PREFER_IP_VERSION: "6" },
    { PYRO_PREFER_IP_VERSION: "0" },
    { PYRO_SERIALIZER: "json" },
    { PYRO_SSL: "1", PYRO_SSL_CACERTS: "/ca.pem", PYRO_SSL_CLIENTCERT: "/c.pem" },
    { PYRO_SSL_CLIENTKEY: "/k.pem", PYRO_SSL_CLIENTKEYPASSWD: "pw" },
    { PYRO_SOCK_NODELAY: "1", PYRO_SOCK_REUSE: "0", PYRO_LOGWIRE: "1" },
    { PYRO_HOST: "::1", PYRO_ITER_STREAMING: "0", PYRO_SSL_REQUIRECLIENTCERT: "1" },
    { PYRO_SSL_SERVERCERT: "/s.pem", PYRO_SSL_SERVERKEY: "/s.key", PYRO_SSL_SERVERKEYPASSWD: "x" },
  ];

  it("parse as Pyro4 parses them", () => {
    const pyro = pyro4Parse(accepted);
    accepted.forEach((env, index) => {
      const expected = pyro[index] as Record<string, unknown>;
      expect(expected, JSON.stringify(env)).not.toHaveProperty("error");
      const ours = PyroConfig.fromEnv(env).asDict();
      for (const item of SHARED)
        expect(ours[item], `${JSON.stringify(env)} ${item}`).toEqual(expected[item]);
    });
  });

  it("reject what Pyro4 rejects, naming the variable, the value and what is allowed", () => {
    const rejected: Array<[Record<string, string>, RegExp]> = [
      [
        { PYRO_METADATA: "maybe" },
        /PYRO_METADATA='maybe': METADATA must be a boolean \(env: 0, off, no, false, 1, yes, on, true\)/,
      ],
      [{ PYRO_SSL: "" }, /PYRO_SSL='': SSL must be a boolean/],
      [
        { PYRO_COMMTIMEOUT: "soon" },
        /PYRO_COMMTIMEOUT='soon': COMMTIMEOUT must be a number of seconds >= 0/,
      ],
      [{ PYRO_MAX_RETRIES: "1.5" }, /PYRO_MAX_RETRIES='1.5': MAX_RETRIES must be an integer >= 0/],
      [{ PYRO_NS_PORT: "" }, /PYRO_NS_PORT='': NS_PORT must be an integer 1..65535/],
      [
        { PYRO_PREFER_IP_VERSION: "x" },
        /PYRO_PREFER_IP_VERSION='x': PREFER_IP_VERSION must be one of 4, 6, 0/,
      ],
    ];
    const pyro = pyro4Parse(rejected.map(([env]) => env));
    rejected.forEach(([env, message], index) => {
      expect(pyro[index], JSON.stringify(env)).toHaveProperty("error");
      expect(configError(() => PyroConfig.fromEnv(env)).message).toMatch(message);
    });
  });

  it("are validated beyond Pyro4 where a bad value would only fail later", () => {
    expect(configError(() => PyroConfig.fromEnv({ PYRO_SERIALIZER: "pickle" })).message).toBe(
      "invalid environment variable PYRO_SERIALIZER='pickle': SERIALIZER must be one of serpent, json, marshal, msgpack",
    );
    expect(configError(() => PyroConfig.fromEnv({ PYRO_PREFER_IP_VERSION: "5" })).message).toMatch(
      /PREFER_IP_VERSION must be one of 4, 6, 0/,
    );
    expect(configError(() => PyroConfig.fromEnv({ PYRO_COMMTIMEOUT: "-1" })).message).toMatch(
      />= 0/,
    );
    expect(configError(() => PyroConfig.fromEnv({ PYRO_NS_PORT: "70000" })).message).toMatch(
      /1\.\.65535/,
    );
  });

  it("read PYRO_HMAC_KEY (empty means no key) and ignore unrelated variables", () => {
    expect(PyroConfig.fromEnv({ PYRO_HMAC_KEY: "secret" }).get("HMAC_KEY")).toBe("secret");
    expect(PyroConfig.fromEnv({ PYRO_HMAC_KEY: "" }).get("HMAC_KEY")).toBeNull();
    expect(PyroConfig.fromEnv({ PYRO_SERVERTYPE: "multiplex", HOME: "/x" }).asDict()).toEqual(
      new PyroConfig().asDict(),
    );
  });

  it("give the process-wide config at import", () => {
    expect(config).toBeInstanceOf(PyroConfig);
    expect(config.asDict()).toEqual(PyroConfig.fromEnv(process.env).asDict());
  });
});

describe("set, get, copy, asDict", () => {
  it("validates every item set, naming the item, the value and the allowed values", () => {
    const cfg = new PyroConfig();
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        { SERIALIZER: "pickle" },
        "invalid config item SERIALIZER='pickle': must be one of serpent, json, marshal, msgpack",
      ],
      [{ PREFER_IP_VERSION: 5 }, "invalid config item PREFER_IP_VERSION=5: must be one of 4, 6, 0"],
      [
        { COMMTIMEOUT: -1 },
        "invalid config item COMMTIMEOUT=-1: must be a number of seconds >= 0 (0 = no timeout)",
      ],
      [
        { COMMTIMEOUT: Infinity },
        "invalid config item COMMTIMEOUT=Infinity: must be a number of seconds >= 0 (0 = no timeout)",
      ],
      [{ MAX_RETRIES: 1.5 }, "invalid config item MAX_RETRIES=1.5: must be an integer >= 0"],
      [{ NS_PORT: 0 }, "invalid config item NS_PORT=0: must be an integer 1..65535"],
      [
        { METADATA: "yes" },
        "invalid config item METADATA='yes': must be a boolean (env: 0, off, no, false, 1, yes, on, true)",
      ],
      [
        { HMAC_KEY: 5 },
        "invalid config item HMAC_KEY (a number; the value is not shown, it may be secret): " +
          "must be a string, or null for no key",
      ],
      [
        { BROADCAST_ADDRS: [1] },
        "invalid config item BROADCAST_ADDRS=[1]: must be a list of addresses, or one comma-separated string",
      ],
    ];
    for (const [update, message] of cases) {
      expect(configError(() => cfg.set(update as never)).message).toBe(message);
    }
    expect(configError(() => cfg.set({ NOPE: 1 } as never)).message).toMatch(
      /^unknown config item NOPE; the items are SERIALIZER, METADATA, /,
    );
    expect(configError(() => cfg.get("NOPE" as ConfigItem)).message).toMatch(
      /^unknown config item NOPE/,
    );
    expect(cfg.asDict()).toEqual(new PyroConfig().asDict());
  });

  it("changes nothing when one of several items is invalid", () => {
    const cfg = new PyroConfig();
    configError(() => cfg.set({ COMMTIMEOUT: 5, SERIALIZER: "yaml" as never }));
    expect(cfg.get("COMMTIMEOUT")).toBe(0);
  });

  it("sets, copies independently and lists every item", () => {
    const cfg = new PyroConfig({ SERIALIZER: "json", BROADCAST_ADDRS: "127.0.0.1, ''" });
    expect(cfg.get("SERIALIZER")).toBe("json");
    expect(cfg.get("BROADCAST_ADDRS")).toEqual(["127.0.0.1", ""]);
    const copy = cfg.copy().set({ SERIALIZER: "marshal", BROADCAST_ADDRS: ["::1"] });
    expect(cfg.get("SERIALIZER")).toBe("json");
    expect(copy.get("BROADCAST_ADDRS")).toEqual(["::1"]);
    expect(Object.isFrozen(copy.get("BROADCAST_ADDRS"))).toBe(true);
    const dict = cfg.asDict();
    expect(Object.keys(dict)).toEqual([...CONFIG_ITEMS]);
    (dict.BROADCAST_ADDRS as string[]).push("changed");
    expect(cfg.get("BROADCAST_ADDRS")).toEqual(["127.0.0.1", ""]);
    expect(cfg.set({ SSL: true, COMMTIMEOUT: undefined }).get("SSL")).toBe(true);
  });

  it("parses address lists like Pyro4's parseAddressesString", () => {
    expect(parseAddresses("<broadcast>, 0.0.0.0")).toEqual(["<broadcast>", "0.0.0.0"]);
    expect(parseAddresses(" a ,'',b")).toEqual(["a", "", "b"]);
  });
});
