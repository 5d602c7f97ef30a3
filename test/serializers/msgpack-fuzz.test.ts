import { describe, expect, it } from "vitest";
import { MsgpackSerializer } from "../../src/runtime/serializers/msgpack.js";
import { serializeError } from "./codec-helpers.js";
import { fuzzTests, pythonSeeds, sendable } from "./fuzz-support.js";

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
function msgpackSeeds(): Uint8Array[] {
  return pythonSeeds(
    "msgpack",
    "[[2**64-1, -2**63, 2**100, 1.5, complex(1.5, -2.5), datetime.datetime(2023, 4, 5, 6, 7, 8), datetime.date(2023, 4, 5)]," +
      " {1: 'one', 2: [b'\\x00\\xff']}, 'é😀' * 20, ValueError('bad', 42), [[[[]]]], {'k': {'k': [None, True, False]}}]",
  );
}

describe("msgpack fuzz", () => {
  fuzzTests(msgpack, values, {
    pythonSeeds: msgpackSeeds,
    decoder: { random: 30_000, mutated: 65_000, leadBytes: HEADS },
    seed: 6,
  });

  it("fails fast on oversized length fields without allocating", () => {
    const cases = [0xc6, 0xc9, 0xdb, 0xdd, 0xdf].flatMap((head) => [
      Uint8Array.of(head, 0xff, 0xff, 0xff, 0xff, 0x31),
      Uint8Array.of(head, 0x7f, 0xff, 0xff, 0xff),
      Uint8Array.of(0x91, head, 0x80, 0, 0, 0),
    ]);
    for (const data of cases) {
      expect(serializeError(() => msgpack.loads(data)).message).toMatch(/needs \d+ bytes/);
    }
  });
});
