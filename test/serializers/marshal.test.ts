import { describe, expect, it } from "vitest";
import { MarshalSerializer, marshalLoads } from "../../src/runtime/serializers/marshal.js";
import { complex, float, tuple } from "../../src/runtime/values.js";
import { runPython } from "../harness/python.js";
import { ascii, dumpsCall, hex, loadsCall, serializeError, toHex } from "./codec-helpers.js";
import { difference } from "./compare.js";

const marshal = new MarshalSerializer();

describe("marshal loads: captured bytes", () => {
  const f64 = (value: number): string => {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, true);
    return toHex(bytes);
  };
  const rows: Array<[string, string, unknown]> = [
    [
      "(1,'two',3.0)",
      "a9 03 e9 01 00 00 00 da 03 74 77 6f e7 00 00 00 00 00 00 08 40",
      [1, "two", 3],
    ],
    ["{1,2,3}", "bc 03 00 00 00 e9 01 00 00 00 e9 02 00 00 00 e9 03 00 00 00", new Set([1, 2, 3])],
    ["frozenset({'a'})", "be 01 00 00 00 da 01 61", new Set(["a"])],
    ["b'\\x00\\x01\\x02\\xff'", "f3 04 00 00 00 00 01 02 ff", Uint8Array.of(0, 1, 2, 255)],
    ["(1.5-2.5j)", `f9 ${f64(1.5)} ${f64(-2.5)}`, complex(1.5, -2.5)],
    ["2**100", `ec 07 00 00 00 ${"00 00 ".repeat(6)}00 04`, 2n ** 100n],
    ["-5", "e9 fb ff ff ff", -5],
    ["None", "4e", null],
    ["[True, False]", "db 02 00 00 00 54 46", [true, false]],
    [
      "{1:'one',2:'two'}",
      "fb e9 01 00 00 00 da 03 6f 6e 65 e9 02 00 00 00 da 03 74 77 6f 30",
      new Map([
        [1, "one"],
        [2, "two"],
      ]),
    ],
    ["RESULT 'hello'", "da 05 68 65 6c 6c 6f", "hello"],
  ];
  it.each(rows)("%s", (_, bytes, expected) => {
    expect(difference(marshal.loads(hex(bytes)), expected)).toBeNull();
  });

  it("reads the captured INVOKE echo('hello')", () => {
    const payload = hex(
      "29 04 fa 0f 74 65 73 74 2e 65 63 68 6f 73 65 72 76 65 72 da 04 65 63 68 6f " +
        "db 01 00 00 00 da 05 68 65 6c 6c 6f fb 30",
    );
    expect(loadsCall(marshal, payload)).toEqual({
      objectId: "test.echoserver",
      method: "echo",
      vargs: ["hello"],
      kwargs: {},
    });
  });

  it("reads the captured CONNECTFAIL reason with marshalLoads", () => {
    const reason = "message used serializer that is not accepted: 6";
    expect(reason.length).toBe(0x2f);
    expect(marshalLoads(hex(`fa 2f ${ascii(reason)}`))).toBe(reason);
  });

  it("reads dict keys as CPython writes them: stored for back-reference, referred back, long or not ASCII", () => {
    // Keys go through the key cache when they are short ASCII; the back-reference list must
    // keep CPython's order all the same.
    const bytes = runPython(
      "import marshal,sys\n" +
        "name = 'shared-name'\n" +
        "recs = [{'id': i, 'name': name, 'a_key_longer_than_sixteen': i, 'clé': i} for i in range(3)]\n" +
        "sys.stdout.write(marshal.dumps([name, recs, {name: 1}, {7: 'seven', 'x': name}]).hex())",
    );
    expect(bytes).toMatch(/^(..)*?72/); // back-references, to keys among others
    const records = [0, 1, 2].map((i) => ({
      id: i,
      name: "shared-name",
      a_key_longer_than_sixteen: i,
      clé: i,
    }));
    const value = marshal.loads(Buffer.from(bytes, "hex"));
    expect(value).toEqual([
      "shared-name",
      records,
      { "shared-name": 1 },
      new Map<unknown, unknown>([
        [7, "seven"],
        ["x", "shared-name"],
      ]),
    ]);
  });

  it("follows back-references the way CPython writes them", () => {
    const bytes = runPython(
      "import marshal,sys\n" +
        "s = 'shared-' * 3; t = (1, 2); big = 2**80\n" +
        "v = ['test.echoserver', 'echo', [[1, 2.5, None, True, 'x', (1, 2), {'k': 'v'}]], {}, s, s, t, t, big, big, 'é', 'é']\n" +
        "sys.stdout.write(marshal.dumps(v).hex())",
    );
    const shared = "shared-".repeat(3);
    expect(bytes).toContain("72"); // at least one back-reference
    const value = marshal.loads(hex(bytes.replace(/(..)/g, "$1 "))) as unknown[];
    expect(
      difference(value, [
        "test.echoserver",
        "echo",
        [[1, 2.5, null, true, "x", [1, 2], { k: "v" }]],
        {},
        shared,
        shared,
        [1, 2],
        [1, 2],
        2n ** 80n,
        2n ** 80n,
        "é",
        "é",
      ]),
    ).toBeNull();
    expect(value[6]).toBe(value[7]); // one object, as in Python
  });

  it("reads the old type codes Python 3 still accepts", () => {
    expect(marshal.loads(hex(`66 04 ${ascii("-1.5")}`))).toBe(-1.5);
    expect(marshal.loads(hex(`66 03 ${ascii("inf")}`))).toBe(Infinity);
    expect(
      difference(
        marshal.loads(hex(`78 03 ${ascii("1.5")} 04 ${ascii("-2.5")}`)),
        complex(1.5, -2.5),
      ),
    ).toBeNull();
    expect(marshal.loads(hex("49 00 00 00 00 00 00 20 00"))).toBe(2n ** 53n);
    expect(marshal.loads(hex("49 05 00 00 00 00 00 00 00"))).toBe(5);
    expect(marshal.loads(hex(`74 02 00 00 00 ${ascii("hi")}`))).toBe("hi");
    expect(marshal.loads(hex(`41 02 00 00 00 ${ascii("hi")}`))).toBe("hi");
    expect(marshal.loads(hex("61 01 00 00 00 e9"))).toBe("é"); // a/A are 1-byte (latin-1) text
    expect(marshal.loads(hex(`5a 02 ${ascii("hi")}`))).toBe("hi");
    expect(marshal.loads(hex("28 02 00 00 00 53 2e"))).toEqual([null, null]); // StopIteration, Ellipsis
    expect(marshal.loads(hex("6c fe ff ff ff 01 00 01 00"))).toBe(-(1 + 2 ** 15));
    expect(marshal.loads(hex("6c 00 00 00 00"))).toBe(0);
  });

  it("reads lone surrogates written with surrogatepass", () => {
    expect(marshal.loads(hex("75 05 00 00 00 61 ed a0 80 62"))).toBe("a\ud800b");
  });
});

