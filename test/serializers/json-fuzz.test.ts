import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PyroError } from "../../src/runtime/errors.js";
import { JsonSerializer } from "../../src/runtime/serializers/json.js";
import { runPython } from "../harness/python.js";
import { difference } from "./compare.js";
import { expectedBack, fuzzDecoder, prototypeIsClean, sendable } from "./fuzz-support.js";

const json = new JsonSerializer();
const values = sendable({ loneSurrogates: true, binary: false, anyKeys: false });
const encoder = new TextEncoder();

/** Payloads Python's Pyro4 json serializer wrote: tokens, big ints, class dicts, unicode. */
function pythonSeeds(): Uint8Array[] {
  const lines = runPython(
    "import Pyro4.util as u\n" +
      "s = u.get_serializer('json')\n" +
      "values = [[float('nan'), float('inf'), -float('inf'), 2**100, -2**64, 0.1, -0.0, 1e300]," +
      " {'a': [1, {'b': None}], 'é😀': 'x\\n\\t\\x01\"\\\\'}, ValueError('bad', 42)," +
      " {'__class__': 'Pyro4.core.URI', 'state': ['PYRO', 'o', None, '::1', 1]}, [[[[]]]], 'plain']\n" +
      "for v in values: print(s.dumps(v).hex())\n" +
      "print(s.dumpsCall('obj', 'm', [1, 'a'], {'k': [2]}).hex())",
  );
  return lines
    .trim()
    .split("\n")
    .map((hex) => new Uint8Array(Buffer.from(hex, "hex")));
}

describe("json fuzz", () => {
  it("round-trips generated values through dumps and loads", () => {
    fc.assert(
      fc.property(values, (value) => {
        expect(difference(json.loads(json.dumps(value)), expectedBack(value, "json"))).toBeNull();
      }),
      { numRuns: 1500, seed: 20261125 },
    );
  });

  it("decodes 100k+ random, truncated and mutated inputs to a value or a serialize error", () => {
    const seeds = [
      ...pythonSeeds(),
      ...fc
        .sample(values, { numRuns: 120, seed: 7 })
        .map((value) => json.dumps(value))
        .filter((payload) => payload.length <= 400),
    ];
    const tokens = [
      "[",
      "]",
      "{",
      "}",
      '"',
      "\\",
      "\\u",
      ",",
      ":",
      "NaN",
      "-Infinity",
      "1e",
      "-",
      "0.",
      "99999999999999999",
      '"__class__"',
      '"__proto__"',
      "\u00e9",
      "\ud800",
    ].map((token) => encoder.encode(token));
    const stats = fuzzDecoder(json, { random: 25_000, mutated: 70_000, seeds, tokens }, 1);
    expect(stats.cases).toBeGreaterThanOrEqual(100_000);
    expect(stats.values).toBeGreaterThan(1000);
    expect(stats.errors).toBeGreaterThan(1000);
    expect(prototypeIsClean()).toBe(true);
  }, 60_000);

  it("fails fast and cleanly on huge hostile documents", () => {
    const hostile = [
      "[".repeat(1_000_000),
      '{"a":'.repeat(300_000),
      `"${"x".repeat(2_000_000)}`,
      `[${"1".repeat(100_000)}]`,
      `[${"1,".repeat(500_000)}`,
      `${"[".repeat(5000)}NaN`,
    ];
    for (const text of hostile) {
      let thrown: unknown;
      try {
        json.loads(encoder.encode(text));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(PyroError);
      expect((thrown as PyroError).code).toBe("serialize");
    }
  });
});
