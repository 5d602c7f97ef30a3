/**
 * Property tests of the serpent serializer: round trips over the value mapping's domain, and
 * a decoder fuzz (random, truncated, mutated and deeply nested input) where every case must
 * end in a value or a `serialize` PyroError — never another error, a hang, or a polluted
 * Object.prototype. Seeds are fixed so CI runs the same cases every time.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { PyroError } from "../../src/runtime/errors.js";
import { SerpentSerializer } from "../../src/runtime/serializers/serpent.js";
import {
  PyComplex,
  PyFloat,
  PyTuple,
  intFromBigInt,
  isPlainObject,
  setDictEntry,
} from "../../src/runtime/values.js";
import { dumpsCall, loadsCall } from "./codec-helpers.js";

const serpent = new SerpentSerializer();
const encoder = new TextEncoder();
const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();

// ---------------------------------------------------------------- the mapping's domain

/** Any UTF-16 code unit (lone surrogates included), astral characters and tricky ones. */
const char = fc.oneof(
  fc.constantFrom(
    "'",
    '"',
    "\\",
    "\n",
    "\r",
    "\t",
    "\0",
    "\x7f",
    "\x80",
    "\xa0",
    "\u2028",
    "é",
    "😀",
  ),
  fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)),
);
const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: char, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: char, minLength: 30, maxLength: 90 }) },
);
const bigBeyondSafe = fc.oneof(
  fc.bigInt({ min: 2n ** 53n, max: 2n ** 200n }),
  fc.bigInt({ min: -(2n ** 200n), max: -(2n ** 53n) }),
);
const int = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.constantFrom(0, -1, 2 ** 31, -(2 ** 31)),
);
const double = fc.double();
const complexPart = fc.double({ noNaN: true });

/** Values that can be dict keys or set elements. */
const key: fc.Arbitrary<unknown> = fc.letrec<{ key: unknown }>((tie) => ({
  key: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    text.filter((k) => k !== "__class__"),
    int,
    fc.double({ noNaN: true }),
    bigBeyondSafe,
    fc.boolean(),
    fc.array(tie("key"), { maxLength: 3 }),
  ),
})).key;

const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(null, undefined, true, false),
    int,
    double,
    bigBeyondSafe,
    text,
    fc.uint8Array({ maxLength: 12 }),
    double.map((x) => new PyFloat(x)),
    fc.tuple(complexPart, complexPart).map(([re, im]) => new PyComplex(re, im)),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.array(tie("value"), { maxLength: 3 }).map((items) => new PyTuple(items)),
    fc
      .array(fc.tuple(text, tie("value")), { maxLength: 4 })
      .map((entries) =>
        plainObject(entries.filter(([k]) => k !== "__class__" && k !== "__proto__")),
      ),
    fc.array(fc.tuple(key, tie("value")), { maxLength: 3 }).map((entries) => new Map(entries)),
    fc.array(key, { maxLength: 3 }).map((items) => new Set(items)),
  ),
}));

function plainObject(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [k, v] of entries) setDictEntry(result, k, v);
  return result;
}

/** What `loads(dumps(v))` must give for `v` under the value mapping. */
function expected(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === "number") return Number.isInteger(v) && !Number.isSafeInteger(v) ? BigInt(v) : v;
  if (typeof v === "bigint") return intFromBigInt(v);
  if (v instanceof PyFloat) return v.value;
  if (v instanceof PyTuple) return v.items.map(expected);
  if (Array.isArray(v)) return v.map(expected);
  if (v instanceof Set) return v.size === 0 ? [] : new Set([...v].map(expected));
  if (v instanceof Map) {
    const entries = [...v].map(([k, x]) => [expected(k), expected(x)] as const);
    if (entries.every(([k]) => typeof k === "string")) {
      return plainObject(entries as (readonly [string, unknown])[]);
    }
    return new Map(entries);
  }
  if (v instanceof PyComplex) {
    // Python's arithmetic for `(r+ij)`: a -0.0 real survives only a minus sign; imag -0.0 is +0.0.
    const minus = v.imag < 0 || Object.is(v.imag, -0);
    const real = Object.is(v.real, -0) && !minus ? 0 : v.real;
    return new PyComplex(real, Object.is(v.imag, -0) ? 0 : v.imag);
  }
  if (isPlainObject(v)) {
    return plainObject(Object.entries(v).map(([k, x]) => [k, expected(x)] as const));
  }
  return v;
}

describe("serpent round trips", () => {
  it("loads(dumps(v)) equals v under the value mapping", () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(serpent.loads(serpent.dumps(v))).toEqual(expected(v));
      }),
      { numRuns: 3000, seed: 1 },
    );
  });

  it("loadsCall(dumpsCall(call)) equals the call", () => {
    const call = fc.record({
      objectId: text,
      method: text,
      vargs: fc.array(value, { maxLength: 4 }),
      kwargs: fc.option(
        fc
          .array(fc.tuple(text, value), { maxLength: 3 })
          .map((entries) =>
            plainObject(entries.filter(([k]) => k !== "__class__" && k !== "__proto__")),
          ),
      ),
    });
    fc.assert(
      fc.property(call, (c) => {
        expect(loadsCall(serpent, dumpsCall(serpent, c))).toEqual({
          ...c,
          vargs: expected(c.vargs),
          kwargs: c.kwargs === null ? null : expected(c.kwargs),
        });
      }),
      { numRuns: 500, seed: 2 },
    );
  });
});

// ---------------------------------------------------------------- decoder fuzz

let decoded = 0;

/** One fuzz case: a value or a `serialize` PyroError, nothing else. */
function decodeOrRefuse(data: Uint8Array): void {
  decoded++;
  try {
    serpent.loads(data);
  } catch (error) {
    if (!(error instanceof PyroError) || error.code !== "serialize") throw error;
  }
}