describe("marshal dumps", () => {
  it("writes the reference-free subset: z/a/u strings, i/l ints, g floats", () => {
    expect(toHex(marshal.dumps("hi"))).toBe("7a 02 68 69");
    expect(toHex(marshal.dumps("x".repeat(300)).subarray(0, 5))).toBe("61 2c 01 00 00");
    expect(toHex(marshal.dumps("é"))).toBe("75 02 00 00 00 c3 a9");
    expect(toHex(marshal.dumps(-5))).toBe("69 fb ff ff ff");
    expect(toHex(marshal.dumps(2 ** 31))).toBe("6c 03 00 00 00 00 00 00 00 02 00");
    expect(toHex(marshal.dumps(float(3)))).toBe("67 00 00 00 00 00 00 08 40");
    expect(toHex(marshal.dumps([true, null, tuple()]))).toBe("5b 03 00 00 00 54 4e 28 00 00 00 00");
  });

  it("writes the call as (objid, method, [vargs], {kwargs}) and kwargs {} for null", () => {
    const payload = dumpsCall(marshal, {
      objectId: "o",
      method: "__getattr__",
      vargs: ["v"],
      kwargs: null,
    });
    expect(toHex(payload)).toBe(
      `28 04 00 00 00 7a 01 6f 7a 0b ${ascii("__getattr__")} 5b 01 00 00 00 7a 01 76 7b 30`,
    );
    const checked = runPython(
      "import marshal,sys\nprint(repr(marshal.loads(bytes.fromhex(sys.argv[1]))))",
      { args: [toHex(payload).replace(/ /g, "")] },
    );
    expect(checked.trim()).toBe("('o', '__getattr__', ['v'], {})");
  });

  it("writes array and set dict keys as tuples and frozensets (hashable in Python)", () => {
    const value = new Map<unknown, unknown>([
      [[1, [2]], "a"],
      [new Set([3]), "b"],
    ]);
    const python = runPython(
      "import marshal,sys\nprint(repr(marshal.loads(bytes.fromhex(sys.argv[1]))))",
      {
        args: [toHex(marshal.dumps(value)).replace(/ /g, "")],
      },
    );
    expect(python.trim()).toBe("{(1, (2,)): 'a', frozenset({3}): 'b'}");
    expect(serializeError(() => marshal.dumps(new Map([[{}, 1]]))).message).toMatch(/hashable/);
  });

  it("writes lone surrogates with surrogatepass", () => {
    expect(toHex(marshal.dumps("a\ud800b"))).toBe("75 05 00 00 00 61 ed a0 80 62");
  });
});

