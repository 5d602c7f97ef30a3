import { describe, expect, it } from "vitest";
import { PyroError } from "../../src/runtime/errors.js";
import { pyro4 } from "../../src/runtime/protocol-pyro4/index.js";
import type { InvokeCall } from "../../src/runtime/protocol/wire-protocol.js";
import { ClassRegistry } from "../../src/runtime/serializers/class-registry.js";
import { createSerializer } from "../../src/runtime/serializers/index.js";
import { SerpentSerializer } from "../../src/runtime/serializers/serpent.js";
import {
  escapesBeyondAscii,
  pyFloatRepr,
  pyStrRepr,
} from "../../src/runtime/serializers/serpent-repr.js";
import { PyComplex, complex, float, tuple } from "../../src/runtime/values.js";
import { runPython } from "../harness/python.js";
import { dumpsCall, loadsCall } from "./codec-helpers.js";

/** With Pyro4's class hooks (URIs, errors), as a proxy's serializer has them. */
const serpent = new SerpentSerializer(pyro4.dialect.createRegistry());
const HEADER = "# serpent utf-8 python3.2\n";

function load(text: string): unknown {
  return serpent.loads(new TextEncoder().encode(text));
}

/** The text after the header. */
function dump(value: unknown): string {
  const text = new TextDecoder().decode(serpent.dumps(value));
  expect(text.startsWith(HEADER)).toBe(true);
  return text.slice(HEADER.length);
}

function loadError(text: string): PyroError {
  try {
    load(text);
  } catch (error) {
    expect(error).toBeInstanceOf(PyroError);
    expect((error as PyroError).code).toBe("serialize");
    return error as PyroError;
  }
  throw new Error(`no error for ${JSON.stringify(text)}`);
}

describe("serpent serializer", () => {
  it("is registered as serpent, Pyro4's id 1", () => {
    const s = createSerializer("serpent");
    expect(s).toBeInstanceOf(SerpentSerializer);
    expect(s.name).toBe("serpent");
    expect(pyro4.serializers.id("serpent")).toBe(1);
    expect(pyro4.serializers.nameOf(1)).toBe("serpent");
  });
});

