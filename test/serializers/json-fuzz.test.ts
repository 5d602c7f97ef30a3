import { describe, it } from "vitest";
import { JsonSerializer } from "../../src/runtime/serializers/json.js";
import { serializeError } from "./codec-helpers.js";
import { fuzzTests, pythonSeeds, sendable } from "./fuzz-support.js";

const json = new JsonSerializer();
const values = sendable({ loneSurrogates: true, binary: false, anyKeys: false });
const encoder = new TextEncoder();

/** Payloads Python's Pyro4 json serializer wrote: tokens, big ints, class dicts, unicode. */
function jsonSeeds(): Uint8Array[] {
  return pythonSeeds(
    "json",
    "[[float('nan'), float('inf'), -float('inf'), 2**100, -2**64, 0.1, -0.0, 1e300]," +
      " {'a': [1, {'b': None}], 'é😀': 'x\\n\\t\\x01\"\\\\'}, ValueError('bad', 42)," +
      " {'__class__': 'Pyro4.core.URI', 'state': ['PYRO', 'o', None, '::1', 1]}, [[[[]]]], 'plain']",
  );
}

/** JSON tokens that mutations may insert. */
const TOKENS = [
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

describe("json fuzz", () => {
  fuzzTests(json, values, {
    pythonSeeds: jsonSeeds,
    decoder: { random: 25_000, mutated: 70_000, tokens: TOKENS },
    seed: 1,
  });

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
      serializeError(() => json.loads(encoder.encode(text)));
    }
  });
});
