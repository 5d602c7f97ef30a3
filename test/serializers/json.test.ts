import { describe, expect, it } from "vitest";
import { PyroError } from "../../src/runtime/errors.js";
import { ClassRegistry } from "../../src/runtime/serializers/class-registry.js";
import { JsonSerializer } from "../../src/runtime/serializers/json.js";
import { complex, float, tuple } from "../../src/runtime/values.js";
import { runPython } from "../harness/python.js";
import { dumpsCall, loadsCall, serializeError } from "./codec-helpers.js";
import { difference } from "./compare.js";

const json = new JsonSerializer();
const text = (value: unknown): string => new TextDecoder().decode(json.dumps(value));
const load = (source: string): unknown => json.loads(new TextEncoder().encode(source));

describe("json dumps", () => {
  it("writes the captured INVOKE payload byte for byte", () => {
    const payload = dumpsCall(json, {
      objectId: "test.echoserver",
      method: "echo",
      vargs: ["hello"],
      kwargs: {},
    });
    expect(new TextDecoder().decode(payload)).toBe(
      '{"object": "test.echoserver", "method": "echo", "params": ["hello"], "kwargs": {}}',
    );
    expect(text([1, 2.5, null, true, "x", tuple(1, 2), { k: "v" }])).toBe(
      '[1, 2.5, null, true, "x", [1, 2], {"k": "v"}]',
    );
  });

  it("writes the same bytes as Python's json.dumps(ensure_ascii=False)", () => {
    const value = {
      s: "héllo € 😀 'q' \"dq\" \\ \n\t\u0001\u007f\u2028",
      n: [0, -1, 2 ** 53 - 1, 2n ** 100n, -(2n ** 70n), 2.5, -0.125, 1e21],
      f: [float(1), float(-0), float(2 ** 53)],
      special: [NaN, Infinity, -Infinity],
      nested: { a: [{ b: [] }, {}], "": null },
    };
    const python = runPython(
      "import json,sys\n" +
        "v = {'s': 'héllo € 😀 \\'q\\' \"dq\" \\\\ \\n\\t\\x01\\x7f\\u2028'," +
        " 'n': [0, -1, 2**53-1, 2**100, -2**70, 2.5, -0.125, 10**21]," +
        " 'f': [1.0, -0.0, float(2**53)], 'special': [float('nan'), float('inf'), float('-inf')]," +
        " 'nested': {'a': [{'b': []}, {}], '': None}}\n" +
        "sys.stdout.buffer.write(json.dumps(v, ensure_ascii=False).encode('utf-8'))",
    );
    expect(text(value)).toBe(python);
  });

  it("turns int, float, bool and None dict keys into strings as Python does", () => {
    const map = new Map<unknown, unknown>([
      [1, "a"],
      [2n ** 64n, "b"],
      [1.5, "c"],
      [1e-7, "d"],
      [float(3), "e"],
      [true, "f"],
      [null, "g"],
      ["s", "h"],
    ]);
    expect(text(map)).toBe(
      '{"1": "a", "18446744073709551616": "b", "1.5": "c", "1e-07": "d", "3.0": "e", "true": "f", "null": "g", "s": "h"}',
    );
  });

  it("sends sets as arrays and undefined as null", () => {
    expect(text(new Set(["a", 1]))).toBe('["a", 1]');
    expect(text({ u: undefined })).toBe('{"u": null}');
  });

  it("refuses what json cannot carry, naming a serializer that can", () => {
    expect(serializeError(() => json.dumps(new Uint8Array(1))).message).toMatch(
      /json cannot carry bytes; use serpent, marshal or msgpack/,
    );
    expect(serializeError(() => json.dumps([complex(1, 2)])).message).toMatch(/marshal or msgpack/);
    expect(serializeError(() => json.dumps(new Map([[tuple(1), 1]]))).message).toMatch(
      /dict key of type PyTuple.*use serpent or marshal/,
    );
    expect(serializeError(() => json.dumps(() => 1)).message).toMatch(/function/);
    expect(serializeError(() => json.dumps(new (class Thing {})())).message).toMatch(/Thing/);
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(serializeError(() => json.dumps(cyclic)).message).toMatch(/nesting deeper than 1000/);
  });

  it("sends class instances through the registry", () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    const registry = new ClassRegistry().registerClassToDict(Point, (p) => ({
      __class__: "geo.Point",
      x: (p as Point).x,
      y: (p as Point).y,
    }));
    expect(new TextDecoder().decode(new JsonSerializer(registry).dumps([new Point(1, 2)]))).toBe(
      '[{"__class__": "geo.Point", "x": 1, "y": 2}]',
    );
  });

  it("writes kwargs null for attribute access, as Pyro4 does", () => {
    const payload = dumpsCall(json, {
      objectId: "o",
      method: "__getattr__",
      vargs: ["v"],
      kwargs: null,
    });
    expect(new TextDecoder().decode(payload)).toBe(
      '{"object": "o", "method": "__getattr__", "params": ["v"], "kwargs": null}',
    );
  });
});

