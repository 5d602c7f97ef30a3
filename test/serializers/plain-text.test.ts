/**
 * The checks and escaping behind the json and serpent encoders' long-string paths: their
 * WebAssembly routines must answer as the plain loops do for every byte value, at every
 * position a 16-byte block or a 32 KiB chunk can put it, and the serializers must work where
 * WebAssembly is off.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  JSON_ESCAPED,
  SERPENT_ESCAPED,
  escapeInPlace,
  escapedLength,
  isPlain,
  loopPlain,
  scannerLoaded,
  unescapeInto,
  type EscapeTable,
  type Escaped,
  type UnescapeTable,
} from "../../src/runtime/serializers/plain-text.js";
import { JsonSerializer } from "../../src/runtime/serializers/json.js";
import { SerpentSerializer } from "../../src/runtime/serializers/serpent.js";

const CHUNK = 32 * 1024;
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

/** Simple escapes as a test table: `\\`, the quote, and five letters for bytes 1–5. */
const UNESCAPES: UnescapeTable = {
  quote: 0x22,
  bytes: Object.assign([], { 0x5c: 0x5c, 0x22: 0x22, 0x61: 1, 0x62: 2, 0x63: 3, 0x64: 4, 0x65: 5 }),
};

/** `inner` unescaped by hand, or `null` where the routine must refuse it. */
function unescapedByHand(inner: Uint8Array, table: UnescapeTable): number[] | null {
  const out: number[] = [];
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (c === 0x5c) {
      const byte = table.bytes[inner[++i] ?? -1];
      if (byte === undefined) return null;
      out.push(byte);
    } else if (c < 0x20 || c === table.quote) return null;
    else out.push(c);
  }
  return out;
}

describe("unescapeInto", () => {
  const escapes = ["\\\\", '\\"', "\\a", "\\b", "\\c", "\\d", "\\e"].map((e) => Buffer.from(e));
  const text = (parts: (string | Uint8Array)[]): Uint8Array =>
    Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part) : part)));
  const unescape = (inner: Uint8Array): number[] | null => {
    const out = new Uint8Array(inner.length);
    const length = unescapeInto(inner, UNESCAPES, out);
    return length < 0 ? null : Array.from(out.subarray(0, length));
  };

  it("unescapes as by hand at every density, across blocks and chunks", () => {
    let seed = 5;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24;
    for (const density of [0, 0.01, 0.2, 0.5, 1]) {
      for (const size of [
        0,
        1,
        15,
        16,
        17,
        80,
        81,
        4096,
        CHUNK - 1,
        CHUNK,
        CHUNK + 1,
        2 * CHUNK + 9,
      ]) {
        const parts: (string | Uint8Array)[] = [];
        for (let length = 0; length < size;) {
          const part =
            random() < density
              ? escapes[Math.floor(random() * escapes.length)]!
              : String.fromCharCode(0x20 + Math.floor(random() * 0x5e)).replace(/["\\]/, "x");
          parts.push(part);
          length += part.length;
        }
        const inner = text(parts);
        expect(unescape(inner), `density ${density}, ${size} bytes`).toEqual(
          unescapedByHand(inner, UNESCAPES),
        );
      }
    }
  });

  it("keeps an escape whole where a chunk ends, however many backslashes lead up to it", () => {
    for (let backslashes = 1; backslashes <= 5; backslashes++) {
      for (const shift of [-2, -1, 0, 1, 2]) {
        const inner = text([
          "x".repeat(CHUNK - backslashes + shift),
          "\\".repeat(backslashes),
          backslashes % 2 === 1 ? "a" : "",
          "y".repeat(40),
        ]);
        const expected = unescapedByHand(inner, UNESCAPES);
        expect(expected).not.toBeNull();
        expect(unescape(inner), `${backslashes} backslashes, shifted ${shift}`).toEqual(expected);
      }
    }
  });

  it("refuses an unknown escape, an unescaped quote or control byte, and a lone last backslash", () => {
    for (const bad of ["\\z", '"', "\u0001", "\n", "\\u0041"]) {
      for (const at of [0, 17, CHUNK - 1, CHUNK + 40]) {
        const inner = text(["x".repeat(at), bad, "y".repeat(50)]);
        expect(unescape(inner), `${JSON.stringify(bad)} at ${at}`).toBeNull();
      }
    }
    expect(unescape(text(["x".repeat(100), "\\"]))).toBeNull();
    expect(unescape(text(["x".repeat(CHUNK + 100), "\\"]))).toBeNull();
    // Bytes from 0x80 on are text (UTF-8), not controls.
    expect(unescape(text(["é".repeat(100), "\\a"]))).toEqual([...Buffer.from("é".repeat(100)), 1]);
  });
});

