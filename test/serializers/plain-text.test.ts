/**
 * The check behind the json and serpent encoders' long-string paths: its WebAssembly routine
 * must answer as the plain loop does for every byte value, at every position a 16-byte block
 * or a 64 KiB chunk can put it, and the serializers must work where WebAssembly is off.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  JSON_ESCAPED,
  SERPENT_ESCAPED,
  escapedPositions,
  isPlain,
  loopPlain,
  scannerLoaded,
  type Escaped,
} from "../../src/runtime/serializers/plain-text.js";
import { JsonSerializer } from "../../src/runtime/serializers/json.js";
import { SerpentSerializer } from "../../src/runtime/serializers/serpent.js";

const CHUNK = 65536 - 16;
const FORMATS: [string, Escaped][] = [
  ["json", JSON_ESCAPED],
  ["serpent", SERPENT_ESCAPED],
];

/** Every byte value, split by what the format escapes. */
function byteClasses(escaped: Escaped): { special: number[]; plain: number[] } {
  const all = Array.from({ length: 256 }, (_, i) => i);
  const isSpecial = (c: number): boolean =>
    c < 0x20 || c > escaped.top || c === escaped.quote || c === 0x5c;
  return { special: all.filter(isSpecial), plain: all.filter((c) => !isSpecial(c)) };
}

describe.each(FORMATS)("isPlain for %s", (_name, escaped) => {
  const { special, plain } = byteClasses(escaped);

  it("runs the WebAssembly routine on this Node", () => {
    expect(scannerLoaded()).toBe(true);
  });

  it("finds every escaped byte at the edges of blocks and chunks, and passes every other", () => {
    for (const length of [
      79,
      80,
      81,
      95,
      96,
      97,
      4096,
      CHUNK - 1,
      CHUNK,
      CHUNK + 1,
      2 * CHUNK + 7,
    ]) {
      const bytes = Uint8Array.from({ length }, (_, i) => plain[i % plain.length]!);
      expect(isPlain(bytes, escaped), `plain, ${length} bytes`).toBe(true);
      const positions = [0, 1, 15, 16, 17, length - 17, length - 16, length - 2, length - 1];
      if (length > CHUNK) positions.push(CHUNK - 1, CHUNK, CHUNK + 1, length - CHUNK);
      for (const at of positions.filter((at) => at >= 0 && at < length)) {
        const kept = bytes[at]!;
        for (const c of special) {
          bytes[at] = c;
          expect(isPlain(bytes, escaped), `0x${c.toString(16)} at ${at} of ${length}`).toBe(false);
        }
        bytes[at] = kept;
      }
      expect(isPlain(bytes, escaped), `restored, ${length} bytes`).toBe(true);
    }
  });

  it("agrees with the loop on random bytes, views into larger buffers included", () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24;
    const pick = (from: number[]): number => from[Math.floor(random() * from.length)]!;
    for (let round = 0; round < 400; round++) {
      const length = Math.floor(random() * 700);
      const whole = new Uint8Array(length + 40);
      // Mostly plain bytes, an escaped one now and then, so both answers occur.
      for (let i = 0; i < whole.length; i++)
        whole[i] = random() < 0.002 ? pick(special) : pick(plain);
      const view = whole.subarray(20, 20 + length);
      expect(isPlain(view, escaped), `round ${round}, ${length} bytes`).toBe(
        loopPlain(view, escaped),
      );
    }
  });
});

describe.each(FORMATS)("escapedPositions for %s", (_name, escaped) => {
  const { special, plain } = byteClasses(escaped);

  it("lists every escaped byte in order, across chunks", () => {
    for (const length of [10, 100, 4096, CHUNK + 100, 2 * CHUNK + 7]) {
      const bytes = Uint8Array.from({ length }, (_, i) => plain[i % plain.length]!);
      const positions: number[] = [];
      for (let at = 3; at < length - 2; at += 40 + ((at * 7919) % 997)) {
        bytes[at] = special[at % special.length]!;
        positions.push(at);
      }
      // Two in a row, the last one the last byte.
      bytes[length - 2] = special[0]!;
      bytes[length - 1] = special[special.length - 1]!;
      positions.push(length - 2, length - 1);
      expect(escapedPositions(bytes, escaped, 4), `${length} bytes`).toEqual(positions);
    }
    expect(escapedPositions(new Uint8Array(200).fill(plain[0]!), escaped, 32)).toEqual([]);
  });

  it("gives up once escaped bytes are denser than one in `sparsity`, a few early ones aside", () => {
    for (const length of [60, 1000, CHUNK + 1000]) {
      const every = (gap: number): Uint8Array =>
        Uint8Array.from({ length }, (_, i) => (i % gap === gap - 1 ? special[0]! : plain[0]!));
      expect(escapedPositions(every(40), escaped, 32), `1 in 40, ${length} bytes`).toBeDefined();
      const dense = escapedPositions(every(20), escaped, 32);
      expect(dense, `1 in 20, ${length} bytes`).toEqual(
        length < 20 * 9 ? Array.from({ length: length / 20 }, (_, k) => 20 * k + 19) : undefined,
      );
    }
  });
});

describe("the json and serpent serializers without WebAssembly (node --jitless)", () => {
  it("write and read long strings, plain and escaped, as with it", () => {
    const texts = [
      "x".repeat(10240),
      "a".repeat(300) + "\"'\n\u0001\\" + "é".repeat(300),
      `${"a plain line of words that goes on for quite a while, seventy chars\n".repeat(300)}it's "x"`,
    ];
    const script = [
      'const { JsonSerializer } = await import("./src/runtime/serializers/json.ts");',
      'const { SerpentSerializer } = await import("./src/runtime/serializers/serpent.ts");',
      'const { scannerLoaded } = await import("./src/runtime/serializers/plain-text.ts");',
      `const texts = ${JSON.stringify(texts)};`,
      "const out = { loaded: scannerLoaded() };",
      "for (const [name, codec] of [['json', new JsonSerializer()], ['serpent', new SerpentSerializer()]]) {",
      "  out[name] = texts.map((t) => [Buffer.from(codec.dumps(t)).toString('hex'), codec.loads(codec.dumps(t)) === t]);",
      "}",
      "console.log(JSON.stringify(out));",
    ].join("\n");
    const output = execFileSync(
      process.execPath,
      ["--jitless", "--import", "tsx", "--input-type=module", "-e", script],
      { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
    );
    const result = JSON.parse(output) as Record<"json" | "serpent", [string, boolean][]> & {
      loaded: boolean;
    };
    expect(result.loaded).toBe(false);
    for (const [name, codec] of [
      ["json", new JsonSerializer()],
      ["serpent", new SerpentSerializer()],
    ] as const) {
      expect(result[name], name).toEqual(
        texts.map((text) => [Buffer.from(codec.dumps(text)).toString("hex"), true]),
      );
    }
  });
});