describe("marshal loads: hostile input", () => {
  it("fails fast on an s with length 2^31-1 without allocating", () => {
    expect(serializeError(() => marshal.loads(hex("73 ff ff ff 7f 00"))).message).toMatch(
      /bytes length 2147483647 exceeds the 1 bytes left .* at offset 1/,
    );
    expect(serializeError(() => marshal.loads(hex("5b ff ff ff 7f"))).message).toMatch(
      /list length/,
    );
    expect(serializeError(() => marshal.loads(hex("6c ff ff ff 7f"))).message).toMatch(/long of/);
    expect(serializeError(() => marshal.loads(hex("75 fe ff ff ff"))).message).toMatch(
      /negative str length/,
    );
  });

  it("refuses code objects, unknown codes, bad references and NULLs", () => {
    expect(serializeError(() => marshal.loads(hex("e3 00 00"))).message).toMatch(/code objects/);
    expect(serializeError(() => marshal.loads(hex("01"))).message).toMatch(
      /unknown type code 0x01 at offset 0/,
    );
    expect(
      serializeError(() => marshal.loads(hex("5b 01 00 00 00 72 07 00 00 00"))).message,
    ).toMatch(/back-reference 7 to one of 0/);
    expect(serializeError(() => marshal.loads(hex("30"))).message).toMatch(/NULL/);
    expect(
      serializeError(() => marshal.loads(hex("fb da 01 61 72 00 00 00 00 30"))).message,
    ).toMatch(/would contain itself/);
  });

  it("refuses long digits out of range and invalid text", () => {
    expect(serializeError(() => marshal.loads(hex("6c 01 00 00 00 00 80"))).message).toMatch(
      /digit out of range/,
    );
    expect(serializeError(() => marshal.loads(hex("75 01 00 00 00 ff"))).message).toMatch(/UTF-8/);
    expect(serializeError(() => marshal.loads(hex(`66 02 ${ascii("1x")}`))).message).toMatch(
      /float text/,
    );
  });

  it("caps nesting at 1000 and names truncation", () => {
    expect(marshal.loads(hex(`${"5b 01 00 00 00 ".repeat(1000)}4e`))).toBeInstanceOf(Array);
    expect(
      serializeError(() => marshal.loads(hex(`${"5b 01 00 00 00 ".repeat(1001)}4e`))).message,
    ).toMatch(/1000/);
    expect(serializeError(() => marshal.loads(hex("69 01 00"))).message).toMatch(/truncated/);
    expect(serializeError(() => marshal.loads(new Uint8Array(0))).message).toMatch(/offset 0/);
  });

  it("keeps a __proto__ key an own property", () => {
    const value = marshal.loads(
      hex(`7b 7a 09 ${ascii("__proto__")} 7b 7a 01 78 69 01 00 00 00 30 30`),
    ) as object;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, "__proto__")).toBe(true);
  });
});
