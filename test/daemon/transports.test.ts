/**
 * How a real Python Pyro4 client reaches the TypeScript daemon: IPv6, a Unix socket, TLS
 * (one- and two-way), HMAC, compression in both directions, the accepted-serializer list
 * and a custom handshake validator.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Daemon } from "../../src/runtime/daemon/daemon.js";
import type { DaemonOptions, HandshakeInfo } from "../../src/runtime/daemon/daemon-options.js";
import { CLIENT_CN, createTestCerts, type TestCerts } from "../harness/certs.js";
import { PythonProcesses } from "../harness/python.js";
import { CALCULATOR_EXPOSE, Calculator } from "./objects.js";

const python = new PythonProcesses();
let certs: TestCerts;
let tmp: string;
beforeAll(() => {
  certs = createTestCerts();
  tmp = mkdtempSync(path.join(tmpdir(), "pyrogen-daemon-"));
});
afterAll(async () => {
  await python.stopAll();
  certs.remove();
  rmSync(tmp, { recursive: true, force: true });
});

/** Server TLS that requires a client certificate signed by the test CA. */
function twoWayTls(): DaemonOptions["tls"] {
  return {
    cert: readFileSync(certs.serverCert),
    key: readFileSync(certs.serverKey),
    ca: readFileSync(certs.caCert),
    requireClientCert: true,
  };
}

interface PingReport {
  echo?: string;
  big?: number;
  error?: { type: string; text: string };
}

/** Serve a Calculator with `options`, run the Python "ping" scenario against it, stop both. */
async function pingFromPython(
  options: DaemonOptions,
  serializer = "serpent",
  extraArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<PingReport> {
  const daemon = await Daemon.start(options);
  try {
    const uri = daemon.register(new Calculator(), { id: "calc", expose: CALCULATOR_EXPOSE });
    const { process, info } = await python.startFixture<PingReport>(
      "callback_client.py",
      [uri.toString(), serializer, "--scenario", "ping", ...extraArgs],
      { env },
    );
    await process.stop();
    return info;
  } finally {
    await daemon.close();
  }
}

/** The ping scenario ran without error and got the right replies. */
function expectOk(report: PingReport): void {
  expect(report.error).toBeUndefined();
  expect(report.echo).toBe("'ping'");
  expect(report.big).toBe(5000);
}

describe("daemon transports", () => {
  test("IPv6 loopback", async () => {
    expectOk(await pingFromPython({ host: "::1" }));
  });

  test("Unix socket", async () => {
    const socketPath = path.join(tmp, "daemon.sock");
    expectOk(await pingFromPython({ unixSocket: socketPath }));
  });

  test("TLS, one-way", async () => {
    const report = await pingFromPython(
      {
        host: "127.0.0.1",
        tls: { cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey) },
      },
      "json",
      [],
      { PYRO_SSL: "1", PYRO_SSL_CACERTS: certs.caCert },
    );
    expectOk(report);
  });

  test("TLS, two-way: the handshake validator sees the client certificate", async () => {
    const seen: string[] = [];
    const report = await pingFromPython(
      {
        host: "127.0.0.1",
        tls: twoWayTls(),
        validateHandshake: (handshake: unknown, info: HandshakeInfo) => {
          seen.push(String(info.peerCertificate?.subject.CN));
          return handshake;
        },
      },
      "json",
      [],
      {
        PYRO_SSL: "1",
        PYRO_SSL_CACERTS: certs.caCert,
        PYRO_SSL_CLIENTCERT: certs.clientCert,
        PYRO_SSL_CLIENTKEY: certs.clientKey,
      },
    );
    expectOk(report);
    expect(seen).toEqual([CLIENT_CN]);
  });

  test("TLS, two-way: a client without certificate is refused", async () => {
    const report = await pingFromPython(
      {
        host: "127.0.0.1",
        tls: twoWayTls(),
      },
      "json",
      [],
      { PYRO_SSL: "1", PYRO_SSL_CACERTS: certs.caCert },
    );
    expect(report.error?.type).toMatch(/CommunicationError|ConnectionClosedError/);
  });
});

describe("daemon security and options", () => {
  test("HMAC: the same key works, a different key is refused", async () => {
    expectOk(
      await pingFromPython({ host: "127.0.0.1", hmacKey: "k1" }, "msgpack", ["--hmac", "k1"]),
    );
    const wrong = await pingFromPython({ host: "127.0.0.1", hmacKey: "k1" }, "msgpack", [
      "--hmac",
      "k2",
    ]);
    expect(wrong.error?.type).toBe("CommunicationError");
    expect(wrong.error?.text).toContain("hmac mismatch");
    const missing = await pingFromPython({ host: "127.0.0.1", hmacKey: "k1" }, "msgpack");
    expect(missing.error?.text).toContain("hmac key config not symmetric");
  });

  test("compression both ways", async () => {
    const report = await pingFromPython({ host: "127.0.0.1", compression: true }, "serpent", [], {
      PYRO_COMPRESSION: "1",
    });
    expectOk(report);
  });

  test("a serializer the daemon does not accept is refused as Pyro does", async () => {
    const report = await pingFromPython({ host: "127.0.0.1", serializers: ["json"] }, "serpent");
    expect(report.error?.type).toBe("CommunicationError");
    expect(report.error?.text).toContain(
      "rejected: message used serializer that is not accepted: 1",
    );
  });

  test("a handshake validator can refuse a client", async () => {
    const report = await pingFromPython({
      host: "127.0.0.1",
      validateHandshake: () => {
        throw new Error("no strangers");
      },
    });
    expect(report.error?.type).toBe("CommunicationError");
    expect(report.error?.text).toContain("rejected: no strangers");
  });
});
