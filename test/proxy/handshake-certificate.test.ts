/**
 * `validateHandshake` gets the connection's TLS peer certificate (Pyro4's
 * `_pyroConnection.getpeercert()`), so a client can pin the daemon's certificate by serial
 * number or subject; a pin that does not match refuses the connection.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { PeerCertificate } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PyroProxy } from "../../src/runtime/proxy.js";
import type { ProxyHandshakeValidator } from "../../src/runtime/proxy/settings.js";
import { createTestCerts, type TestCerts } from "../harness/certs.js";
import { failure } from "../harness/failures.js";
import { startHardening, type HardeningInfo } from "../harness/hardening.js";
import { PythonProcesses } from "../harness/python.js";

const python = new PythonProcesses();
let certs: TestCerts;
let tlsDaemon: HardeningInfo;
let plainDaemon: HardeningInfo;
let serial: string;
beforeAll(async () => {
  certs = createTestCerts();
  [tlsDaemon, plainDaemon] = await Promise.all([
    startHardening(python, [], certs.daemonEnv(false)),
    startHardening(python),
  ]);
  serial = execFileSync("openssl", ["x509", "-in", certs.serverCert, "-noout", "-serial"], {
    encoding: "utf8",
  })
    .trim()
    .replace(/^serial=/, "");
});
afterAll(async () => {
  await python.stopAll();
  certs.remove();
});

function pinning(expected: string): { validate: ProxyHandshakeValidator; seen: PeerCertificate[] } {
  const seen: PeerCertificate[] = [];
  return {
    seen,
    validate: (_response, connection) => {
      const certificate = connection.peerCertificate;
      if (certificate === null) throw new Error("no certificate");
      seen.push(certificate);
      if (certificate.serialNumber.toUpperCase() !== expected.toUpperCase()) {
        throw new Error(`certificate serial ${certificate.serialNumber} is not the pinned one`);
      }
    },
  };
}

describe("validateHandshake and the peer certificate", () => {
  it("sees the daemon's certificate: a matching serial is accepted", async () => {
    const pin = pinning(serial);
    await using proxy = new PyroProxy(tlsDaemon.uri, {
      tls: { ca: readFileSync(certs.caCert) },
      validateHandshake: pin.validate,
    });
    expect(await proxy.$call("echo", ["pinned"])).toBe("pinned");
    expect(pin.seen).toHaveLength(1);
    expect(pin.seen[0]!.subject.CN).toBe("localhost");
  });

  it("a pin that does not match refuses the connection", async () => {
    const pin = pinning("00DEADBEEF");
    await using proxy = new PyroProxy(tlsDaemon.uri, {
      tls: { ca: readFileSync(certs.caCert) },
      validateHandshake: pin.validate,
    });
    const error = await failure(proxy.$call("echo", [1]));
    expect(error.code).toBe("communication");
    expect(error.message).toMatch(/refused by validateHandshake: certificate serial/);
    expect(proxy.$connected).toBe(false);
  });

  it("without TLS the certificate is null", async () => {
    let certificate: PeerCertificate | null | undefined;
    await using proxy = new PyroProxy(plainDaemon.uri, {
      validateHandshake: (_response, connection) => {
        certificate = connection.peerCertificate;
      },
    });
    await proxy.$bind();
    expect(certificate).toBeNull();
  });
});