describe("serpent loads: scalars", () => {
  it("reads None, True, False after header comments", () => {
    expect(load("# serpent utf-8 python2.6\n# another\nNone")).toBeNull();
    expect(load("True")).toBe(true);
    expect(load("  False  ")).toBe(false);
  });

  it("reads ints of any size, bigint beyond 2^53-1", () => {
    expect(load("0")).toBe(0);
    expect(load("-0")).toBe(0);
    expect(Object.is(load("-0"), -0)).toBe(false);
    expect(load("123456789012345")).toBe(123456789012345);
    expect(load("9007199254740991")).toBe(9007199254740991);
    expect(load("9007199254740992")).toBe(9007199254740992n);
    expect(load("-9007199254740991")).toBe(-9007199254740991);
    expect(load("-9007199254740992")).toBe(-9007199254740992n);
    expect(load("1267650600228229401496703205376")).toBe(2n ** 100n);
    expect(load("-1267650600228229401496703205376")).toBe(-(2n ** 100n));
    expect(load("+7")).toBe(7);
  });

  it("reads Python's other int forms", () => {
    expect(load("0x_ff")).toBe(255);
    expect(load("0o17")).toBe(15);
    expect(load("0B101")).toBe(5);
    expect(load("1_000_000")).toBe(1000000);
    expect(load("00")).toBe(0);
    expect(load("0xffffffffffffffffff")).toBe(0xffffffffffffffffffn);
  });

  it("refuses ints Python refuses", () => {
    expect(loadError("01").message).toMatch(/leading zeros/);
    for (const bad of ["1_", "1__0", "0x", "0b2", "0x1_", "12abc", "--1", "-True", "1+2"]) {
      loadError(bad);
    }
    expect(loadError("1" + "0".repeat(4300)).message).toMatch(/4300 digits/);
  });

  it("reads floats in every Python form", () => {
    expect(load("1.5")).toBe(1.5);
    expect(load("1e+16")).toBe(1e16);
    expect(load(".5")).toBe(0.5);
    expect(load("1.")).toBe(1);
    expect(load("1E5")).toBe(100000);
    expect(load("1.e5")).toBe(100000);
    expect(load("00.7")).toBe(0.7);
    expect(load("5e-324")).toBe(5e-324);
    expect(load("1_0.2_5e1_0")).toBe(10.25e10);
    expect(load("0.30000000000000004")).toBe(0.30000000000000004);
    expect(load("123456789.123456789")).toBe(Number("123456789.123456789"));
    expect(Object.is(load("-0.0"), -0)).toBe(true);
    expect(load("1e30000")).toBe(Infinity);
    expect(load("-1e30000")).toBe(-Infinity);
  });

  it("reads floats exactly like a correct decimal conversion", () => {
    for (const text of ["0.1", "2.675", "1.0000000000000002", "9007199254740.993", "0.000123"]) {
      expect(load(text)).toBe(Number(text));
    }
  });

  it("refuses malformed floats", () => {
    for (const bad of ["1e", "1.5.", ".", "1._5", "1e+", ".e5", "1j.5", "..."]) loadError(bad);
    expect(loadError("...").message).toMatch(/Ellipsis/);
  });

  it("reads complex numbers in the forms Python and serpent write", () => {
    expect(load("(1.5-2.5j)")).toEqual(new PyComplex(1.5, -2.5));
    expect(load("(0.0+1.0j)")).toEqual(new PyComplex(0, 1));
    expect(load("2j")).toEqual(new PyComplex(0, 2));
    expect(load("1.5J")).toEqual(new PyComplex(0, 1.5));
    expect(load("1 - 2j")).toEqual(new PyComplex(1, -2));
    expect(load("(1)+(2j)")).toEqual(new PyComplex(1, 2));
    expect(load("(1e30000+1e30000j)")).toEqual(new PyComplex(Infinity, Infinity));
    const negated = load("-(2j)") as PyComplex;
    expect(Object.is(negated.real, -0)).toBe(true);
    expect(negated.imag).toBe(-2);
    const negZero = load("(-1.5+-0.0j)") as PyComplex;
    expect(negZero.real).toBe(-1.5);
    expect(Object.is(negZero.imag, -0)).toBe(true);
    // Python's arithmetic: -0.0 + 0j has a +0.0 real part.
    expect(Object.is((load("-0.0+1j") as PyComplex).real, 0)).toBe(true);
  });

  it("refuses sums that are not literals", () => {
    for (const bad of ["1+2j+3j", "-(1.5-2.5j)", "2j+1", "'a'+1j", "True+1j", "(1,)+2j"])
      loadError(bad);
  });
});