describe("json loads", () => {
  it("reads Python's NaN/Infinity tokens and exact big integers", () => {
    const value = load(
      "[NaN, Infinity, -Infinity, 9007199254740991, 9007199254740992, -1267650600228229401496703205376]",
    );
    expect(
      difference(value, [NaN, Infinity, -Infinity, 2 ** 53 - 1, 2n ** 53n, -(2n ** 100n)]),
    ).toBeNull();
  });

  it("keeps 17-digit floats exact and integral floats as numbers", () => {
    expect(load("[0.30000000000000004, 1.0, -0.0, 1e+22, 12345678901234567.0]")).toEqual([
      0.30000000000000004, 1, -0, 1e22, 12345678901234568,
    ]);
  });

  it("keeps big integers exact in long documents (the JSON.parse path)", () => {
    const filler = Array.from({ length: 100 }, (_, i) => i * 0.30000000000000004);
    const value = load(
      JSON.stringify(filler).slice(0, -1) + ", -12345678901234567, 9007199254740993]",
    ) as unknown[];
    expect(value.slice(-2)).toEqual([-12345678901234567n, 9007199254740993n]);
    expect(value.slice(0, 100)).toEqual(filler);
  });

  it("reads rounded or overflowed numbers exactly in long documents, wherever they are", () => {
    const pad = `"pad": "${"p".repeat(300)}"`;
    const value = load(
      `{${pad}, "f": [1e300, 2.5, 1e999], "d": {"k": [{"n": 12345678901234567890}]}}`,
    ) as { f: number[]; d: { k: [{ n: bigint }] } };
    expect(value.f).toEqual([1e300, 2.5, Infinity]);
    expect(value.d.k[0].n).toBe(12345678901234567890n);
    const huge = `${"1".repeat(400)}`;
    expect(load(`[${huge}, ${pad.slice(7)}]`)).toEqual([BigInt(huge), "p".repeat(300)]);
  });

  it("gives the same value on the JSON.parse path and the custom parser path", () => {
    const body = `{"a": [1, "x", {"b": null}], "c": "é😀\\n\\u00e9", "d": 2.5e-3, "pad": "${"p".repeat(300)}"}`;
    const viaParse = load(body);
    const viaCustom = load(`[${body}, NaN]`) as unknown[];
    expect(difference(viaCustom[0], viaParse)).toBeNull();
  });

  it("makes a __proto__ key an own property on both paths", () => {
    const pad = `"pad": "${"p".repeat(300)}"`;
    for (const source of [
      `{"__proto__": {"polluted": 1}, ${pad}}`,
      '{"__proto__": {"polluted": 1}, "n": NaN}',
    ]) {
      const value = load(source) as Record<string, unknown>;
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(Object.hasOwn(value, "__proto__")).toBe(true);
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    }
  });

  it("revives class dicts at any depth on both paths", () => {
    const error =
      '{"__class__": "builtins.ValueError", "__exception__": true, "args": ["bad", 42], "attributes": {}}';
    const pad = `"${"p".repeat(300)}"`;
    for (const source of [`[{"x": ${error}}, ${pad}]`, `[{"x": ${error}}, NaN]`]) {
      const value = load(source) as [{ x: PyroError }];
      expect(value[0].x).toBeInstanceOf(PyroError);
      expect(value[0].x.remote?.type).toBe("builtins.ValueError");
      expect(value[0].x.remote?.args).toEqual(["bad", 42]);
    }
    const registry = new ClassRegistry().registerDictToClass("geo.Point", (d) => [d["x"], d["y"]]);
    const custom = new JsonSerializer(registry).loads(
      new TextEncoder().encode('{"p": {"__class__": "geo.Point", "x": 1, "y": 2}}'),
    );
    expect(custom).toEqual({ p: [1, 2] });
  });

  it("caps nesting at 1000 levels on both paths", () => {
    expect(load(`${"[".repeat(1000)}${"]".repeat(1000)}`)).toBeInstanceOf(Array);
    expect(serializeError(() => load(`${"[".repeat(1001)}${"]".repeat(1001)}`)).message).toMatch(
      /1000/,
    );
    expect(serializeError(() => load(`${"[".repeat(1001)}NaN${"]".repeat(1001)}`)).message).toMatch(
      /1000/,
    );
    expect(serializeError(() => load("[".repeat(200_000))).message).toMatch(/1000/);
  });

  it("names the cause and offset of broken input", () => {
    expect(serializeError(() => load('{"a" 1}')).message).toMatch(
      /expected ':' after key at offset 5/,
    );
    expect(serializeError(() => load("[1, 2")).message).toMatch(/offset 5/);
    expect(serializeError(() => load('"abc')).message).toMatch(/unterminated string/);
    expect(serializeError(() => load("[1] x")).message).toMatch(/extra data/);
    expect(serializeError(() => load("[01]")).message).toMatch(/expected ',' or ']'/);
    expect(serializeError(() => load('"\\x"')).message).toMatch(/invalid escape/);
    expect(serializeError(() => load(`[${"9".repeat(5000)}]`)).message).toMatch(/4300-digit/);
    expect(serializeError(() => json.loads(Uint8Array.of(0x22, 0xff, 0x22))).message).toMatch(
      /UTF-8/,
    );
  });

  it("reads calls and checks their shape", () => {
    const call = loadsCall(
      json,
      new TextEncoder().encode('{"object": "o", "method": "m", "params": [1], "kwargs": null}'),
    );
    expect(call).toEqual({ objectId: "o", method: "m", vargs: [1], kwargs: null });
    expect(
      serializeError(() => load("[]") && loadsCall(json, new TextEncoder().encode("[]"))).message,
    ).toMatch(/call payload/);
    expect(
      serializeError(() =>
        loadsCall(
          json,
          new TextEncoder().encode('{"object": 1, "method": "m", "params": [], "kwargs": {}}'),
        ),
      ).message,
    ).toMatch(/object id/);
  });
});