const TOKENS = [
  "[",
  "]",
  "(",
  ")",
  "{",
  "}",
  ",",
  ":",
  "'",
  '"',
  "'''",
  '"""',
  "\\",
  " ",
  "\n",
  "\r\n",
  "#",
  "-",
  "+",
  ".",
  "0",
  "1",
  "7",
  "9",
  "00",
  "e",
  "E",
  "j",
  "x",
  "0x",
  "0o",
  "0b",
  "_",
  "None",
  "True",
  "False",
  "set()",
  "set",
  "b",
  "r",
  "u",
  "rb",
  "f",
  "é",
  "😀",
  "\\x",
  "\\x4",
  "\\u",
  "\\U",
  "\\N{",
  "\\0",
  "\\n",
  "1e30000",
  "1.5",
  "2j",
  "__proto__",
  "'__proto__'",
  "'__class__'",
  "'float'",
  "'nan'",
  "'value'",
  "'data'",
  "'encoding'",
  "'base64'",
  "'AA=='",
  "\0",
  "\t",
  "...",
  "\ud800",
];

/** Valid documents to truncate and mutate. */
const documents = value.map((v) => serpent.dumps(v));

function mutate(
  doc: Uint8Array,
  edits: readonly (readonly [number, number, number])[],
): Uint8Array {
  let bytes = Array.from(doc);
  for (const [kind, at, byte] of edits) {
    const i = bytes.length === 0 ? 0 : at % bytes.length;
    if (kind === 0 && bytes.length > 0) bytes[i] = (bytes[i] as number) ^ (1 << (byte & 7));
    else if (kind === 1) bytes.splice(i, 0, byte);
    else if (kind === 2) bytes.splice(i, 1);
    else bytes = bytes.concat(bytes.slice(i, i + (byte & 15)));
  }
  return new Uint8Array(bytes);
}

describe("serpent decoder fuzz", () => {
  afterAll(() => {
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_NAMES);
  });

  it("survives token soup", () => {
    const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 30 }).map((t) => t.join(""));
    fc.assert(
      fc.property(soup, (s) => decodeOrRefuse(encoder.encode(s))),
      { numRuns: 30_000, seed: 3 },
    );
  });

  it("survives random bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 48 }), decodeOrRefuse), {
      numRuns: 10_000,
      seed: 4,
    });
  });

  it("survives every truncation of valid documents", () => {
    fc.assert(
      fc.property(documents, (doc) => {
        const step = Math.max(1, Math.ceil(doc.length / 120));
        for (let end = 0; end < doc.length; end += step) decodeOrRefuse(doc.subarray(0, end));
      }),
      { numRuns: 600, seed: 5 },
    );
  });

  it("survives bit flips, byte insertions, deletions and duplications", () => {
    const edit = fc.tuple(
      fc.integer({ min: 0, max: 3 }),
      fc.nat(),
      fc.integer({ min: 0, max: 255 }),
    );
    fc.assert(
      fc.property(documents, fc.array(edit, { minLength: 1, maxLength: 4 }), (doc, edits) =>
        decodeOrRefuse(mutate(doc, edits)),
      ),
      { numRuns: 30_000, seed: 6 },
    );
  });

  it("survives deep nesting without overflowing the stack", () => {
    const opener = fc.constantFrom(
      "[",
      "(",
      "{",
      "-",
      "+",
      "{1:",
      "{'a':",
      "(1,",
      "[1,",
      "{(",
      "((",
      "'",
    );
    const deep = fc.tuple(
      fc.array(opener, { minLength: 900, maxLength: 3000 }),
      fc.constantFrom("", "1", "]", ")", "}"),
    );
    fc.assert(
      fc.property(deep, ([open, tail]) =>
        decodeOrRefuse(encoder.encode(open.join("") + tail.repeat(open.length))),
      ),
      { numRuns: 300, seed: 7 },
    );
    for (const n of [999, 1000, 1001, 5000, 100_000]) {
      for (const [open, close] of [
        ["[", "]"],
        ["(1,", ")"],
        ["{1:", "}"],
        ["(", ")"],
        ["{(", ")}"],
      ]) {
        decodeOrRefuse(
          encoder.encode((open as string).repeat(n) + "1" + (close as string).repeat(n)),
        );
      }
    }
  });

  it("never lets a __proto__ key reach Object.prototype", () => {
    const wrap = fc.constantFrom(
      (x: string) => `{'__proto__':${x}}`,
      (x: string) => `[{'__proto__':${x},'__proto__':${x}}]`,
      (x: string) => `{'a':{'__proto__':${x}},'__proto__':{'__proto__':${x}}}`,
      (x: string) => `{'__proto__':${x},1:2}`,
      (x: string) => `{'__class__':'x','__proto__':${x}}`,
      (x: string) => `{'__proto__':${x},'constructor':{'prototype':${x}}}`,
    );
    const payload = fc.oneof(
      fc.constant("{'polluted':1}"),
      fc.constant("{'polluted':1,'toString':None}"),
      documents.map((d) => new TextDecoder().decode(d).slice("# serpent utf-8 python3.2\n".length)),
    );
    fc.assert(
      fc.property(wrap, payload, (w, p) => {
        decodeOrRefuse(encoder.encode(w(p)));
        expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
      }),
      { numRuns: 2000, seed: 8 },
    );
    const value = serpent.loads(encoder.encode("{'__proto__':{'polluted':1}}")) as object;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, "__proto__")).toBe(true);
  });

  it("ran at least 100,000 decoder cases", () => {
    expect(decoded).toBeGreaterThanOrEqual(100_000);
  });
});