describe("serpent loads: strings and bytes", () => {
  it("reads both quote styles, triple quotes and prefixes", () => {
    expect(load("'plain'")).toBe("plain");
    expect(load('"it\'s"')).toBe("it's");
    expect(load("'''a\n'b'\n'''")).toBe("a\n'b'\n");
    expect(load('"""x"y"""')).toBe('x"y');
    expect(load("''")).toBe("");
    expect(load("''''''")).toBe("");
    expect(load("u'x'")).toBe("x");
    expect(load("U'x'")).toBe("x");
    expect(load("r'a\\nb'")).toBe("a\\nb");
    expect(load("R'a\\'b'")).toBe("a\\'b");
    expect(load("'a' \"b\" '''c'''")).toBe("abc");
  });

  it("decodes every escape", () => {
    expect(load("'\\\\ \\' \\\" \\a \\b \\f \\n \\r \\t \\v'")).toBe(
      "\\ ' \" \x07 \b \f \n \r \t \v",
    );
    expect(load("'\\0\\101\\1010\\777'")).toBe("\0A" + "A0" + "\u01ff");
    expect(load("'\\x41\\xe9\\u20ac\\U0001F600'")).toBe("Aé€😀");
    expect(load("'a\\\nb'")).toBe("ab");
    expect(load("'a\\\r\nb'")).toBe("ab");
    expect(load("'\\q'")).toBe("\\q");
    expect(load("'\\ud800x\\udfff'")).toBe("\ud800x\udfff");
    expect(load("'\\U000e0001'")).toBe("\u{e0001}");
  });

  it("reads any unicode literally and translates newlines in triple quotes", () => {
    expect(load("'héllo € 😀 \u2028'")).toBe("héllo € 😀 \u2028");
    expect(load("'''a\r\nb\rc'''")).toBe("a\nb\nc");
  });

  it("reads long strings, with escapes near and far (the indexOf path)", () => {
    const strings = [
      "x".repeat(100),
      "y".repeat(50) + "\n" + "z".repeat(50),
      "é".repeat(40) + "'",
      "a".repeat(33) + "\\",
      "b".repeat(64),
      '"'.repeat(40),
      "\r\r" + "c".repeat(40),
      "d".repeat(40),
    ];
    expect(serpent.loads(serpent.dumps(strings))).toEqual(strings);
    const text = `['${"a".repeat(40)}','${"b".repeat(40)}\\n','${"c".repeat(40)}','${"d".repeat(40)}\\'']`;
    expect(load(text)).toEqual([
      "a".repeat(40),
      "b".repeat(40) + "\n",
      "c".repeat(40),
      "d".repeat(40) + "'",
    ]);
    expect(loadError(`'${"a".repeat(40)}\n'`).message).toMatch(/newline/);
    expect(loadError(`'${"a".repeat(40)}`).message).toMatch(/unterminated/);
  });

  it("refuses bad strings with a clear error", () => {
    expect(loadError("'abc").message).toMatch(/unterminated/);
    expect(loadError("'a\nb'").message).toMatch(/newline/);
    expect(loadError("'\\x4'").message).toMatch(/\\xXX/);
    expect(loadError("'\\u12'").message).toMatch(/\\uXXXX/);
    expect(loadError("'\\U00110000'").message).toMatch(/illegal/);
    expect(loadError("'\\N{DASH}'").message).toMatch(/\\N\{name\}/);
    expect(loadError("r'\\'").message).toMatch(/unterminated/);
    expect(loadError("f'x'").message).toMatch(/not a string prefix/);
    expect(loadError("ur'x'").message).toMatch(/not a string prefix/);
    expect(loadError("'a' b'b'").message).toMatch(/mix bytes/);
  });

  it("reads bytes literals as Uint8Array", () => {
    expect(load("b'\\x00ab\\xff'")).toEqual(new Uint8Array([0, 97, 98, 255]));
    expect(load("Rb'\\x'")).toEqual(new Uint8Array([92, 120]));
    expect(load("bR'a'")).toEqual(new Uint8Array([97]));
    expect(load("b'\\u1234'")).toEqual(new TextEncoder().encode("\\u1234"));
    expect(load("b'\\400'")).toEqual(new Uint8Array([0]));
    expect(load("b'a' b'b'")).toEqual(new Uint8Array([97, 98]));
    expect(loadError("b'é'").message).toMatch(/ASCII/);
  });

  it("turns serpent's base64 dict into bytes", () => {
    const bytes = load("{'data': 'AAEC/w==', 'encoding': 'base64'}");
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes).toEqual(new Uint8Array([0, 1, 2, 255]));
    expect(load("{'encoding':'base64','data':''}")).toEqual(new Uint8Array(0));
    // Not valid base64, or extra keys: an ordinary dict.
    expect(load("{'data': 'abc', 'encoding': 'base64'}")).toEqual({
      data: "abc",
      encoding: "base64",
    });
    expect(load("{'data': 'AA==', 'encoding': 'base64', 'x': 1}")).toEqual({
      data: "AA==",
      encoding: "base64",
      x: 1,
    });
  });
});

