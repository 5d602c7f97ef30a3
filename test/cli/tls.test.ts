/**
 * The CLI's TLS options against a Pyro4 daemon that requires 2-way TLS.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCerts, type TestCerts } from "../harness/certs.js";
import { PythonProcesses } from "../harness/python.js";
import { runCli } from "./run-cli.js";

const python = new PythonProcesses();
let certs: TestCerts;
let uri = "";

beforeAll(async () => {
  certs = createTestCerts();
  const { info } = await python.startFixture<{ uri: string }>("proxy_server.py", [], {
    env: certs.daemonEnv(true),
  });
  uri = info.uri;
});
afterAll(async () => {
  await python.stopAll();
  certs.remove();
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
