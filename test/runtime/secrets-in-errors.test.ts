/**
 * No key material in any message: an invalid HMAC key or passphrase given to the config is
 * refused without showing it, and a TLS key that cannot be used (wrong passphrase, not a
 * key) is a `config` PyroError that names the setting, on both the client and the daemon
 * side — never a raw OpenSSL error.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PyroConfig } from "../../src/runtime/config.js";
import { Daemon } from "../../src/runtime/daemon/daemon.js";
import { PyroError } from "../../src/runtime/errors.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { CLIENT_KEY_PASSPHRASE, createTestCerts, type TestCerts } from "../harness/certs.js";
import { startHardening, type HardeningInfo } from "../harness/hardening.js";
import { PythonProcesses } from "../harness/python.js";

const SECRET = "TopSecretKey-9f3a";
const secretBytes = Buffer.from(SECRET);

/**
 * Whether a secret shows in a message: as text, hex or base64, or as its bytes written as
 * numbers in any notation (`[84,111,…]`, `{"0":84,"1":111,…}`).
 */
function leaks(text: string, secret: Buffer): boolean {
  const forms = [secret.toString("utf8"), secret.toString("hex"), secret.toString("base64")];
  if (forms.some((form) => text.includes(form))) return true;
  const numbers = [...text.matchAll(/\d+/g)].map((match) => Number(match[0]));
  const bytes = [...secret];
  const asBytes = (list: number[]): boolean =>
    list.some((_, start) => bytes.every((byte, k) => list[start + k] === byte));
  // Object keys ("0", "1", …) interleave with the values: also try every other number.
  return (
    asBytes(numbers) ||
    asBytes(numbers.filter((_, index) => index % 2 === 1)) ||
    asBytes(numbers.filter((_, index) => index % 2 === 0))
  );
}

function thrown(fn: () => unknown): PyroError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PyroError);
    return error as PyroError;
  }
  throw new Error("expected a PyroError");
}

describe("config items that hold secrets", () => {
  it.each([
    ["a Buffer", secretBytes],
    ["a Uint8Array", new Uint8Array(secretBytes)],
    ["an object", { key: SECRET }],
    ["an array", [...secretBytes]],
  ])("HMAC_KEY given as %s is refused without showing it", (_, value) => {
    const error = thrown(() => new PyroConfig().set({ HMAC_KEY: value as never }));
    expect(error.code).toBe("config");
    expect(error.message).toMatch(/^invalid config item HMAC_KEY/);
    expect(error.message).toContain("not shown");
    expect(leaks(error.message, secretBytes)).toBe(false);
  });

  it.each(["SSL_CLIENTKEYPASSWD", "SSL_SERVERKEYPASSWD"] as const)(
    "%s given as bytes is refused without showing it",
    (item) => {
      const error = thrown(() => new PyroConfig().set({ [item]: secretBytes as never }));
      expect(error.code).toBe("config");
      expect(leaks(error.message, secretBytes)).toBe(false);
    },
  );

  it("other items still show the invalid value", () => {
    expect(thrown(() => new PyroConfig().set({ NS_PORT: 70000 })).message).toContain("70000");
  });
});

describe("TLS keys that cannot be used", () => {
  const python = new PythonProcesses();
  let certs: TestCerts;
  let tlsDaemon: HardeningInfo;
  beforeAll(async () => {
    certs = createTestCerts();
    tlsDaemon = await startHardening(python, [], certs.daemonEnv(true));
  });
  afterAll(async () => {
    await python.stopAll();
    certs.remove();
  });

  const wrongPassphrase = "not-the-passphrase";

  it("a client key with a wrong passphrase: a config error that names it, no key material", async () => {
    await using proxy = new PyroProxy(tlsDaemon.uri, {
      tls: {
        ca: readFileSync(certs.caCert),
        cert: readFileSync(certs.clientCert),
        key: readFileSync(certs.clientKeyEncrypted),
        passphrase: wrongPassphrase,
      },
    });
    const error = await proxy.$call("echo", [1]).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(PyroError);
    const pyroError = error as PyroError;
    expect(pyroError.code).toBe("config");
    expect(pyroError.message).toMatch(/passphrase/);
    expect(pyroError.message).not.toContain(wrongPassphrase);
    expect(pyroError.message).not.toContain("PRIVATE KEY");
    expect(leaks(pyroError.message, readFileSync(certs.clientKeyEncrypted))).toBe(false);
  });

  it("the right passphrase still works against the 2-way TLS daemon", async () => {
    await using proxy = new PyroProxy(tlsDaemon.uri, {
      tls: {
        ca: readFileSync(certs.caCert),
        cert: readFileSync(certs.clientCert),
        key: readFileSync(certs.clientKeyEncrypted),
        passphrase: CLIENT_KEY_PASSPHRASE,
      },
    });
    expect(await proxy.$call("echo", ["over tls"])).toBe("over tls");
  });

  it("a client 'key' that is no key at all: a config error without its text", async () => {
    const notAKey = `-----BEGIN PRIVATE KEY-----\n${SECRET}\n-----END PRIVATE KEY-----\n`;
    await using proxy = new PyroProxy(tlsDaemon.uri, {
      tls: { ca: readFileSync(certs.caCert), cert: readFileSync(certs.clientCert), key: notAKey },
    });
    const error = await proxy.$call("echo", [1]).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(PyroError);
    expect((error as PyroError).code).toBe("config");
    expect(leaks((error as PyroError).message, secretBytes)).toBe(false);
  });

  it("a daemon whose key has a wrong passphrase does not start: a config error", async () => {
    const error = await Daemon.start({
      host: "127.0.0.1",
      tls: {
        cert: readFileSync(certs.clientCert),
        key: readFileSync(certs.clientKeyEncrypted),
        passphrase: wrongPassphrase,
      },
    }).then(
      async (daemon) => {
        await daemon.close();
        return undefined;
      },
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(PyroError);
    expect((error as PyroError).code).toBe("config");
    expect((error as PyroError).message).toMatch(/passphrase/);
    expect((error as PyroError).message).not.toContain(wrongPassphrase);
  });
});