/** Texts of 2 to 7 characters (the range allowed) for the escaped bytes, but one. */
const TABLES: [string, EscapeTable][] = [
  [
    "json-like",
    {
      ...JSON_ESCAPED,
      texts: Array.from({ length: 0x5d }, (_, c) =>
        c === 0x22 || c === 0x5c || c < 0x1f ? `\\${"u00abcd".slice(0, 1 + (c % 6))}` : undefined,
      ),
    },
  ],
  [
    "serpent-like, a byte without a text",
    {
      ...SERPENT_ESCAPED,
      texts: Array.from({ length: 0x80 }, (_, c) => (c === 0x01 ? undefined : `<${c}>`)),
    },
  ],
];

/** What escaping `bytes` as `table` says gives, byte by byte; `null` where a text is missing. */
function escapedByHand(bytes: Uint8Array, table: EscapeTable): number[] | null {
  const out: number[] = [];
  for (const c of bytes) {
    const plain = c >= 0x20 && c <= table.top && c !== table.quote && c !== 0x5c;
    const text = plain ? String.fromCharCode(c) : table.texts[c];
    if (text === undefined) return null;
    for (const char of text) out.push(char.charCodeAt(0));
  }
  return out;
}

describe.each(TABLES)("escapedLength and escapeInPlace, %s", (_name, table) => {
  const { special, plain } = byteClasses(table);
  const escapable = special.filter((c) => table.texts[c] !== undefined);

  /** Escape `text` placed at offset 5 of a larger buffer, as the encoders do. */
  function escapeAt(text: Uint8Array): { length: number; bytes: number[] | null } {
    const length = escapedLength(text, table);
    if (length < 0) return { length, bytes: null };
    const buffer = new Uint8Array(5 + length + 1 + 9).fill(0xee);
    buffer.set(text, 5);
    const end = escapeInPlace(buffer, 5, text.length, length, table);
    expect(end).toBe(5 + length + 1);
    expect(buffer[4]).toBe(table.quote);
    expect(buffer[end - 1]).toBe(table.quote);
    expect(Array.from(buffer.subarray(end)), "nothing written past the closing quote").toEqual(
      new Array(9).fill(0xee),
    );
    return { length, bytes: Array.from(buffer.subarray(5, 5 + length)) };
  }

  it("escapes as by hand at every density, across blocks and chunks", () => {
    let seed = 11;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24;
    const pick = (from: number[]): number => from[Math.floor(random() * from.length)]!;
    const lengths = [0, 1, 15, 16, 17, 79, 80, 81, 200, 4096, CHUNK - 1, CHUNK, CHUNK + 1];
    for (const density of [0, 0.01, 0.1, 0.5, 1]) {
      for (const length of [...lengths, 2 * CHUNK + 7 + Math.floor(random() * 100)]) {
        const text = Uint8Array.from({ length }, () =>
          random() < density ? pick(escapable) : pick(plain),
        );
        const expected = escapedByHand(text, table)!;
        const got = escapeAt(text);
        expect(got.length, `density ${density}, ${length} bytes`).toBe(expected.length);
        expect(got.bytes, `density ${density}, ${length} bytes`).toEqual(expected);
      }
    }
  });

  it("writes every escapable byte's text, at each place in a block", () => {
    for (const at of [0, 1, 7, 14, 15, 16, 17, 31, 95]) {
      for (const c of escapable) {
        const text = new Uint8Array(96).fill(plain[3]!);
        text[at] = c;
        expect(escapeAt(text).bytes, `0x${c.toString(16)} at ${at}`).toEqual(
          escapedByHand(text, table),
        );
      }
    }
  });

  it("answers -1 for a byte it has no text for, wherever it is", () => {
    const missing = special.filter((c) => table.texts[c] === undefined);
    expect(missing.length).toBeGreaterThan(0);
    for (const length of [40, 100, CHUNK + 50]) {
      for (const at of [0, length >> 1, length - 1]) {
        const text = new Uint8Array(length).fill(plain[0]!);
        text[at] = missing[at % missing.length]!;
        expect(escapedLength(text, table), `${length} bytes, at ${at}`).toBe(-1);
      }
    }
  });
});

describe("the json and serpent serializers without WebAssembly (node --jitless)", () => {
  it("write and read long strings, plain and escaped, as with it", () => {
    const texts = [
      "x".repeat(10240),
      "a".repeat(300) + "\"'\n\u0001\\" + "é".repeat(300),
      `${"a plain line of words that goes on for quite a while, seventy chars\n".repeat(300)}it's "x"`,
      "it's\n\t\u0001\u007f".repeat(2000),
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
