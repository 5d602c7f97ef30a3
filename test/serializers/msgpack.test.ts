import { describe, expect, it } from "vitest";
import { MsgpackSerializer } from "../../src/runtime/serializers/msgpack.js";
import { complex, float, tuple } from "../../src/runtime/values.js";
import { runPython } from "../harness/python.js";
import { ascii, dumpsCall, hex, loadsCall, serializeError, toHex } from "./codec-helpers.js";
import { difference } from "./compare.js";

const msgpack = new MsgpackSerializer();

describe("msgpack: captured bytes", () => {
  it("reads Pyro's ext types", () => {
    const datetime = msgpack.loads(hex("d7 32 b4 e6 07 03 44 0b d9 41")) as Date;
    expect(datetime).toBeInstanceOf(Date);
    expect(datetime.getTime()).toBe(Math.trunc(1680674828.123456 * 1000));
    expect(msgpack.loads(hex("d7 33 37 45 0b 00 00 00 00 00"))).toBe("2023-04-05");
    const c = new Uint8Array(18);
    c.set([0xd8, 0x30]);
    new DataView(c.buffer).setFloat64(2, 1.5, true);
    new DataView(c.buffer).setFloat64(10, -2.5, true);
    expect(difference(msgpack.loads(c), complex(1.5, -2.5))).toBeNull();
    expect(toHex(msgpack.dumps(complex(1.5, -2.5)))).toBe(toHex(c));
    const big = hex(`c7 1f 31 ${ascii("1267650600228229401496703205376")}`);
    expect(msgpack.loads(big)).toBe(2n ** 100n);
    expect(toHex(msgpack.dumps(2n ** 100n))).toBe(toHex(big));
  });

  it("writes the captured call payloads", () => {
    const call = dumpsCall(msgpack, {
      objectId: "lab",
      method: "kw",
      vargs: [1, 2, 3, 4],
      kwargs: { x: 5, y: "six" },
    });
    expect(toHex(call)).toBe(
      `94 a3 ${ascii("lab")} a2 ${ascii("kw")} 94 01 02 03 04 82 a1 78 05 a1 79 a3 ${ascii("six")}`,
    );
    const getattr = dumpsCall(msgpack, {
      objectId: "lab",
      method: "__getattr__",
      vargs: ["value"],
      kwargs: null,
    });
    expect(toHex(getattr)).toBe(
      `94 a3 ${ascii("lab")} ab ${ascii("__getattr__")} 91 a5 ${ascii("value")} c0`,
    );
    expect(loadsCall(msgpack, getattr)).toEqual({
      objectId: "lab",
      method: "__getattr__",
      vargs: ["value"],
      kwargs: null,
    });
  });

  it("reads the captured auto-proxy dict", () => {
    const uri = "PYRO:obj_8c99@127.0.0.1:9998";
    const bytes = hex(
      `82 a9 ${ascii("__class__")} b0 ${ascii("Pyro4.core.Proxy")} a5 ${ascii("state")} 99 ` +
        `bc ${ascii(uri)} 90 91 a5 ${ascii("hello")} 90 cb 00 00 00 00 00 00 00 00 c0 a5 ${ascii("hello")} 00 c0`,
    );
    expect(msgpack.loads(bytes)).toEqual({
      __class__: "Pyro4.core.Proxy",
      state: [uri, [], ["hello"], [], 0, null, "hello", 0, null],
    });
  });
});

