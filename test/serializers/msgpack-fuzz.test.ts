import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PyroError } from "../../src/runtime/errors.js";
import { MsgpackSerializer } from "../../src/runtime/serializers/msgpack.js";
import { runPython } from "../harness/python.js";
import { difference } from "./compare.js";
import { expectedBack, fuzzDecoder, prototypeIsClean, sendable } from "./fuzz-support.js";

const msgpack = new MsgpackSerializer();
const values = sendable({ loneSurrogates: false, binary: true, anyKeys: false });

/** Head bytes of every msgpack format family. */
const HEADS = [
  0x00,
  0x7f,
  0x80,
  0x8f,
  0x90,
  0x9f,
  0xa0,
  0xbf,
  0xe0,
  ...Array.from({ length: 32 }, (_, i) => 0xc0 + i),
];

/** Payloads Python's msgpack wrote via Pyro4: ext types, int keys, uint64, class dicts. */
function pythonSeeds(): Uint8Array[] {
  const lines = runPython(
    "import datetime, Pyro4.util as u\n" +
      "s = u.get_serializer('msgpack')\n" +
      "values = [[2**64-1, -2**63, 2**100, 1.5, complex(1.5, -2.5), datetime.datetime(2023, 4, 5, 6, 7, 8), datetime.date(2023, 4, 5)]," +
      " {1: 'one', 2: [b'\\x00\\xff']}, 'é😀' * 20, ValueError('bad', 42), [[[[]]]], {'k': {'k': [None, True, False]}}]\n" +
      "for v in values: print(s.dumps(v).hex())\n" +
      "print(s.dumpsCall('obj', 'm', [1, 'a'], {'k': [2]}).hex())",
  );
  return lines
    .trim()
    .split("\n")
    .map((hex) => new Uint8Array(Buffer.from(hex, "hex")));
}

describe("msgpack fuzz", () => {
  it("round-trips generated values through dumps and loads", () => {
    fc.assert(
      fc.property(values, (value) => {
        expect(
          difference(msgpack.loads(msgpack.dumps(value)), expectedBack(value, "msgpack")),
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
        .map((value) => msgpack.dumps(value))
        .filter((payload) => payload.length <= 400),
    ];
    const stats = fuzzDecoder(
      msgpack,
      { random: 30_000, mutated: 65_000, seeds, leadBytes: HEADS },
      6,
    );
    expect(stats.cases).toBeGreaterThanOrEqual(100_000);
    expect(stats.values).toBeGreaterThan(1000);
    expect(stats.errors).toBeGreaterThan(1000);
    expect(prototypeIsClean()).toBe(true);
  }, 60_000);

  it("fails fast on oversized length fields without allocating", () => {
    const cases = [0xc6, 0xc9, 0xdb, 0xdd, 0xdf].flatMap((head) => [
      Uint8Array.of(head, 0xff, 0xff, 0xff, 0xff, 0x31),
      Uint8Array.of(head, 0x7f, 0xff, 0xff, 0xff),
      Uint8Array.of(0x91, head, 0x80, 0, 0, 0),
    ]);
    for (const data of cases) {
      let thrown: unknown;
      try {
        msgpack.loads(data);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(PyroError);
      expect((thrown as PyroError).code).toBe("serialize");
      expect((thrown as PyroError).message).toMatch(/needs \d+ bytes/);
    }
  });
});
