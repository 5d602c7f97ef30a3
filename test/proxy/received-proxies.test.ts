/**
 * A proxy received from a server (a returned Pyro4 Proxy, an auto-proxy) gets no HMAC key of
 * its own unless the proxy state carries one, as in Pyro4: it never signs a CONNECT to an
 * endpoint the server named with the caller's key. The caller can set one on it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Proxy } from "../../src/runtime/proxy.js";
import { failure } from "../harness/failures.js";
import { PythonProcesses } from "../harness/python.js";
import { startLab, type LabInfo } from "./lab.js";

const python = new PythonProcesses();
let signed: LabInfo;
beforeAll(async () => {
  signed = await startLab(python, ["--hmac", "k3y"]);
});
afterAll(() => python.stopAll());

describe.each(["serpent", "json", "msgpack"] as const)("received proxies with %s", (serializer) => {
  it("an auto-proxy has no HMAC key: its calls fail until the caller sets one", async () => {
    await using proxy = new Proxy(signed.uri, { serializer, hmacKey: "k3y" });
    const child = (await proxy.$call("make_child", ["signed"])) as Proxy;
    try {
      expect(child).toBeInstanceOf(Proxy);
      expect(child.$hmacKey).toBeUndefined();
      const error = await failure(child.$call("hello"));
      expect(error.isCommunicationError).toBe(true);
      expect(error.message).toMatch(/hmac/);
      child.$hmacKey = "k3y";
      expect(await child.$call("hello")).toBe("child signed");
    } finally {
      child.$release();
    }
  });

  it("a returned Pyro4 Proxy has no HMAC key either", async () => {
    await using proxy = new Proxy(signed.uri, { serializer, hmacKey: "k3y" });
    const same = (await proxy.$call("self_proxy")) as Proxy;
    try {
      expect(same.$hmacKey).toBeUndefined();
      expect((await failure(same.$call("echo", [1]))).isCommunicationError).toBe(true);
    } finally {
      same.$release();
    }
  });
});
