/**
 * Conformance with Python's real serpent 1.41 as Pyro4 4.82 uses it: Python dumps a corpus
 * that our `loads` must read to the expected TypeScript values, and what our `dumps` writes
 * must be read back by Python (Pyro's serializer, `serpent.loads` and `ast.literal_eval`)
 * to the expected Python values. Two Python runs in total.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { PyroError } from "../../src/runtime/errors.js";
import { SerpentSerializer } from "../../src/runtime/serializers/serpent.js";
import { pyro4 } from "../../src/runtime/protocol-pyro4/index.js";
import { URI } from "../../src/runtime/uri.js";
import { PyComplex, float } from "../../src/runtime/values.js";
import { runPython } from "../harness/python.js";

interface Case {
  name: string;
  /** The Python value, as an expression. */
  py: string;
  /** What our loads must produce from Python's dumps (compared with toEqual)… */
  ts?: unknown;
  /** …or a check of it, when toEqual cannot express it. */
  check?: (value: unknown) => void;
  /** What we send back (default: what loads produced). */
  send?: unknown;
  /** The Python value Python must read from what we send (default: `py`). */
  back?: string;
  /** Our dumps must be byte-identical to Python's. */
  exact?: boolean;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The same list of floats as the "many floats" case computes in Python. */
const FLOATS = [
  ...range(6000).map((i) => (i - 3000) / 8),
  ...range(3000).map((i) => i / 1000 + 0.0001),
  ...range(3000).map((i) => i * 1.1),
  ...[1 / 3, 2 / 3, 1e-5, 0.00015, 123456789.5, 999999999.9999, 1e9 + 0.5, 3e-20 * 7],
];

