/**
 * Integers at every width the encoders and decoders treat apart (int32, the 2^32 and 10^9
 * splits, marshal's 15-bit digits, 2^53, 64 bits), both ways against Python's own
 * serializers: safe integers are written without `String` or BigInt, and read back without
 * BigInt, so their edges are where a digit could slip.
 */
import { describe, expect, it } from "vitest";
import { createSerializer } from "../../src/runtime/serializers/index.js";
import { runPython } from "../harness/python.js";

const SERIALIZERS = ["json", "serpent", "marshal", "msgpack"] as const;

function edges(): bigint[] {
  const magnitudes = new Set<bigint>([0n, 1n, 7n, 99n, 100n, 123456789n]);
  for (const bits of [7, 8, 15, 16, 30, 31, 32, 33, 45, 46, 52, 53, 54, 60, 63, 64, 65, 90]) {
    const power = 2n ** BigInt(bits);
    for (const near of [power - 1n, power, power + 1n]) magnitudes.add(near);
  }
  for (let digits = 1; digits <= 20; digits++) {
    const power = 10n ** BigInt(digits);
    for (const near of [power - 1n, power, power + 1n]) magnitudes.add(near);
  }
  // Safe integers just below a multiple of 10^9 (where the decimal writer splits them), and
  // a spread of others.
  for (let k = 1n; k <= 9007199n; k += 1000003n) magnitudes.add(k * 1_000_000_000n - 1n);
  for (let k = 1n; k < 40n; k++) magnitudes.add((2n ** 53n / 40n) * k + k * k);
  return [...magnitudes].flatMap((m) => (m === 0n ? [m] : [m, -m]));
}

/** As the decoders give an int: a number when safe, else a BigInt. */
function asDecoded(value: bigint): number | bigint {
  return value >= -(2n ** 53n - 1n) && value <= 2n ** 53n - 1n ? Number(value) : value;
}

describe("integers against Python's serializers", () => {
  const all = edges();
  // msgpack carries 64-bit ints natively; beyond that, Pyro's own ext type.
  const within64 = all.filter((v) => v >= -(2n ** 63n) && v < 2n ** 64n);
  const listFor = (name: string): bigint[] => (name === "msgpack" ? within64 : all);
  const ours = Object.fromEntries(
    SERIALIZERS.map((name) => [
      name,
      Buffer.from(createSerializer(name).dumps(listFor(name).map(asDecoded))).toString("hex"),
    ]),
  );
  const python = JSON.parse(
    runPython(
      [
        "import json, marshal, msgpack, serpent, sys",
        "given = json.load(sys.stdin)",
        "lists = {name: [int(text) for text in texts] for name, texts in given['values'].items()}",
        "dumps = {'json': lambda v: json.dumps(v).encode(), 'serpent': serpent.dumps,",
        "         'marshal': marshal.dumps, 'msgpack': msgpack.packb}",
        "loads = {'json': json.loads, 'serpent': serpent.loads, 'marshal': marshal.loads,",
        "         'msgpack': msgpack.unpackb}",
        "print(json.dumps({name: {",
        "  'bytes': dumps[name](lists[name]).hex(),",
        "  'reads_ours': loads[name](bytes.fromhex(given['ours'][name])) == lists[name],",
        "} for name in lists}))",
      ].join("\n"),
      {
        input: JSON.stringify({
          values: Object.fromEntries(SERIALIZERS.map((name) => [name, listFor(name).map(String)])),
          ours,
        }),
      },
    ),
  ) as Record<string, { bytes: string; reads_ours: boolean }>;

  it("has edges on both sides of 2^53 and of 64 bits", () => {
    expect(all.length).toBeGreaterThan(200);
    expect(all.some((v) => typeof asDecoded(v) === "bigint")).toBe(true);
    expect(within64.length).toBeLessThan(all.length);
  });

  it.each(SERIALIZERS)("%s: Python reads pyrogen's integers back exactly", (name) => {
    expect(python[name]!.reads_ours).toBe(true);
  });

  it.each(["json", "serpent", "msgpack"] as const)(
    "%s: pyrogen writes integers byte for byte as Python does",
    (name) => {
      expect(ours[name]).toBe(python[name]!.bytes);
    },
  );

  it.each(SERIALIZERS)("%s: pyrogen reads Python's integers back exactly", (name) => {
    const decoded = createSerializer(name).loads(Buffer.from(python[name]!.bytes, "hex"));
    expect(decoded).toEqual(listFor(name).map(asDecoded));
  });
});
