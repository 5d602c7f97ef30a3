/**
 * The registration API's exposure rules (pure code): what a spec exposes, how writability
 * of attributes is decided, and which declarations are refused.
 */
import { describe, expect, test } from "vitest";
import { exposureOf } from "../../src/runtime/daemon/expose.js";
import { proxyState } from "../../src/runtime/daemon/proxy-dict.js";
import { pyro4Dialect } from "../../src/runtime/protocol-pyro4/dialect.js";
import { pyro5Dialect } from "../../src/runtime/protocol-pyro5/dialect.js";
import { PyFloat, PyTuple } from "../../src/runtime/values.js";

class Base {
  inherited(): number {
    return 1;
  }
}

class Target extends Base {
  plain = 1;
  readonly fixed = 2;
  get computed(): number {
    return 3;
  }
  method(): number {
    return 4;
  }
}

describe("exposureOf with a spec", () => {
  test("methods (inherited ones included), oneway and callback marks", () => {
    const exposure = exposureOf(new Target(), {
      methods: ["method"],
      oneway: ["inherited"],
      callbacks: ["method"],
    });
    expect([...exposure.methods].sort()).toEqual(["inherited", "method"]);
    expect([...exposure.oneway]).toEqual(["inherited"]);
    expect([...exposure.callbacks]).toEqual(["method"]);
  });

  test("attributes: data properties and setters are writable, getters alone are not", () => {
    const target = new Target();
    Object.defineProperty(target, "frozen", { value: 5, writable: false, enumerable: true });
    const exposure = exposureOf(target, { attrs: ["plain", "computed", "frozen"] });
    expect(Object.fromEntries(exposure.attrs)).toEqual({
      plain: true,
      computed: false,
      frozen: false,
    });
  });

  test("nothing is exposed without a declaration", () => {
    const exposure = exposureOf(new Target());
    expect(exposure.methods.size + exposure.attrs.size).toBe(0);
  });

  test("refused declarations say why", () => {
    expect(() => exposureOf(new Target(), { methods: ["_hidden"] })).toThrow(
      /names starting with '_'/,
    );
    expect(() => exposureOf(new Target(), { attrs: ["_hidden"] })).toThrow(
      /names starting with '_'/,
    );
    expect(() => exposureOf(new Target(), { methods: ["plain"] })).toThrow(
      /no method of that name/,
    );
    expect(() => exposureOf(new Target(), { attrs: ["method"] })).toThrow(/it is a method/);
    expect(() => exposureOf(new Target(), { attrs: ["nothing"] })).toThrow(
      /no property of that name/,
    );
    expect(() => exposureOf(new Target(), { methods: ["toString"] })).toThrow(
      /no method of that name/,
    );
  });
});

describe("proxyState in each generation's proxy dict", () => {
  test("the Pyro4 Proxy state: uri, names, timeout, hmac, handshake, retries, serializer", () => {
    const exposure = exposureOf(new Target(), {
      methods: ["method"],
      oneway: ["inherited"],
      attrs: ["plain"],
    });
    const dict = pyro4Dialect.proxyToDict(
      proxyState(
        { uri: "PYRO:t@127.0.0.1:9", exposure, hmacKey: Buffer.from("key"), handshake: "hello" },
        "json",
      ),
    );
    expect(dict["__class__"]).toBe("Pyro4.core.Proxy");
    // A tuple, as Python's daemons send it.
    const state = (dict["state"] as PyTuple).items;
    expect(state[0]).toBe("PYRO:t@127.0.0.1:9");
    expect(state[1]).toEqual(["inherited"]);
    expect([...(state[2] as string[])].sort()).toEqual(["inherited", "method"]);
    expect(state[3]).toEqual(["plain"]);
    expect(state[4]).toBeInstanceOf(PyFloat);
    expect(state.slice(5)).toEqual(["b64:a2V5", "hello", 0, "json"]);
  });

  test("the Pyro5 Proxy state: uri, names, handshake, serializer (no timeout, hmac, retries)", () => {
    const exposure = exposureOf(new Target(), { methods: ["method"], attrs: ["plain"] });
    const dict = pyro5Dialect.proxyToDict(
      proxyState(
        { uri: "PYRO:t@127.0.0.1:9", exposure, hmacKey: undefined, handshake: "hello" },
        "msgpack",
      ),
    );
    expect(dict["__class__"]).toBe("Pyro5.client.Proxy");
    const state = (dict["state"] as PyTuple).items;
    expect(state).toEqual(["PYRO:t@127.0.0.1:9", [], ["method"], ["plain"], "hello", "msgpack"]);
  });
});