const CASES: Case[] = [
  { name: "none", py: "None", ts: null, exact: true },
  { name: "true", py: "True", ts: true, exact: true },
  { name: "false", py: "False", ts: false, exact: true },
  { name: "int", py: "42", ts: 42, exact: true },
  { name: "negative int", py: "-7", ts: -7, exact: true },
  { name: "2**31", py: "2**31", ts: 2 ** 31, exact: true },
  { name: "2**53-1", py: "2**53-1", ts: 2 ** 53 - 1, exact: true },
  { name: "-(2**53-1)", py: "-(2**53-1)", ts: -(2 ** 53 - 1), exact: true },
  { name: "2**53", py: "2**53", ts: 2n ** 53n, exact: true },
  { name: "2**53+1", py: "2**53+1", ts: 2n ** 53n + 1n, exact: true },
  { name: "-(2**53+1)", py: "-(2**53+1)", ts: -(2n ** 53n + 1n), exact: true },
  { name: "2**64", py: "2**64", ts: 2n ** 64n, exact: true },
  { name: "-2**100", py: "-2**100", ts: -(2n ** 100n), exact: true },
  { name: "float", py: "1.5", ts: 1.5, exact: true },
  { name: "0.1", py: "0.1", ts: 0.1, exact: true },
  { name: "float 17 digits", py: "0.1+0.2", ts: 0.1 + 0.2, exact: true },
  { name: "5e-324", py: "5e-324", ts: 5e-324, exact: true },
  { name: "1e-07", py: "1e-07", ts: 1e-7, exact: true },
  {
    name: "max float",
    py: "1.7976931348623157e308",
    ts: 1.7976931348623157e308,
    send: float(1.7976931348623157e308),
    exact: true,
  },
  { name: "1e16", py: "1e16", ts: 1e16, send: float(1e16), exact: true },
  { name: "1e16 as int", py: "1e16", ts: 1e16, back: "10**16" },
  { name: "integral float", py: "123456789.0", ts: 123456789, send: float(123456789), exact: true },
  { name: "integral float as int", py: "3.0", ts: 3, back: "3" },
  { name: "-0.0", py: "-0.0", ts: -0, exact: true },
  {
    name: "many floats",
    py: "[i / 8 for i in range(-3000, 3000)] + [i / 1000 + 0.0001 for i in range(3000)] + [i * 1.1 for i in range(3000)] + [1 / 3, 2 / 3, 1e-5, 0.00015, 123456789.5, 999999999.9999, 1e9 + 0.5, 3e-20 * 7]",
    ts: FLOATS,
    send: FLOATS.map((x) => float(x)),
    exact: true,
  },
  { name: "inf", py: "float('inf')", ts: Infinity, exact: true },
  { name: "-inf", py: "float('-inf')", ts: -Infinity, exact: true },
  { name: "nan", py: "float('nan')", ts: NaN, exact: true },
  { name: "complex", py: "complex(1.5, -2.5)", ts: new PyComplex(1.5, -2.5), exact: true },
  { name: "complex j", py: "1j", ts: new PyComplex(0, 1), exact: true },
  {
    name: "complex inf",
    py: "complex(float('inf'), -1)",
    ts: new PyComplex(Infinity, -1),
    exact: true,
  },
  {
    name: "complex -0.0 imag",
    py: "complex(-1.5, -0.0)",
    check: (v) => {
      expect(v).toBeInstanceOf(PyComplex);
      expect((v as PyComplex).real).toBe(-1.5);
      expect(Object.is((v as PyComplex).imag, -0)).toBe(true);
    },
    // Python cannot read its own `+-0.0j`; we write `-0.0j`, which reads as +0.0.
    back: "complex(-1.5, 0.0)",
  },
  { name: "str", py: "'plain'", ts: "plain", exact: true },
  { name: "str empty", py: "''", ts: "", exact: true },
  { name: "str quote", py: `"it's"`, ts: "it's", exact: true },
  { name: "str dquote", py: `'say "hi"'`, ts: 'say "hi"', exact: true },
  {
    name: "str mixed",
    py: String.raw`'héllo € 😀 \'q\' "dq" \\ \n\t\x01'`,
    ts: "héllo € 😀 'q' \"dq\" \\ \n\t\x01",
    exact: true,
  },
  {
    name: "str astral",
    py: String.raw`'\U0001F600\U0001D11E\U000e0001 \U00010000'`,
    ts: "😀𝄞\u{e0001} \u{10000}",
    exact: true,
  },
  {
    name: "str escapes",
    py: String.raw`'\x00\x07\x08\x0b\x0c\x1b\x7f\x80\x9f\xa0\xad\u2028\u2029\u200b\ufeff\u0378\ue000'`,
    ts: "\x00\x07\x08\x0b\x0c\x1b\x7f\x80\x9f\xa0\xad\u2028\u2029\u200b\ufeff\u0378\ue000",
    exact: true,
  },
  {
    name: "str lone surrogates",
    py: String.raw`'a\ud800b\udfff'`,
    ts: "a\ud800b\udfff",
    exact: true,
  },
  { name: "str long ascii", py: `'abc "q" ~ ' * 500`, ts: 'abc "q" ~ '.repeat(500), exact: true },
  { name: "str long quote", py: `"it's " * 100`, ts: "it's ".repeat(100), exact: true },
  { name: "str long", py: "'x' * 10000 + 'é'", ts: "x".repeat(10000) + "é", exact: true },
  {
    name: "bytes",
    py: String.raw`b'\x00\x01\x02\xff'`,
    ts: new Uint8Array([0, 1, 2, 255]),
    exact: true,
  },
  { name: "bytes empty", py: "b''", ts: new Uint8Array(0), exact: true },
  {
    name: "bytearray",
    py: "bytearray(b'abc')",
    ts: new TextEncoder().encode("abc"),
    back: "b'abc'",
    exact: true,
  },
  {
    name: "bytes large",
    py: "bytes(range(256)) * 400",
    ts: new Uint8Array(102400).map((_, i) => i & 255),
    exact: true,
  },
  { name: "tuple", py: "(1, 'two', 3.5)", ts: [1, "two", 3.5], back: "[1, 'two', 3.5]" },
  { name: "tuple one", py: "(1,)", ts: [1], back: "[1]" },
  { name: "tuple empty", py: "()", ts: [], back: "[]" },
  { name: "list", py: "[1, [2, [3, []]]]", ts: [1, [2, [3, []]]], exact: true },
  { name: "set", py: "{1, 2, 3}", ts: new Set([1, 2, 3]) },
  { name: "set of str", py: "{'a', 'b'}", ts: new Set(["a", "b"]) },
  { name: "frozenset", py: "frozenset({'a'})", ts: new Set(["a"]), back: "{'a'}", exact: true },
  { name: "set empty", py: "set()", ts: [], back: "[]" },
  {
    name: "dict",
    py: "{'a': 1, 'b': [2], 'c': {'d': None}}",
    ts: { a: 1, b: [2], c: { d: null } },
    exact: true,
  },
  { name: "dict empty", py: "{}", ts: {}, exact: true },
  {
    name: "dict __proto__",
    py: "{'__proto__': {'polluted': 1}}",
    check: (v) => expect(Object.hasOwn(v as object, "__proto__")).toBe(true),
    exact: true,
  },
  {
    name: "dict int keys",
    py: "{1: 'one', 2: 'two'}",
    ts: new Map([
      [1, "one"],
      [2, "two"],
    ]),
    exact: true,
  },
  {
    name: "dict tuple key",
    py: "{(1, 2): 't', (3, ('x',)): 'u'}",
    ts: new Map<unknown, unknown>([
      [[1, 2], "t"],
      [[3, ["x"]], "u"],
    ]),
    exact: true,
  },
  {
    name: "dict mixed keys",
    py: "{'b': 1, 2: 'two', 2.5: 'c', True: 't', (1, 'x'): 'f', 2**70: 'big', -1: 'neg'}",
    ts: new Map<unknown, unknown>([
      ["b", 1],
      [2, "two"],
      [2.5, "c"],
      [true, "t"],
      [[1, "x"], "f"],
      [2n ** 70n, "big"],
      [-1, "neg"],
    ]),
    exact: true,
  },
  {
    name: "nested",
    py: "{'a': [{'b': (1, {2})}], 'c': ({'d': b'x'},)}",
    ts: { a: [{ b: [1, new Set([2])] }], c: [{ d: new Uint8Array([120]) }] },
    back: "{'a': [{'b': [1, {2}]}], 'c': [{'d': b'x'}]}",
  },
  { name: "deep", py: "eval('[' * 150 + ']' * 150)", ts: nest(150), exact: true },
  { name: "list 10k", py: "list(range(10000))", ts: range(10000), exact: true },
  {
    name: "list 10k str",
    py: "['item-%d' % i for i in range(10000)]",
    ts: range(10000).map((i) => `item-${i}`),
    exact: true,
  },
  {
    name: "dict 10k",
    py: "{'k%05d' % i: [i, i / 4, 'v'] for i in range(10000)}",
    ts: Object.fromEntries(
      range(10000).map((i) => [`k${String(i).padStart(5, "0")}`, [i, i / 4, "v"]]),
    ),
    back: "{'k%05d' % i: [i, i / 4 if i % 4 else i // 4, 'v'] for i in range(10000)}",
  },
  {
    name: "dict 10k int keys",
    py: "{i: str(i) for i in range(10000)}",
    ts: new Map(range(10000).map((i) => [i, String(i)])),
    exact: true,
  },
  { name: "set 10k", py: "set(range(10000))", ts: new Set(range(10000)) },
  {
    name: "exception",
    py: "ValueError('bad value', 42)",
    check: (v) => {
      expect(v).toBeInstanceOf(PyroError);
      const error = v as PyroError;
      expect(error.code).toBe("remote");
      expect(error.remote).toEqual({
        type: "builtins.ValueError",
        args: ["bad value", 42],
        attributes: {},
        traceback: null,
      });
    },
  },
  {
    name: "pyro exception",
    py: "Pyro4.errors.NamingError('unknown name: x')",
    check: (v) => {
      expect(v).toBeInstanceOf(PyroError);
      expect((v as PyroError).code).toBe("naming");
      expect((v as PyroError).message).toMatch(/unknown name: x/);
    },
  },
  {
    name: "uri",
    py: "Pyro4.core.URI('PYRO:obj@127.0.0.1:9999')",
    check: (v) => {
      expect(v).toBeInstanceOf(URI);
      expect(String(v)).toBe("PYRO:obj@127.0.0.1:9999");
    },
  },
  {
    name: "unknown class dict",
    py: "{'__class__': 'app.Thing', 'a': 1}",
    ts: { __class__: "app.Thing", a: 1 },
    // A Python daemon refuses unknown class dicts, so only check the text.
    back: "RAW",
    exact: true,
  },
];

