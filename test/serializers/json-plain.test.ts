/**
 * The check behind the json serializer's long-string paths: its WebAssembly routine must
 * answer as the plain loop does for every byte value, at every position a 16-byte block or a
 * 64 KiB chunk can put it, and the serializer must work where WebAssembly is off.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { isJsonPlain, loopPlain, scannerLoaded } from "../../src/runtime/serializers/json-plain.js";

/** Bytes JSON must escape inside a string. */
const SPECIAL = [...Array.from({ length: 0x20 }, (_, i) => i), 0x22, 0x5c];
/** Bytes it need not: the edges of the special ranges, and UTF-8's high bytes. */
const PLAIN = [0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7f, 0x80, 0xc3, 0xe2, 0xff];
const CHUNK = 65536 - 16;

function filled(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = PLAIN[i % PLAIN.length]!;
  return bytes;
}

describe("isJsonPlain", () => {
  it("runs the WebAssembly routine on this Node", () => {
    expect(scannerLoaded()).toBe(true);
  });

  it("finds every special byte at the edges of blocks and chunks, and passes every other", () => {
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
      const positions = [0, 1, 15, 16, 17, length - 17, length - 16, length - 2, length - 1];
      if (length > CHUNK) positions.push(CHUNK - 1, CHUNK, CHUNK + 1, length - CHUNK);
      const bytes = filled(length);
      expect(isJsonPlain(bytes), `plain, ${length} bytes`).toBe(true);
      for (const at of positions.filter((at) => at >= 0 && at < length)) {
        for (const special of SPECIAL) {
          bytes[at] = special;
          expect(isJsonPlain(bytes), `0x${special.toString(16)} at ${at} of ${length}`).toBe(false);
        }
        bytes[at] = 0x41;
      }
      expect(isJsonPlain(bytes), `restored, ${length} bytes`).toBe(true);
    }
  });

  it("agrees with the loop on random bytes, views into larger buffers included", () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24;
    for (let round = 0; round < 400; round++) {
      const length = Math.floor(random() * 700);
      const whole = new Uint8Array(length + 40);
      // Mostly plain bytes, a special one now and then, so both answers occur.
      for (let i = 0; i < whole.length; i++) {
        whole[i] =
          random() < 0.002
            ? SPECIAL[Math.floor(random() * SPECIAL.length)]!
            : 0x20 + Math.floor(random() * 0xe0);
      }
      const view = whole.subarray(20, 20 + length);
      expect(isJsonPlain(view), `round ${round}, ${length} bytes`).toBe(loopPlain(view));
    }
  });
});

describe("the json serializer without WebAssembly (node --jitless)", () => {
  it("writes and reads long strings, plain and escaped, as with it", () => {
    const script = [
      'const { JsonSerializer } = await import("./src/runtime/serializers/json.ts");',
      'const { scannerLoaded } = await import("./src/runtime/serializers/json-plain.ts");',
      "const json = new JsonSerializer();",
      'const texts = ["x".repeat(10240), "a".repeat(300) + "\\"\\n\\u0001\\\\" + "é".repeat(300)];',
      "const written = texts.map((t) => new TextDecoder().decode(json.dumps(t)));",
      "const read = texts.map((t) => json.loads(json.dumps(t)) === t);",
      "console.log(JSON.stringify({ loaded: scannerLoaded(), written, read }));",
    ].join("\n");
    const output = execFileSync(
      process.execPath,
      ["--jitless", "--import", "tsx", "--input-type=module", "-e", script],
      { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
    );
    const result = JSON.parse(output) as { loaded: boolean; written: string[]; read: boolean[] };
    expect(result.loaded).toBe(false);
    expect(result.written).toEqual([
      JSON.stringify("x".repeat(10240)),
      JSON.stringify("a".repeat(300) + '"\n\u0001\\' + "é".repeat(300)),
    ]);
    expect(result.read).toEqual([true, true]);
  });
});
