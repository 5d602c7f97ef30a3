import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PyroError } from "../../src/runtime/errors.js";
import { MarshalSerializer } from "../../src/runtime/serializers/marshal.js";
import { runPython } from "../harness/python.js";
import { difference } from "./compare.js";
import { expectedBack, fuzzDecoder, prototypeIsClean, sendable } from "./fuzz-support.js";

const marshal = new MarshalSerializer();
const values = sendable({ loneSurrogates: true, binary: true, anyKeys: true });

/** Every type code a decoder must know, with and without FLAG_REF. */
const TYPE_CODES = [..."0NFTS.iIlfgxysRtuaAzZ()[{<>rc"].flatMap((c) => [
  c.charCodeAt(0),
  c.charCodeAt(0) | 0x80,
]);

/** Payloads CPython's marshal wrote (via Pyro4's serializer): back-references, longs, sets. */
function pythonSeeds(): Uint8Array[] {
  const lines = runPython(
    "import Pyro4.util as u\n" +
      "s = u.get_serializer('marshal')\n" +
      "t = 'shared text'; tup = (1, 2)\n" +
      "values = [[t, t, tup, tup, 2**100, -2**70, 1.5, (1.5-2.5j)], {1: 'one', (1, 2): frozenset({'a'}), None: set()}," +
      " b'\\x00\\xff' * 3, 'é😀\\ud800', ValueError('bad', 42), [[[[]]]], {'k': {'k': [None, True, False]}}]\n" +
      "for v in values: print(s.dumps(v).hex())\n" +
      "print(s.dumpsCall('obj', 'm', [1, 'a'], {'k': [2]}).hex())",
  );
  return lines
    .trim()
    .split("\n")
    .map((hex) => new Uint8Array(Buffer.from(hex, "hex")));
}

describe("marshal fuzz", () => {
  it("round-trips generated values through dumps and loads", () => {
    fc.assert(
      fc.property(values, (value) => {
        expect(
          difference(marshal.loads(marshal.dumps(value)), expectedBack(value, "marshal")),
        ).toBeNull();
      }),
      { numRuns: 1500, seed: 20261125 },
    );
  });

  it("decodes 100k+ random, truncated and mutated inputs to a value or a serialize error", () => {
    const seeds = [
      ...pythonSeeds(),
      ...fc
        .sample(values, { numRuns: 120, seed: 7 })
        .map((value) => marshal.dumps(value))
        .filter((payload) => payload.length <= 400),
    ];
    const stats = fuzzDecoder(
      marshal,
      { random: 30_000, mutated: 65_000, seeds, leadBytes: TYPE_CODES },
      3,
    );
    expect(stats.cases).toBeGreaterThanOrEqual(100_000);
    expect(stats.values).toBeGreaterThan(1000);
    expect(stats.errors).toBeGreaterThan(1000);
    expect(prototypeIsClean()).toBe(true);
  }, 60_000);

  it("fails fast on oversized length fields without allocating", () => {
    const huge = [0xff, 0xff, 0xff, 0x7f];
    const cases = [0x73, 0x74, 0x75, 0x61, 0x41, 0x28, 0x5b, 0x3c, 0x3e, 0x6c].flatMap((code) => [
      Uint8Array.of(code, ...huge),
      Uint8Array.of(code | 0x80, ...huge, 0, 0),
      Uint8Array.of(0x5b, 1, 0, 0, 0, code, ...huge),
    ]);
    for (const data of cases) {
      let thrown: unknown;
      try {
        marshal.loads(data);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(PyroError);
      expect((thrown as PyroError).code).toBe("serialize");
      expect((thrown as PyroError).message).toMatch(/length|long of|bytes left/);
    }
  });
});