describe("msgpack dumps", () => {
  it("writes the same bytes as Python's msgpack for every int width, str/bin/array/map size", () => {
    const ints = [
      0,
      127,
      128,
      255,
      256,
      65535,
      65536,
      2 ** 32 - 1,
      2 ** 32,
      2 ** 53 - 1,
      -1,
      -32,
      -33,
      -128,
      -129,
    ];
    const more = [-32768, -32769, -(2 ** 31), -(2 ** 31) - 1, -(2 ** 53 - 1)];
    const value = [
      [...ints, ...more, 2n ** 63n, 2n ** 64n - 1n, -(2n ** 63n), 2n ** 64n, -(2n ** 63n) - 1n],
      [
        "",
        "x".repeat(31),
        "x".repeat(32),
        "x".repeat(255),
        "x".repeat(256),
        "é".repeat(40000),
        "😀",
      ],
      [new Uint8Array(0), new Uint8Array(255), new Uint8Array(256), new Uint8Array(70000)],
      [Array(15).fill(1), Array(16).fill(1), Array(70000).fill(null)],
      [Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i])), {}],
      [2.5, float(1), NaN, -Infinity, -0.5, true, false, null],
    ];
    const python = runPython(
      "import sys, Pyro4.util as u\n" +
        "ints = [0, 127, 128, 255, 256, 65535, 65536, 2**32-1, 2**32, 2**53-1, -1, -32, -33, -128, -129]\n" +
        "more = [-32768, -32769, -2**31, -2**31-1, -(2**53-1)]\n" +
        "v = [ints + more + [2**63, 2**64-1, -2**63, 2**64, -2**63-1]," +
        " ['', 'x'*31, 'x'*32, 'x'*255, 'x'*256, 'é'*40000, '😀']," +
        " [b'', bytes(255), bytes(256), bytes(70000)], [[1]*15, [1]*16, [None]*70000]," +
        " [{'k%d' % i: i for i in range(16)}, {}], [2.5, 1.0, float('nan'), float('-inf'), -0.5, True, False, None]]\n" +
        "sys.stdout.write(u.get_serializer('msgpack').dumps(v).hex())",
    );
    expect(toHex(msgpack.dumps(value)).replace(/ /g, "")).toBe(python);
  });

  it("sends tuples and sets as arrays, undefined as nil", () => {
    expect(toHex(msgpack.dumps([tuple(1), new Set([2]), undefined]))).toBe("93 91 01 91 02 c0");
  });

  it("refuses non-str map keys, saying why and what to use", () => {
    const error = serializeError(() => msgpack.dumps(new Map([[1, "a"]])));
    expect(error.message).toMatch(/strict_map_key.*use serpent or marshal/);
    expect(toHex(msgpack.dumps(new Map([["a", 1]])))).toBe("81 a1 61 01");
  });

  it("refuses lone surrogates, functions and cycles", () => {
    expect(serializeError(() => msgpack.dumps("a\ud800")).message).toMatch(/lone surrogate/);
    expect(serializeError(() => msgpack.dumps(Symbol("s"))).message).toMatch(/symbol/);
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(serializeError(() => msgpack.dumps(cyclic)).message).toMatch(/1000/);
  });
});

describe("msgpack loads", () => {
  it("decodes int map keys (a Python daemon sends them) to a Map", () => {
    expect(msgpack.loads(hex("82 01 a3 6f 6e 65 02 a3 74 77 6f"))).toEqual(
      new Map([
        [1, "one"],
        [2, "two"],
      ]),
    );
  });

  it("keeps ints exact: safe ones as numbers, others as bigint", () => {
    expect(msgpack.loads(hex("cf 00 1f ff ff ff ff ff ff"))).toBe(2 ** 53 - 1);
    expect(msgpack.loads(hex("cf 00 20 00 00 00 00 00 00"))).toBe(2n ** 53n);
    expect(msgpack.loads(hex("d3 ff e0 00 00 00 00 00 01"))).toBe(-(2 ** 53 - 1));
    expect(msgpack.loads(hex("d3 80 00 00 00 00 00 00 00"))).toBe(-(2n ** 63n));
    expect(msgpack.loads(hex("ca 3f c0 00 00"))).toBe(1.5);
  });

  it("makes a __proto__ key an own property", () => {
    const value = msgpack.loads(hex(`81 a9 ${ascii("__proto__")} 81 a1 70 c3`)) as object;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>)["p"]).toBeUndefined();
  });

  it("names the cause and offset of broken input", () => {
    expect(serializeError(() => msgpack.loads(hex("dd ff ff ff ff"))).message).toMatch(
      /array of 4294967295 items .* at offset 0/,
    );
    expect(serializeError(() => msgpack.loads(hex("c6 7f ff ff ff 00"))).message).toMatch(
      /bin needs 2147483647/,
    );
    expect(serializeError(() => msgpack.loads(hex("92 01"))).message).toMatch(
      /array of 2 items .* at offset 0/,
    );
    expect(serializeError(() => msgpack.loads(hex("92 01 cd 01"))).message).toMatch(/at offset 2/);
    expect(serializeError(() => msgpack.loads(hex("c1"))).message).toMatch(
      /invalid type byte 0xc1/,
    );
    expect(serializeError(() => msgpack.loads(hex("01 02"))).message).toMatch(/1 extra bytes/);
    expect(serializeError(() => msgpack.loads(hex("d4 07 00"))).message).toMatch(
      /unknown ext type 7/,
    );
    expect(serializeError(() => msgpack.loads(hex(`c7 02 31 ${ascii("1/")}`))).message).toMatch(
      /decimal digits/,
    );
    expect(serializeError(() => msgpack.loads(hex("a2 c3 28"))).message).toMatch(/UTF-8/);
    expect(
      serializeError(() => msgpack.loads(hex("d7 33 00 00 00 00 00 00 00 00"))).message,
    ).toMatch(/ordinal 0/);
    expect(serializeError(() => msgpack.loads(hex("d4 30 00"))).message).toMatch(
      /complex ext of 1 bytes/,
    );
  });

  it("caps nesting at 1000", () => {
    expect(msgpack.loads(hex(`${"91 ".repeat(1000)}c0`))).toBeInstanceOf(Array);
    expect(serializeError(() => msgpack.loads(hex(`${"91 ".repeat(1001)}c0`))).message).toMatch(
      /1000/,
    );
  });
});
