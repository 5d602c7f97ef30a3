/**
 * Every URI form the CLI connects with: TLS (2-way, flags or PYRO_SSL_* variables), a Unix
 * socket and IPv6 loopback, each against a real Pyro4 daemon.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCerts, type TestCerts } from "../harness/certs.js";
import { PythonProcesses } from "../harness/python.js";
import { runCli, tempDir } from "./run-cli.js";

const python = new PythonProcesses();
let certs: TestCerts;
let uri = "";
let unixUri = "";
let ipv6Uri = "";
let socketDir: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  certs = createTestCerts();
  socketDir = await tempDir();
  const [unix, ipv6] = await Promise.all([
    python.startFixture<{ uri: string }>("proxy_server.py", [
      "--unix",
      path.join(socketDir.dir, "lab.sock"),
    ]),
    python.startFixture<{ uri: string }>("proxy_server.py", ["--host", "::1"]),
  ]);
  unixUri = unix.info.uri;
  ipv6Uri = ipv6.info.uri;
  const { info } = await python.startFixture<{ uri: string }>("proxy_server.py", [], {
    env: certs.daemonEnv(true),
  });
  uri = info.uri;
});
afterAll(async () => {
  await python.stopAll();
  certs.remove();
  await socketDir.remove();
});

describe("pyrogen over a Unix socket and IPv6", () => {
  it("inspects PYRO:obj@./u:<path> and PYRO:obj@[::1]:<port>", async () => {
    expect(unixUri).toContain("@./u:");
    expect(ipv6Uri).toContain("@[::1]:");
    for (const target of [unixUri, ipv6Uri]) {
      const r = await runCli(["inspect", target, "--json"]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ uri: target });
    }
  });
});

describe("pyrogen over TLS", () => {
  it("inspects with --tls, --tls-ca, --tls-cert and --tls-key", async () => {
    const r = await runCli([
      "inspect",
      uri,
      "--tls",
      "--tls-ca",
      certs.caCert,
      "--tls-cert",
      certs.clientCert,
      "--tls-key",
      certs.clientKey,
      "--timeout",
      "10000",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^echo\s+method$/m);
  });

  it("takes the same settings from PYRO_SSL_* variables, and fails with exit 3 without them", async () => {
    const env = {
      PYRO_SSL: "true",
      PYRO_SSL_CACERTS: certs.caCert,
      PYRO_SSL_CLIENTCERT: certs.clientCert,
      PYRO_SSL_CLIENTKEY: certs.clientKey,
    };
    const viaEnv = await runCli(["inspect", uri, "--json"], { env });
    expect(viaEnv.code).toBe(0);
    expect(JSON.parse(viaEnv.stdout)).toMatchObject({ uri });
    const plain = await runCli(["inspect", uri, "--timeout", "5000"]);
    expect(plain.code).toBe(3);
    expect(plain.stderr).toContain(`cannot get metadata from ${uri}`);
  });
});
