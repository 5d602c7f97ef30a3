/**
 * Requests whose payload is 64 KiB or more are written as header + payload in one writev
 * (no copy of the payload behind the header). These calls go to a real Pyro4 daemon, so a
 * framing mistake would show as a checksum, HMAC or decoding failure on the Python side.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PythonProcesses } from "../harness/python.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { startLab, type LabInfo } from "../proxy/lab.js";
import { type Message } from "../../src/runtime/protocol/message.js";
import { encodeMessage, encodeMessageParts } from "../../src/runtime/protocol-pyro4/frames.js";

const python = new PythonProcesses();
let plain: LabInfo;
let signed: LabInfo;
let compressing: LabInfo;
beforeAll(async () => {
  [plain, signed, compressing] = await Promise.all([
    startLab(python),
    startLab(python, ["--hmac", "k3y"]),
    startLab(python, [], { PYRO_COMPRESSION: "true" }),
  ]);
});
afterAll(() => python.stopAll());

/** Bytes that differ at every position, so a shifted or truncated payload cannot pass. */
function pattern(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
  return bytes;
}

describe("encodeMessageParts", () => {
  it("gives exactly encodeMessage's bytes, split after the annotations", () => {
    const msg: Message = {
      type: 4,
      flags: 0,
      seq: 7,
      serializerId: 3,
      annotations: new Map([["CORR", new Uint8Array(16).fill(9)]]),
      data: pattern(70_000),
    };
    for (const options of [{}, { hmacKey: new Uint8Array([1, 2, 3]) }, { compress: true }]) {
      const whole = Buffer.from(encodeMessage(msg, options));
      const { head, data } = encodeMessageParts(msg, options);
      expect(Buffer.compare(Buffer.concat([head, data]), whole)).toBe(0);
      expect(head.length).toBe(whole.length - data.length);
    }
  });
});

describe.each(["marshal", "msgpack"] as const)("large payloads with %s", (serializer) => {
  it("a 1 MiB bytes value and the sizes around the split threshold round-trip", async () => {
    await using proxy = new PyroProxy(plain.uri, { serializer });
    for (const size of [64 * 1024 - 64, 64 * 1024, 64 * 1024 + 1, 1 << 20]) {
      const sent = pattern(size);
      const echoed = (await proxy.$call("echo", [sent])) as Uint8Array;
      expect(echoed.length).toBe(size);
      expect(Buffer.compare(Buffer.from(echoed), Buffer.from(sent))).toBe(0);
    }
  });

  it("pipelined large and small calls keep their order and contents", async () => {
    await using proxy = new PyroProxy(plain.uri, { serializer });
    const big = pattern(300_000);
    const results = await Promise.all([
      proxy.$call("echo", ["first"]),
      proxy.$call("size", [big]),
      proxy.$call("echo", ["middle"]),
      proxy.$call("size", [big]),
      proxy.$call("echo", ["last"]),
    ]);
    expect(results).toEqual(["first", 300_000, "middle", 300_000, "last"]);
  });

  it("an HMAC-signed large request verifies on the daemon", async () => {
    await using proxy = new PyroProxy(signed.uri, { serializer, hmacKey: "k3y" });
    expect(await proxy.$call("size", [pattern(200_000)])).toBe(200_000);
  });

  it("a compressed large request is inflated by the daemon", async () => {
    await using proxy = new PyroProxy(compressing.uri, { serializer, compression: true });
    const text = "abc".repeat(100_000);
    expect(await proxy.$call("echo", [text])).toBe(text);
  });
});