function nest(depth: number): unknown[] {
  let value: unknown[] = [];
  for (let i = 1; i < depth; i++) value = [value];
  return value;
}

const PRELUDE = String.raw`
import ast, base64, json, math, sys
import Pyro4, Pyro4.core, Pyro4.errors, Pyro4.util, serpent
`;

/** Python dumps every case (as Pyro4 does) and prints {name: base64}. */
const DUMP_SCRIPT =
  PRELUDE +
  String.raw`
cases = json.load(sys.stdin)
out = {}
for case in cases:
    out[case["name"]] = base64.b64encode(serpent.dumps(eval(case["py"]), module_in_classname=True)).decode()
print(json.dumps(out))
`;

/** Python reads what we dumped three ways and prints {name: "ok" or why not}. */
const CHECK_SCRIPT =
  PRELUDE +
  String.raw`
def same(a, b):
    if isinstance(b, float) and math.isnan(b):
        return isinstance(a, float) and math.isnan(a)
    if isinstance(b, (bytes, bytearray)) and isinstance(a, dict):
        return serpent.tobytes(a) == b
    if isinstance(b, BaseException):
        return type(a) is type(b) and a.args == b.args
    if isinstance(b, Pyro4.core.URI):
        return isinstance(a, Pyro4.core.URI) and str(a) == str(b)
    if type(a) is not type(b):
        return False
    if isinstance(b, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if isinstance(b, complex):
        return same(a.real, b.real) and same(a.imag, b.imag)
    if isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in b)
    return a == b

data = json.load(sys.stdin)
pyro = Pyro4.util.SerpentSerializer()
verdicts = {}
for case in data["cases"]:
    name = case["name"]
    raw = base64.b64decode(data["payloads"][name])
    try:
        literal = ast.literal_eval(raw.decode("utf-8"))
        plain = serpent.loads(raw)
        if case.get("back") == "RAW":
            ok = same(plain, eval(case["py"])) and same(literal, plain)
            verdicts[name] = "ok" if ok else "mismatch: " + repr(plain)[:300]
            continue
        value = pyro.loads(raw)
        expected = eval(case.get("back") or case["py"])
        verdicts[name] = "ok" if same(value, expected) else "mismatch: " + repr(value)[:300]
    except Exception as e:
        verdicts[name] = "error: %s: %s" % (type(e).__name__, str(e)[:300])
print(json.dumps(verdicts))
`;