describe("serpent loads: containers", () => {
  it("reads tuples, lists, sets and dicts", () => {
    expect(load("(1,'two',3.0)")).toEqual([1, "two", 3]);
    expect(load("(1,)")).toEqual([1]);
    expect(load("()")).toEqual([]);
    expect(load("(1)")).toBe(1);
    expect(load("((1,2))")).toEqual([1, 2]);
    expect(load("[1,2,3,]")).toEqual([1, 2, 3]);
    expect(load("[]")).toEqual([]);
    expect(load("{1,2,3}")).toEqual(new Set([1, 2, 3]));
    expect(load("{1,}")).toEqual(new Set([1]));
    expect(load("set()")).toEqual(new Set());
    expect(load("set ( )")).toEqual(new Set());
    expect(load("{}")).toEqual({});
    expect(load("{'a':1,'b':[2]}")).toEqual({ a: 1, b: [2] });
  });

  it("allows whitespace, newlines, comments and continuations between tokens", () => {
    const text = "# c\n[ 1 ,\n\t2 , # two\n (3 ,) ,\f{ 'a' : 1 , } , \\\n 4 ]";
    expect(load(text)).toEqual([1, 2, [3], { a: 1 }, 4]);
  });

  it("makes dicts with any non-str key a Map, keeping Python's order", () => {
    const map = load("{'b':1,2:'two',(1,2):'t','1':3,None:0}") as Map<unknown, unknown>;
    expect(map).toBeInstanceOf(Map);
    expect([...map.entries()]).toEqual([
      ["b", 1],
      [2, "two"],
      [[1, 2], "t"],
      ["1", 3],
      [null, 0],
    ]);
  });

  it("keeps a __proto__ key as an own property", () => {
    const value = load("{'__proto__': {'polluted': 1}, 'constructor': 2}") as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(value["constructor"]).toBe(2);
  });

  it("refuses malformed containers", () => {
    for (const bad of [
      "[1 2]",
      "(,)",
      "[,]",
      "{1:2,3}",
      "{1,2:3}",
      "[1",
      "{'a':}",
      "(1,2",
      "[1]]",
      "",
    ]) {
      loadError(bad);
    }
  });

  it("caps nesting at 1000 levels", () => {
    expect(load("[".repeat(1000) + "]".repeat(1000))).toBeDefined();
    expect(loadError("[".repeat(1001) + "]".repeat(1001)).message).toMatch(/deeper than 1000/);
    expect(loadError("(".repeat(5000)).message).toMatch(/deeper than 1000/);
    expect(loadError("-".repeat(5000) + "1").message).toMatch(/deeper than 1000|sign/);
  });

  it("names the byte offset of an error", () => {
    expect(loadError("[1,\n 2 3]").message).toMatch(/expected ',' or '\]' in a list at offset 7/);
    expect(loadError("['é', ?]").message).toMatch(/offset 7/);
  });

  it("refuses invalid UTF-8 and NUL characters", () => {
    expect(() => serpent.loads(new Uint8Array([0x27, 0xff, 0x27]))).toThrow(/UTF-8/);
    expect(loadError("'a\0'").message).toMatch(/NUL/);
  });
});

describe("serpent loads: class dicts", () => {
  it("revives NaN, exceptions and the batch exception wrapper", () => {
    expect(load("{'__class__':'float','value':'nan'}")).toBeNaN();
    const error = load(
      "{'__class__':'builtins.ValueError','__exception__':True,'args':('bad value',42)," +
        "'attributes':{'_pyroTraceback':['Traceback\\n','ValueError\\n'],'extra':{'x':1}}}",
    );
    expect(error).toBeInstanceOf(PyroError);
    expect((error as PyroError).remote).toEqual({
      type: "builtins.ValueError",
      args: ["bad value", 42],
      attributes: { extra: { x: 1 } },
      traceback: ["Traceback\n", "ValueError\n"],
    });
    const wrapped = load(
      "{'__class__':'Pyro4.futures._ExceptionWrapper','exception':{'__class__':'builtins.KeyError'," +
        "'__exception__':True,'args':('k',),'attributes':{}}}",
    );
    // The wrapper class is the protocol's: a proxy revives it; a bare serializer keeps the dict.
    expect(wrapped).toMatchObject({ __class__: "Pyro4.futures._ExceptionWrapper" });
    expect((wrapped as { exception: unknown }).exception).toBeInstanceOf(PyroError);
  });

  it("uses registered hooks and leaves unknown classes as dicts", () => {
    const registry = new ClassRegistry().registerDictToClass("app.Point", (d) => ({
      point: [d["x"], d["y"]],
    }));
    const s = new SerpentSerializer(registry);
    const value = s.loads(
      new TextEncoder().encode("[{'x':1,'y':2,'__class__':'app.Point'},{'__class__':'x.Y'}]"),
    );
    expect(value).toEqual([{ point: [1, 2] }, { __class__: "x.Y" }]);
  });

  it("wraps a failing hook in a serialize error", () => {
    const registry = new ClassRegistry().registerDictToClass("app.Bad", () => {
      throw new TypeError("boom");
    });
    const s = new SerpentSerializer(registry);
    expect(() => s.loads(new TextEncoder().encode("{'__class__':'app.Bad'}"))).toThrow(
      expect.objectContaining({ code: "serialize", message: expect.stringMatching(/boom/) }),
    );
  });
});

