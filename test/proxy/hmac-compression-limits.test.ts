import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PythonProcesses } from "../harness/python.js";
import { pythonTypeForCode } from "../../src/runtime/errors.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { SERIALIZERS, startLab, type LabInfo } from "./lab.js";
import { failure } from "../harness/failures.js";
import { GENERATIONS } from "../harness/generations.js";

const python = new PythonProcesses();
let signed: LabInfo;
let plain4: LabInfo;
beforeAll(async () => {
  [signed, plain4] = await Promise.all([startLab(python, ["--hmac", "s3cret"]), startLab(python)]);
});
afterAll(() => python.stopAll());

// Pyro4 only: Pyro5 dropped HMAC; a key for a Pyro5 daemon is refused with a `config` error
// before anything is sent (test/proxy/generations.test.ts).
describe.each(SERIALIZERS)("HMAC with %s", (serializer) => {
  it("signs and verifies with the shared key", async () => {
    await using proxy = new PyroProxy(signed.uri, { serializer, hmacKey: "s3cret" });
    expect(await proxy.$call("echo", ["signed"])).toBe("signed");
    expect(proxy.$responseAnnotations.get("HMAC")?.length).toBe(20);
  });

  it("a wrong key is a communication error (Pyro4's CommunicationError) that says what to do", async () => {
    await using proxy = new PyroProxy(signed.uri, { serializer, hmacKey: "wrong" });
    const error = await failure(proxy.$call("echo", [1]));
    expect(error.code).toBe("communication");
    expect(error.isCommunicationError).toBe(true);
    expect(pythonTypeForCode(error.code, "Pyro4.errors")).toBe("Pyro4.errors.CommunicationError");
    expect(error.message).toMatch(/^cannot connect to 127\.0\.0\.1:\d+: message hmac mismatch/);
    expect(error.message).toContain("hmacKey");
  });

  it("a missing key on either side is a communication error", async () => {
    await using unsigned = new PyroProxy(signed.uri, { serializer });
    const refused = await failure(unsigned.$call("echo", [1]));
    expect(refused.code).toBe("communication");
    expect(refused.message).toMatch(/hmac/);
    await using extra = new PyroProxy(plain4.uri, { serializer, hmacKey: "s3cret" });
    const error = await failure(extra.$call("echo", [1]));
    expect(error.code).toBe("communication");
    expect(error.message).toContain("hmac key config not symmetric");
  });
});

describe.each(GENERATIONS)("$name daemons", (generation) => {
  let compressing: LabInfo;
  let limited: LabInfo;
  let plain: LabInfo;
  beforeAll(async () => {
    [compressing, limited, plain] = await Promise.all([
      startLab(python, [], { PYRO_COMPRESSION: "true" }, generation),
      startLab(python, [], { PYRO_MAX_MESSAGE_SIZE: "2000" }, generation),
      startLab(python, [], {}, generation),
    ]);
  });

  describe.each(SERIALIZERS)("compression with %s", (serializer) => {
    it("inflates the replies of a compressing daemon", async () => {
      await using proxy = new PyroProxy(compressing.uri, { serializer });
      expect(await proxy.$call("big", [50_000])).toBe("x".repeat(50_000));
      expect(proxy.$protocol).toBe(generation.protocol);
    });

    it("compresses its own requests when asked", async () => {
      await using proxy = new PyroProxy(plain.uri, { serializer, compression: true });
      const text = "abc".repeat(20_000);
      expect(await proxy.$call("echo", [text])).toBe(text);
      // With a limit below the uncompressed size, only a compressed request can get through.
      await using limitedProxy = new PyroProxy(limited.uri, { serializer, compression: true });
      expect(await limitedProxy.$call("size", ["y".repeat(10_000)])).toBe(10_000);
      await using uncompressed = new PyroProxy(limited.uri, { serializer });
      expect((await failure(uncompressed.$call("size", ["y".repeat(10_000)]))).code).toBe(
        "connection-closed",
      );
    });
  });

  describe("MAX_MESSAGE_SIZE", () => {
    it("refuses to send a message over the client's limit, without touching the connection", async () => {
      await using proxy = new PyroProxy(plain.uri, { maxMessageSize: 1000 });
      expect(await proxy.$call("echo", ["small"])).toBe("small");
      const error = await failure(proxy.$call("echo", ["z".repeat(5000)]));
      expect(error.code).toBe("message-too-large");
      expect(error.message).toMatch(/^max message size exceeded \(\d+ where max=1000\)/);
      expect(await proxy.$call("echo", ["still fine"])).toBe("still fine");
    });

    it("a reply over the client's limit closes the connection", async () => {
      await using proxy = new PyroProxy(plain.uri, { maxMessageSize: 1000 });
      const error = await failure(proxy.$call("big", [5000]));
      expect(error.code).toBe("message-too-large");
      expect(proxy.$connected).toBe(false);
    });

    it("a daemon with a limit drops the connection on a request over it", async () => {
      await using proxy = new PyroProxy(limited.uri);
      expect(await proxy.$call("echo", ["ok"])).toBe("ok");
      const error = await failure(proxy.$call("echo", ["q".repeat(5000)]));
      expect(error.code).toBe("connection-closed");
      expect(await proxy.$call("echo", ["reconnected"])).toBe("reconnected");
    });
  });
});