/** With Pyro4's class hooks (URIs, errors), as a proxy's serializer has them. */
const serpent = new SerpentSerializer(pyro4.dialect.createRegistry());
const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, "base64"));
const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

let pythonDumps: Record<string, string> = {};
const loaded = new Map<string, unknown>();

beforeAll(() => {
  const cases = CASES.map(({ name, py }) => ({ name, py }));
  pythonDumps = JSON.parse(runPython(DUMP_SCRIPT, { input: JSON.stringify(cases) })) as Record<
    string,
    string
  >;
});

describe("serpent conformance: Python dumps, we load", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const payload = pythonDumps[c.name];
      expect(payload).toBeDefined();
      const value = serpent.loads(fromBase64(payload as string));
      loaded.set(c.name, value);
      if (c.check) c.check(value);
      else expect(value).toEqual(c.ts);
    });
  }
});

describe("serpent conformance: we dump, Python loads", () => {
  let verdicts: Record<string, string> = {};
  const ours = new Map<string, Uint8Array>();

  beforeAll(() => {
    const payloads: Record<string, string> = {};
    for (const c of CASES) {
      const value = c.send ?? (loaded.has(c.name) ? loaded.get(c.name) : c.ts);
      const bytes = serpent.dumps(value);
      ours.set(c.name, bytes);
      payloads[c.name] = toBase64(bytes);
    }
    const input = JSON.stringify({
      cases: CASES.map(({ name, py, back }) => ({ name, py, back })),
      payloads,
    });
    verdicts = JSON.parse(runPython(CHECK_SCRIPT, { input })) as Record<string, string>;
  });

  it("every case reads back to the expected Python value (Pyro, serpent.loads, ast.literal_eval)", () => {
    expect(verdicts).toEqual(Object.fromEntries(CASES.map((c) => [c.name, "ok"])));
  });

  it("writes the same bytes as Python's serpent where the value allows", () => {
    const exact = CASES.filter((c) => c.exact);
    expect(exact.length).toBeGreaterThan(40);
    const differing = exact.filter(
      (c) => toBase64(ours.get(c.name) as Uint8Array) !== pythonDumps[c.name],
    );
    expect(differing.map((c) => c.name)).toEqual([]);
  });
});