describe("serpent dumps", () => {
  it("writes the header and the scalars", () => {
    expect(dump(null)).toBe("None");
    expect(dump(undefined)).toBe("None");
    expect(dump(true)).toBe("True");
    expect(dump(false)).toBe("False");
    expect(dump(0)).toBe("0");
    expect(dump(-0)).toBe("-0.0");
    expect(dump(-2147483648)).toBe("-2147483648");
    expect(dump(2147483648)).toBe("2147483648");
    expect(dump(42)).toBe("42");
    expect(dump(2 ** 53 + 2)).toBe("9007199254740994");
    // Beyond 2^53 the exact value, not JS's shortest digits (89770344819610820).
    expect(dump(89770344819610816)).toBe("89770344819610816");
    expect(dump(1e21)).toBe("1000000000000000000000");
    // An integral double is an int: its exact decimal value, as Python's int(x).
    expect(dump(-1e300)).toBe("-" + BigInt(1e300).toString());
    expect(dump(2n ** 100n)).toBe("1267650600228229401496703205376");
    expect(dump(-5n)).toBe("-5");
  });

  it("writes floats as Python's repr does", () => {
    expect(dump(1.5)).toBe("1.5");
    expect(dump(0.1)).toBe("0.1");
    expect(dump(1e-7)).toBe("1e-07");
    expect(dump(0.0001)).toBe("0.0001");
    expect(dump(0.00001234)).toBe("1.234e-05");
    expect(dump(1.5e-300)).toBe("1.5e-300");
    expect(dump(float(1.5e300))).toBe("1.5e+300");
    expect(dump(5e-324)).toBe("5e-324");
    expect(dump(float(1))).toBe("1.0");
    expect(dump(float(123456789))).toBe("123456789.0");
    expect(dump(float(1e16))).toBe("1e+16");
    expect(dump(float(1e15))).toBe("1000000000000000.0");
    expect(dump(float(-0))).toBe("-0.0");
    expect(dump(NaN)).toBe("{'__class__':'float','value':'nan'}");
    expect(dump(float(NaN))).toBe("{'__class__':'float','value':'nan'}");
    expect(dump(Infinity)).toBe("1e30000");
    expect(dump(-Infinity)).toBe("-1e30000");
    expect(pyFloatRepr(1234567890123456.8)).toBe("1234567890123456.8");
    expect(pyFloatRepr(1e22)).toBe("1e+22");
  });

  it("writes strings as Python's repr does", () => {
    expect(dump("plain")).toBe("'plain'");
    expect(dump("it's")).toBe('"it\'s"');
    expect(dump('say "hi"')).toBe("'say \"hi\"'");
    expect(dump("both ' and \"")).toBe("'both \\' and \"'");
    expect(dump("a\\b\n\t\r\x00\x1f\x7f")).toBe("'a\\\\b\\n\\t\\r\\x00\\x1f\\x7f'");
    expect(dump("é € 😀")).toBe("'é € 😀'");
    expect(dump("\x80\xa0\xad\u2028\u200b\ufeff\u{e0001}")).toBe(
      "'\\x80\\xa0\\xad\\u2028\\u200b\\ufeff\\U000e0001'",
    );
    expect(dump("lone \ud800 and \udfff")).toBe("'lone \\ud800 and \\udfff'");
    expect(pyStrRepr("")).toBe("''");
  });

  it("writes every character Python's Unicode data assigns as Python's repr does", () => {
    // Unassigned code points are left out: Python's Unicode version (14.0 in Python 3.11)
    // trails Node's ICU, and a character assigned since then is escaped by one side only.
    const script = [
      "import json, unicodedata",
      'chars = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) not in ("Cn", "Cs")]',
      "texts = [''.join(chars[i:i + 512]) for i in range(0, len(chars), 512)]",
      "texts += ['lone \\ud800 and \\udfff', \"it's\", '\\'\"\\t\\x7f']",
      "print(json.dumps([[text, repr(text)] for text in texts]))",
    ].join("\n");
    const pairs = JSON.parse(runPython(script)) as [string, string][];
    expect(pairs.length).toBeGreaterThan(500);
    const differing = pairs.filter(([text, repr]) => pyStrRepr(text) !== repr);
    expect(differing.map(([, repr]) => repr.slice(0, 60))).toEqual([]);
    // The encoder writes long text whose characters repr keeps as they are without repr.
    const written = pairs.filter(([text, repr]) => dump(text) !== repr);
    expect(written.map(([, repr]) => repr.slice(0, 60))).toEqual([]);
    const kept = pairs.filter(([text]) => text.length > 64 && !escapesBeyondAscii(text));
    expect(kept.length).toBeGreaterThan(100);
  });

  it("writes bytes as serpent's base64 dict", () => {
    expect(dump(new Uint8Array([0, 1, 2, 255]))).toBe("{'data': 'AAEC/w==', 'encoding': 'base64'}");
    const view = new Uint8Array([9, 0, 1, 2, 255, 9]).subarray(1, 5);
    expect(dump(view)).toBe("{'data': 'AAEC/w==', 'encoding': 'base64'}");
  });

  it("writes containers compactly", () => {
    expect(dump([1, "a", [], [[]]])).toBe("[1,'a',[],[[]]]");
    expect(dump(tuple())).toBe("()");
    expect(dump(tuple(1))).toBe("(1,)");
    expect(dump(tuple(1, 2))).toBe("(1,2)");
    expect(dump(new Set([1, 2]))).toBe("{1,2}");
    expect(dump(new Set())).toBe("()");
    expect(dump({})).toBe("{}");
    expect(dump({ a: 1, "it's": [undefined] })).toBe("{'a':1,\"it's\":[None]}");
    expect(dump(Object.assign(Object.create(null) as object, { x: 1 }))).toBe("{'x':1}");
    expect(
      dump(
        new Map<unknown, unknown>([
          [1, "x"],
          [[1, [2]], "t"],
          [tuple(3), 4],
          [null, 5],
        ]),
      ),
    ).toBe("{1:'x',(1,(2,)):'t',(3,):4,None:5}");
    expect(dump(new Set([[1, 2], "a"]))).toBe("{(1,2),'a'}");
    expect(dump(new Map())).toBe("{}");
  });

  it("writes complex numbers that Python can read", () => {
    expect(dump(complex(1.5, -2.5))).toBe("(1.5-2.5j)");
    expect(dump(complex(1, 2))).toBe("(1.0+2.0j)");
    expect(dump(complex(0, -0))).toBe("(0.0-0.0j)");
    expect(dump(complex(Infinity, -Infinity))).toBe("(1e30000-1e30000j)");
  });

  it("refuses what serpent cannot carry, with serialize errors", () => {
    const refuse = (value: unknown, pattern: RegExp) =>
      expect(() => serpent.dumps(value)).toThrow(
        expect.objectContaining({ code: "serialize", message: expect.stringMatching(pattern) }),
      );
    refuse(() => 1, /function/);
    refuse(Symbol("s"), /symbol/);
    refuse(new Map([[{ a: 1 }, 1]]), /dict key/);
    refuse(new Set([new Uint8Array(1)]), /dict key/);
    refuse(new Map([[NaN, 1]]), /NaN/);
    refuse(complex(NaN, 1), /NaN/);
    refuse(new Date(0), /Date/);
    const cycle: unknown[] = [1];
    cycle.push([cycle]);
    refuse(cycle, /circular/);
    const selfDict: Record<string, unknown> = {};
    selfDict["me"] = selfDict;
    refuse(selfDict, /circular/);
    let deep: unknown = 1;
    for (let i = 0; i < 1001; i++) deep = [deep];
    refuse(deep, /deeper than 1000/);
  });

  it("still works after a failure (buffer reuse)", () => {
    expect(() => serpent.dumps([1, () => 1])).toThrow(PyroError);
    expect(dump([1, 2])).toBe("[1,2]");
  });

  it("writes class instances through the registry", () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    const registry = new ClassRegistry().registerClassToDict(Point, (p) => ({
      __class__: "app.Point",
      x: (p as Point).x,
      y: (p as Point).y,
    }));
    const s = new SerpentSerializer(registry);
    const text = new TextDecoder().decode(s.dumps([new Point(1, 2)]));
    expect(text).toBe(HEADER + "[{'__class__':'app.Point','x':1,'y':2}]");
    const error = new PyroError("remote", "x", {
      remote: { type: "builtins.ValueError", args: ["bad"], attributes: {}, traceback: ["tb\n"] },
    });
    expect(dump(error)).toBe(
      "{'__class__':'builtins.ValueError','__exception__':True,'args':['bad'],'attributes':{'_pyroTraceback':['tb\\n']}}",
    );
  });

  it("survives a hook that serializes recursively", () => {
    class Inner {}
    const registry = new ClassRegistry().registerClassToDict(Inner, () =>
      new TextDecoder().decode(new SerpentSerializer().dumps({ nested: [1, 2, 3] })),
    );
    const s = new SerpentSerializer(registry);
    const value = s.loads(s.dumps(["before", new Inner(), "after"]));
    expect(value).toEqual(["before", HEADER + "{'nested':[1,2,3]}", "after"]);
  });

  it("writes large values (buffer growth, big strings, big bytes)", () => {
    const big = "x".repeat(100_000) + "é";
    const bytes = new Uint8Array(300_000).map((_, i) => i & 0xff);
    const list = Array.from({ length: 20_000 }, (_, i) => i);
    const back = serpent.loads(serpent.dumps({ big, bytes, list })) as Record<string, unknown>;
    expect(back["big"] === big).toBe(true);
    expect(Buffer.from(back["bytes"] as Uint8Array).equals(bytes)).toBe(true);
    expect(
      (back["list"] as number[]).every((n, i) => n === i) && (back["list"] as number[]).length,
    ).toBe(20_000);
  });
});

