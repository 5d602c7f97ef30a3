import { describe, expect, it } from "vitest";
import { correlationBytes, toAnnotationMap, checkTimeout } from "../../src/runtime/call-options.js";
import { parseMetadata } from "../../src/runtime/metadata.js";
import { connectRejected } from "../../src/runtime/proxy/connect-errors.js";
import { pyro4 } from "../../src/runtime/protocol-pyro4/index.js";
import { createSerializer } from "../../src/runtime/serializers/index.js";
import { PyFloat, PyTuple } from "../../src/runtime/values.js";
import { PyroError } from "../../src/runtime/errors.js";

describe("proxy state dicts", () => {
  it("round-trips a proxy state, HMAC key as b64", () => {
    const dict = pyro4.dialect.proxyToDict({
      uri: "PYRO:obj@127.0.0.1:9999",
      oneway: ["fire"],
      methods: ["echo", "fire"],
      attrs: ["value"],
      timeoutSeconds: 1.5,
      hmacKey: Buffer.from("key"),
      handshake: "hello",
      maxRetries: 2,
      serializer: "json",
    });
    expect(dict["__class__"]).toBe("Pyro4.core.Proxy");
    const items = (dict["state"] as PyTuple).items;
    expect(items[5]).toBe("b64:a2V5");
    expect(items[4]).toBeInstanceOf(PyFloat);
    const back = pyro4.dialect.proxyStateFromDict({
      state: [...items.slice(0, 4), 1.5, ...items.slice(5)],
    });
    expect(back.methods).toEqual(["echo", "fire"]);
    expect(Buffer.from(back.hmacKey!).toString()).toBe("key");
    expect(back.serializer).toBe("json");
  });

  it("accepts Pyro4's 8-item state and sets; refuses a bad HMAC encoding", () => {
    const state = ["PYRO:o@h:1", new Set(), new Set(["a"]), [], 0, null, "hello", 0];
    expect(pyro4.dialect.proxyStateFromDict({ state }).serializer).toBeNull();
    expect(pyro4.dialect.proxyStateFromDict({ state }).methods).toEqual(["a"]);
    const bad = [...state];
    bad[5] = "plain";
    expect(() => pyro4.dialect.proxyStateFromDict({ state: bad })).toThrow("hmac encoding error");
    expect(() => pyro4.dialect.proxyStateFromDict({ state: "nope" })).toThrow(PyroError);
  });
});

describe("metadata", () => {
  it("reads lists, sets and Maps", () => {
    const meta = parseMetadata({ methods: ["a", "b"], oneway: new Set(["b"]), attrs: [] }, "o");
    expect(meta.methods).toEqual(new Set(["a", "b"]));
    const fromMap = parseMetadata(new Map([["attrs", ["x"]]]), "o");
    expect(fromMap.attrs).toEqual(new Set(["x"]));
  });

  it("refuses malformed and empty metadata", () => {
    expect(() => parseMetadata("x", "o")).toThrow(/not a dict/);
    expect(() => parseMetadata({ methods: [1] }, "o")).toThrow(/'methods' is not a collection/);
    expect(() => parseMetadata({ methods: [], attrs: [] }, "o")).toThrow(/doesn't expose any/);
  });
});

describe("call options", () => {
  it("encodes annotations and correlation ids", () => {
    const map = toAnnotationMap({ XTRA: "é", BYTE: new Uint8Array([1]) });
    expect([...map.get("XTRA")!]).toEqual([0xc3, 0xa9]);
    expect(() => toAnnotationMap({ CORR: "x" })).toThrow(/correlationId/);
    expect(
      Buffer.from(correlationBytes("11111111-2222-3333-4444-555555555555")).toString("hex"),
    ).toBe("11111111222233334444555555555555");
    expect(() => checkTimeout(Infinity, "t")).toThrow(/invalid t=Infinity/);
  });
});

describe("CONNECTFAIL reasons", () => {
  const serpent = createSerializer("serpent");
  it("classifies the known reasons", () => {
    expect(
      pyro4.handshake.refusedSerializerId("message used serializer that is not accepted: 6"),
    ).toBe(6);
    const refused = connectRejected(
      "h:1",
      "message used serializer that is not accepted: 6",
      serpent,
      pyro4,
      ["serpent", "json"],
    );
    expect(refused.code).toBe("serialize");
    expect(refused.message).toContain(
      "does not accept the msgpack serializer; it accepts serpent, json",
    );
    expect(connectRejected("h:1", "message hmac mismatch", serpent, pyro4).code).toBe(
      "communication",
    );
    expect(
      connectRejected("h:1", "no free workers, increase server threadpool size", serpent, pyro4)
        .message,
    ).toContain("THREADPOOL_SIZE");
  });
});
