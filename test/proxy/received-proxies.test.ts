/**
 * A proxy received from a server (a returned Pyro4 Proxy, an auto-proxy) gets no HMAC key of
 * its own unless the proxy state carries one, as in Pyro4: it never signs a CONNECT to an
 * endpoint the server named with the caller's key. The caller can set one on it. It uses the
 * caller's TLS settings only for the caller's own daemon (Pyro4 and Pyro5 daemons alike).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { failure } from "../harness/failures.js";
import { readFileSync } from "node:fs";
import { createTestCerts, type TestCerts } from "../harness/certs.js";
import { startHardening, type HardeningInfo } from "../harness/hardening.js";
import { PythonProcesses } from "../harness/python.js";
import { startLab, type LabInfo } from "./lab.js";
import { GENERATIONS } from "../harness/generations.js";

const python = new PythonProcesses();
let signed: LabInfo;
let certs: TestCerts;
beforeAll(async () => {
  certs = createTestCerts();
  signed = await startLab(python, ["--hmac", "k3y"]);
});
afterAll(async () => {
  await python.stopAll();
  certs.remove();
});

// Pyro4 only: Pyro5 has no HMAC (hmac-compression-limits.test.ts checks a key is refused).
describe.each(["serpent", "json", "msgpack"] as const)("received proxies with %s", (serializer) => {
  it("an auto-proxy has no HMAC key: its calls fail until the caller sets one", async () => {
    await using proxy = new PyroProxy(signed.uri, { serializer, hmacKey: "k3y" });
    const child = (await proxy.$call("make_child", ["signed"])) as PyroProxy;
    try {
      expect(child).toBeInstanceOf(PyroProxy);
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
    await using proxy = new PyroProxy(signed.uri, { serializer, hmacKey: "k3y" });
    const same = (await proxy.$call("self_proxy")) as PyroProxy;
    try {
      expect(same.$hmacKey).toBeUndefined();
      expect((await failure(same.$call("echo", [1]))).isCommunicationError).toBe(true);
    } finally {
      same.$release();
    }
  });
});

describe.each(GENERATIONS)("received proxies and TLS, $name", (generation) => {
  let tlsDaemon: HardeningInfo;
  let plainDaemon: HardeningInfo;
  beforeAll(async () => {
    [tlsDaemon, plainDaemon] = await Promise.all([
      startHardening(python, [], certs.daemonEnv(false), generation),
      startHardening(python, [], {}, generation),
    ]);
  });

  it("keep the caller's TLS settings for the caller's own daemon only", async () => {
    await using proxy = new PyroProxy(tlsDaemon.uri, { tls: { ca: readFileSync(certs.caCert) } });
    const same = (await proxy.$call("proxy_to", [tlsDaemon.uri])) as PyroProxy;
    const elsewhere = (await proxy.$call("proxy_to", [plainDaemon.uri])) as PyroProxy;
    try {
      // The same daemon: over TLS, with the caller's CA.
      expect(await same.$call("echo", ["same daemon"])).toBe("same daemon");
      // Another endpoint: the config's settings (plain here), not the caller's TLS options.
      expect(await elsewhere.$call("echo", ["elsewhere"])).toBe("elsewhere");
      expect([same.$protocol, elsewhere.$protocol]).toEqual([
        generation.protocol,
        generation.protocol,
      ]);
    } finally {
      same.$release();
      elsewhere.$release();
    }
  });
});