describe("serpent calls", () => {
  it("writes calls as Python clients do", () => {
    const text = (call: InvokeCall) =>
      new TextDecoder().decode(dumpsCall(serpent, call)).slice(HEADER.length);
    expect(
      text({ objectId: "test.echoserver", method: "echo", vargs: ["hello"], kwargs: {} }),
    ).toBe("('test.echoserver','echo',('hello',),{})");
    expect(text({ objectId: "lab", method: "kw", vargs: [1, 2], kwargs: { x: 5, y: "six" } })).toBe(
      "('lab','kw',(1,2),{'x':5,'y':'six'})",
    );
    expect(text({ objectId: "o", method: "__getattr__", vargs: ["attr"], kwargs: null })).toBe(
      "('o','__getattr__',('attr',),None)",
    );
  });

  it("reads calls with tuple or list vargs and None kwargs", () => {
    const read = (t: string) => loadsCall(serpent, new TextEncoder().encode(HEADER + t));
    expect(read("('o','m',(1,),{'k':2})")).toEqual({
      objectId: "o",
      method: "m",
      vargs: [1],
      kwargs: { k: 2 },
    });
    expect(read("('Pyro.Daemon','get_next_stream_item',['d55'],{})")).toEqual({
      objectId: "Pyro.Daemon",
      method: "get_next_stream_item",
      vargs: ["d55"],
      kwargs: {},
    });
    expect(read("('o','<batch>',(),None)").kwargs).toBeNull();
    for (const bad of [
      "('o','m',())",
      "('o',1,(),{})",
      "('o','m',5,{})",
      "('o','m',(),{1:2})",
      "5",
    ]) {
      expect(() => read(bad)).toThrow(expect.objectContaining({ code: "serialize" }));
    }
  });

  it("round-trips calls", () => {
    const call = {
      objectId: "obj",
      method: "m",
      vargs: [1, "a", [2n ** 64n]],
      kwargs: { x: null },
    };
    expect(loadsCall(serpent, dumpsCall(serpent, call))).toEqual(call);
  });
});
