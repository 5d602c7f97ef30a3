import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PythonProcesses } from "../harness/python.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { PyroConfig } from "../../src/runtime/config.js";
import { PyroError } from "../../src/runtime/errors.js";
import { startLab, type LabInfo } from "./lab.js";

const python = new PythonProcesses();
let lab: LabInfo;
let signed: LabInfo;
beforeAll(async () => {
  [lab, signed] = await Promise.all([startLab(python), startLab(python, ["--hmac", "envkey"])]);
});
afterAll(() => python.stopAll());

describe("proxy defaults from the configuration", () => {
  it("reads every client item from a PyroConfig", async () => {
    const cfg = new PyroConfig({
      SERIALIZER: "json",
      COMMTIMEOUT: 2.5,
      MAX_RETRIES: 3,
      METADATA: false,
      COMPRESSION: true,
      MAX_MESSAGE_SIZE: 100_000,
    });
    await using proxy = new PyroProxy(lab.uri, { config: cfg });
    expect(proxy.$serializer).toBe("json");
    expect(proxy.$timeout).toBe(2500);
    expect(proxy.$maxRetries).toBe(3);
    // METADATA off: the oneway method runs synchronously and returns its value.
    expect(await proxy.$call("fire", ["config"])).toBe("fired");
    expect(proxy.$metadata).toBeNull();
    expect(await proxy.$call("size", ["c".repeat(50_000)])).toBe(50_000);
  });

  it("takes PYRO_* environment variables, HMAC key included", async () => {
    const cfg = PyroConfig.fromEnv({
      PYRO_SERIALIZER: "msgpack",
      PYRO_COMMTIMEOUT: "1.5",
      PYRO_HMAC_KEY: "envkey",
      PYRO_METADATA: "on",
    });
    await using proxy = new PyroProxy(signed.uri, { config: cfg });
    expect(proxy.$serializer).toBe("msgpack");
    expect(proxy.$timeout).toBe(1500);
    expect(await proxy.$call("echo", ["from env"])).toBe("from env");
    expect(proxy.$metadata?.methods.has("echo")).toBe(true);
  });

  it("per-proxy options win over the configuration", async () => {
    const cfg = new PyroConfig({ SERIALIZER: "json", COMMTIMEOUT: 9 });
    await using proxy = new PyroProxy(lab.uri, {
      config: cfg,
      serializer: "marshal",
      timeoutMs: 10,
    });
    expect(proxy.$serializer).toBe("marshal");
    expect(proxy.$timeout).toBe(10);
  });

  it("switches serializer on a live connection", async () => {
    await using proxy = new PyroProxy(lab.uri, { serializer: "serpent" });
    expect(await proxy.$call("echo", [1])).toBe(1);
    proxy.$serializer = "msgpack";
    expect(await proxy.$call("echo", [new Uint8Array([1, 2])])).toEqual(new Uint8Array([1, 2]));
  });
});

describe("invalid settings are config errors that name the option", () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    [
      "serializer",
      () => new PyroProxy(lab.uri, { serializer: "pickle" as "json" }),
      /serializer 'pickle'.*serpent, json, marshal, msgpack/,
    ],
    [
      "timeoutMs",
      () => new PyroProxy(lab.uri, { timeoutMs: -1 }),
      /invalid timeoutMs=-1: must be a number of milliseconds/,
    ],
    ["maxRetries", () => new PyroProxy(lab.uri, { maxRetries: 1.5 }), /invalid maxRetries=1\.5/],
    [
      "maxMessageSize",
      () => new PyroProxy(lab.uri, { maxMessageSize: -5 }),
      /invalid maxMessageSize=-5/,
    ],
    [
      "correlationId",
      () => new PyroProxy(lab.uri, { correlationId: "nope" }),
      /invalid correlationId 'nope': must be a UUID/,
    ],
    ["$timeout", () => (new PyroProxy(lab.uri).$timeout = Number.NaN), /invalid \$timeout=NaN/],
    [
      "config item",
      () => new PyroConfig({ COMMTIMEOUT: -1 }),
      /invalid config item COMMTIMEOUT=-1/,
    ],
  ];
  it.each(cases)("%s", (_name, make, message) => {
    expect(make).toThrow(PyroError);
    expect(make).toThrow(message);
  });

  it("annotation keys must have 4 characters", () => {
    expect(() => new PyroProxy(lab.uri, { annotations: { TOOLONG: "x" } })).toThrow(
      /annotation key must be of length 4/,
    );
  });

  it("a bad URI lists the accepted forms", () => {
    expect(() => new PyroProxy("http://example")).toThrow(PyroError);
    expect(() => new PyroProxy("http://example")).toThrow(/PYRO:/);
  });
});
