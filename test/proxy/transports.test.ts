import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PythonProcesses } from "../harness/python.js";
import { createTestCerts, type TestCerts } from "../harness/certs.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { PyroConfig } from "../../src/runtime/config.js";
import { SERIALIZERS, startLab, type LabInfo } from "./lab.js";
import { failure } from "../harness/failures.js";
import { GENERATIONS } from "../harness/generations.js";

const python = new PythonProcesses();
let certs: TestCerts;
let socketDir: string;
describe.each(GENERATIONS)("$name daemons", (generation) => {
  let unix: LabInfo;
  let ipv6: LabInfo;
  let tlsOneWay: LabInfo;
  let tlsTwoWay: LabInfo;
  beforeAll(async () => {
    certs = createTestCerts();
    socketDir = mkdtempSync(path.join(tmpdir(), "pyrogen-proxy-"));
    [unix, ipv6, tlsOneWay, tlsTwoWay] = await Promise.all([
      startLab(python, ["--unix", path.join(socketDir, "lab.sock")], {}, generation),
      startLab(python, ["--host", "::1"], {}, generation),
      startLab(python, [], certs.daemonEnv(false), generation),
      startLab(python, [], certs.daemonEnv(true), generation),
    ]);
  });
  afterAll(async () => {
    await python.stopAll();
    certs.remove();
    rmSync(socketDir, { recursive: true, force: true });
  });

  const ca = (): string => readFileSync(certs.caCert, "utf8");

  describe.each(SERIALIZERS)("transports with %s", (serializer) => {
    it("talks over a Unix domain socket", async () => {
      expect(unix.uri).toMatch(/^PYRO:lab@\.\/u:.*lab\.sock$/);
      await using proxy = new PyroProxy(unix.uri, { serializer });
      expect(await proxy.$call("echo", ["unix"])).toBe("unix");
      expect(proxy.$protocol).toBe(generation.protocol);
    });

    it("talks over IPv6", async () => {
      expect(ipv6.uri).toMatch(/^PYRO:lab@\[::1\]:\d+$/);
      await using proxy = new PyroProxy(ipv6.uri, { serializer });
      expect(await proxy.$call("echo", ["v6"])).toBe("v6");
    });

    it("talks TLS to a one-way TLS daemon", async () => {
      await using proxy = new PyroProxy(tlsOneWay.uri, { serializer, tls: { ca: ca() } });
      expect(await proxy.$call("echo", ["tls"])).toBe("tls");
    });

    it("talks two-way TLS with a client certificate", async () => {
      await using proxy = new PyroProxy(tlsTwoWay.uri, {
        serializer,
        tls: {
          ca: ca(),
          cert: readFileSync(certs.clientCert, "utf8"),
          key: readFileSync(certs.clientKey, "utf8"),
        },
      });
      expect(await proxy.$call("echo", ["mutual"])).toBe("mutual");
    });
  });

  describe("TLS failures", () => {
    it("an untrusted server certificate is a communication error with a hint", async () => {
      await using proxy = new PyroProxy(tlsOneWay.uri, { tls: true });
      const error = await failure(proxy.$call("echo", [1]));
      expect(error.code).toBe("communication");
      expect(error.message).toMatch(/^cannot connect to 127\.0\.0\.1:\d+: .*SSL_CACERTS/);
    });

    it("a two-way daemon refuses a client without certificate", async () => {
      await using proxy = new PyroProxy(tlsTwoWay.uri, { tls: { ca: ca() }, timeoutMs: 5000 });
      const error = await failure(proxy.$call("echo", [1]));
      // TLS 1.3 reports the missing certificate only after the handshake, on the first read.
      expect(error.code).toBe("connection-closed");
      expect(error.message).toContain("certificate required");
    });

    it("plain TCP to a TLS daemon fails instead of hanging", async () => {
      await using proxy = new PyroProxy(tlsOneWay.uri, { tls: false, timeoutMs: 5000 });
      const error = await failure(proxy.$call("echo", [1]));
      expect(error.code).toBe("connection-closed");
      expect(error.message).toMatch(/^while connecting to 127\.0\.0\.1:\d+: receiving: /);
    });
  });

  describe("TLS from the SSL_* configuration items", () => {
    it("one-way with SSL and SSL_CACERTS", async () => {
      const cfg = new PyroConfig({ SSL: true, SSL_CACERTS: certs.caCert });
      await using proxy = new PyroProxy(tlsOneWay.uri, { config: cfg });
      expect(await proxy.$call("echo", ["tls from config"])).toBe("tls from config");
    });

    it("two-way with SSL_CLIENTCERT and SSL_CLIENTKEY from PYRO_* variables", async () => {
      const cfg = PyroConfig.fromEnv({
        PYRO_SSL: "true",
        PYRO_SSL_CACERTS: certs.caCert,
        PYRO_SSL_CLIENTCERT: certs.clientCert,
        PYRO_SSL_CLIENTKEY: certs.clientKey,
      });
      await using proxy = new PyroProxy(tlsTwoWay.uri, { config: cfg, serializer: "json" });
      expect(await proxy.$call("echo", ["mutual from env"])).toBe("mutual from env");
    });
  });
});
