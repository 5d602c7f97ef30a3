import { describe, expect, it } from "vitest";
import { MarshalSerializer } from "../../src/runtime/serializers/marshal.js";
import { serializeError } from "./codec-helpers.js";
import { fuzzTests, pythonSeeds, sendable } from "./fuzz-support.js";

const marshal = new MarshalSerializer();
const values = sendable({ loneSurrogates: true, binary: true, anyKeys: true });

/** Every type code a decoder must know, with and without FLAG_REF. */
const TYPE_CODES = [..."0NFTS.iIlfgxysRtuaAzZ()[{<>rc"].flatMap((c) => [
  c.charCodeAt(0),
  c.charCodeAt(0) | 0x80,
]);

/** Payloads CPython's marshal wrote (via Pyro4's serializer): back-references, longs, sets. */
function marshalSeeds(): Uint8Array[] {
  return pythonSeeds(
    "marshal",
    "[[t, t, tup, tup, 2**100, -2**70, 1.5, (1.5-2.5j)], {1: 'one', (1, 2): frozenset({'a'}), None: set()}," +
      " b'\\x00\\xff' * 3, 'é😀\\ud800', ValueError('bad', 42), [[[[]]]], {'k': {'k': [None, True, False]}}]",
    "t = 'shared text'; tup = (1, 2)\n",
  );
}

describe("marshal fuzz", () => {
  fuzzTests(marshal, values, {
    pythonSeeds: marshalSeeds,
    decoder: { random: 30_000, mutated: 65_000, leadBytes: TYPE_CODES },
    seed: 3,
  });

  it("fails fast on oversized length fields without allocating", () => {
    const huge = [0xff, 0xff, 0xff, 0x7f];
    const cases = [0x73, 0x74, 0x75, 0x61, 0x41, 0x28, 0x5b, 0x3c, 0x3e, 0x6c].flatMap((code) => [
      Uint8Array.of(code, ...huge),
      Uint8Array.of(code | 0x80, ...huge, 0, 0),
      Uint8Array.of(0x5b, 1, 0, 0, 0, code, ...huge),
    ]);
    for (const data of cases) {
      expect(serializeError(() => marshal.loads(data)).message).toMatch(
        /length|long of|bytes left/,
      );
    }
  });
});
