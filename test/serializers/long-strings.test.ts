/**
 * Long strings take a different path in the json and serpent encoders than short ones: their
 * UTF-8 is written, then escaped in place (serpent: when it is ASCII); json reads a long
 * string alone straight from between its quotes when nothing there needs unescaping. These compare those paths with Python's own output for text with one
 * special character at the start, the middle or the end, and for text with none.
 */
import { describe, expect, it } from "vitest";
import { PyroError } from "../../src/runtime/errors.js";
import { JSON_UNESCAPES, JsonSerializer } from "../../src/runtime/serializers/json.js";
import { unescapedText } from "../../src/runtime/serializers/long-string.js";
import { MarshalSerializer } from "../../src/runtime/serializers/marshal.js";
import { MsgpackSerializer } from "../../src/runtime/serializers/msgpack.js";
import { SerpentSerializer } from "../../src/runtime/serializers/serpent.js";
import { loneLongString } from "../../src/runtime/serializers/serpent-parse.js";
import { runPython } from "../harness/python.js";

const SPECIALS = ['"', "\\", "'", "\n", "\u0001", "\u001f", "\u007f", "é", "€", "😀", "\u2028"];

function longStrings(extraSpecials: readonly string[] = []): string[] {
  const filler = "abc xyz ".repeat(20);
  const strings = [filler, "~".repeat(65), " ".repeat(300)];
  for (const special of [...SPECIALS, ...extraSpecials]) {
    strings.push(special + filler, filler + special + filler, filler + special);
  }
  return strings;
}

/** What Python's `json.dumps(ensure_ascii=False)` / `serpent.dumps` write for `strings`. */
function pythonDumps(format: "json" | "serpent", strings: string[]): string {
  const dump =
    format === "json"
      ? "json.dumps(value, ensure_ascii=False).encode('utf-8')"
      : "serpent.dumps(value)";
  return runPython(
    `import json, serpent, sys\nvalue = json.load(sys.stdin)\nsys.stdout.buffer.write(${dump})`,
    { input: JSON.stringify(strings) },
  );
}

/** The documents Python's `documents` (an expression over `texts`: a list of bytes) makes. */
function pythonDocuments(documents: string, texts: string[]): Buffer[] {
  const written = JSON.parse(
    runPython(
      "import json, serpent, sys\n" +
        "texts = json.load(sys.stdin)\n" +
        `print(json.dumps([document.hex() for document in ${documents}]))`,
      { input: JSON.stringify(texts) },
    ),
  ) as string[];
  return written.map((hex) => Buffer.from(hex, "hex"));
}

/** What Python's `json.dumps(ensure_ascii=False)` writes for each of `texts`, apart. */
function pythonJsonEach(texts: string[]): Buffer[] {
  return pythonDocuments("[json.dumps(t, ensure_ascii=False).encode() for t in texts]", texts);
}

/** Lines of prose, `extra(i)` ending line `i`, until the text is `size` characters or more. */
function proseLines(extra: (i: number) => string, size = 200_000): string {
  let text = "";
  for (let i = 0; text.length < size; i++) {
    text += `line ${i}: some words, and more words to make a line of prose, ${extra(i)}\n`;
  }
  return text;
}

describe("long strings", () => {
  it("json writes them as Python's json.dumps(ensure_ascii=False) does", () => {
    const strings = longStrings();
    const ours = new TextDecoder().decode(new JsonSerializer().dumps(strings));
    expect(ours).toBe(pythonDumps("json", strings));
  });

  it("json escapes multi-line and control-laden text as Python's json.dumps does", () => {
    const prose = (lines: number): string =>
      Array.from({ length: lines }, (_, i) => {
        const words = `line ${i}: ${"some words é 中 😀 ".repeat(5)}`;
        return i % 3 === 0 ? `${words}"quoted", a back\\slash\n` : `${words}\n`;
      }).join("");
    const controls = Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)).join("");
    // Long strings are escaped in place however dense their escapes, in 32 KiB chunks.
    const strings = [
      prose(40),
      prose(700),
      "x".repeat(2000) + controls + "y".repeat(2000),
      ("abc" + controls).repeat(20),
      '"'.repeat(70),
      ("\n" + controls + '"\\').repeat(3000),
    ];
    expect(Buffer.byteLength(strings[1]!)).toBeGreaterThan(2 * 32 * 1024);
    const ours = new TextDecoder().decode(new JsonSerializer().dumps(strings));
    expect(ours).toBe(pythonDumps("json", strings));
  });

  it("serpent escapes multi-line ASCII text as Python's repr does, choosing its quotes alike", () => {
    const prose = (lines: number, quotes: string): string =>
      Array.from({ length: lines }, (_, i) => {
        const words = `line ${i}: ${"some plain words ".repeat(5)}`;
        return i % 3 === 0 ? `${words}${quotes}, a back\\slash\n` : `${words}\n`;
      }).join("");
    const controls = Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)).join("");
    // ASCII text is escaped in place however dense its escapes (DEL included), in 32 KiB
    // chunks; text beyond ASCII goes through repr.
    const strings = [
      prose(40, "it's"), // ' alone: double quotes
      prose(40, `"it's"`), // both: single quotes, ' escaped
      prose(40, '"quoted"'),
      prose(900, "it's"), // beyond two chunks
      "x".repeat(2000) + controls + "y".repeat(2000),
      ("abc" + controls).repeat(20),
      "'".repeat(70),
      prose(5, "\u007f"),
      ("it's\n" + controls + "\\\u007f").repeat(3000),
      prose(5, "é"),
    ];
    expect(strings[3]!.length).toBeGreaterThan(2 * 32 * 1024);
    const ours = new TextDecoder().decode(new SerpentSerializer().dumps(strings));
    expect(ours).toBe(pythonDumps("serpent", strings));
  });

  it("serpent writes long text beyond ASCII as Python's repr does, printable or not", () => {
    const line = (i: number, extra: string): string =>
      `${i}: Grüße aus Köln, 東京からこんにちは — ça va? ${extra}\n`;
    const text = (lines: number, extra = ""): string =>
      Array.from({ length: lines }, (_, i) => line(i, i % 4 === 0 ? extra : "")).join("");
    const controls = Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)).join("");
    // Printable beyond ASCII: its UTF-8 as is, its ASCII escaped in place, quotes as repr
    // picks them; across 32 KiB chunks too. Otherwise (DEL, a character repr escapes, a
    // lone surrogate) the whole text goes through repr.
    const strings = [
      text(40),
      text(40, "it's"), // ' alone: double quotes
      text(40, `"it's" \\ back\\slashes`),
      text(40, controls),
      text(1200, "it's"), // beyond two chunks
      "😀 emoji: 🎉🚀 ".repeat(30) + "x",
      "é".repeat(100),
      text(10, "\u007f"),
      text(10, "\u00a0 no-break space"),
      text(10, "\u200b zero width, \u2028 line separator, \ufeff"),
      text(10, "\ue000 private use"),
      text(10, "\u0378 unassigned"),
      text(10, "\u{e0001} tag, \u{f0000} private use"),
      text(10, "lone \ud800 high"),
      text(10, "lone \udc00 low"),
    ];
    expect(Buffer.byteLength(strings[4]!)).toBeGreaterThan(2 * 32 * 1024);
    const ours = new TextDecoder().decode(new SerpentSerializer().dumps(strings));
    expect(ours).toBe(pythonDumps("serpent", strings));
  });

  it("json reads back what Python's json.dumps wrote of them, escapes or none", () => {
    const strings = longStrings();
    const json = new JsonSerializer();
    pythonJsonEach(strings).forEach((bytes, i) => {
      expect(json.loads(bytes), `string ${i}`).toBe(strings[i]);
    });
  });

  it("json reads back long texts alone that Python's json.dumps escaped, 1 KiB and more", () => {
    const texts = [
      // Simple escapes only, sparse or dense: unescaped without JSON.parse, non-ASCII included.
      proseLines((i) => (i % 20 === 0 ? 'a "quote", a back\\slash, a / and a\ttab\r' : "plain")),
      proseLines((i) => (i % 20 === 0 ? "é中😀 \b\f" : "words")),
      proseLines(() => "x", 128 * 1024 + 3),
      proseLines((i) => (i % 3 === 0 ? '"' : "\\"), 1100),
      "\n\t".repeat(100_000),
      // \u escapes (control bytes): read by JSON.parse.
      proseLines((i) => (i % 9 === 0 ? "\u0001 and \u001f" : "more")),
    ];
    const json = new JsonSerializer();
    pythonJsonEach(texts).forEach((bytes, i) => {
      expect(json.loads(bytes) === texts[i], `text ${i}`).toBe(true);
      // The first five take the path without JSON.parse, the last does not.
      const unescaped = unescapedText(
        bytes.subarray(1, bytes.length - 1),
        1,
        JSON_UNESCAPES,
        "json",
      );
      expect(unescaped === undefined ? "JSON.parse" : unescaped === texts[i], `text ${i}`).toBe(
        i < 5 ? true : "JSON.parse",
      );
    });
    // Not one valid string: refused as JSON.parse refuses it.
    const long = "y".repeat(140_000);
    for (const broken of [`"${long}", "${long}"`, `"${long}\\"`, `"${long}\u0001${long}"`]) {
      expect(() => json.loads(Buffer.from(broken))).toThrow(PyroError);
    }
    const badUtf8 = Buffer.concat([
      Buffer.from(`"${long}\\n`),
      Buffer.from([0xff]),
      Buffer.from('"'),
    ]);
    expect(() => json.loads(badUtf8)).toThrow(/UTF-8/);
  });

  it("serpent reads back what Python's serpent.dumps wrote of them, escapes or none", () => {
    const lines = (count: number, quotes: string): string =>
      Array.from({ length: count }, (_, i) => `line ${i}: ${quotes} \\ é\t😀\r\n`).join("");
    const texts = [
      ...longStrings(),
      lines(200, "it's"),
      lines(200, `"it's"`),
      lines(200, '"quoted"'),
      "\n".repeat(300),
      "\\".repeat(300),
    ];
    // One document per text, and all of them in one list: the parser caches where the next
    // backslash and newlines are across a document's literals.
    const written = pythonDocuments(
      "[serpent.dumps(t) for t in texts] + [serpent.dumps(texts)]",
      texts,
    );
    const serpent = new SerpentSerializer();
    texts.forEach((text, i) => {
      expect(serpent.loads(written[i]!) === text, `text ${i}`).toBe(true);
    });
    expect(serpent.loads(written[texts.length]!)).toEqual(texts);
  });

  it("serpent reads back long texts alone that Python's serpent.dumps wrote, 1 KiB and more", () => {
    const texts = [
      // Simple escapes only, sparse or dense, in ' and in ": read straight from the bytes.
      proseLines((i) => (i % 20 === 0 ? "it's\ta back\\slash\r" : "plain")),
      proseLines((i) => (i % 20 === 0 ? `"it's" é中😀 and a \\ backslash` : "words")),
      proseLines(() => '"quoted"', 128 * 1024 + 3),
      proseLines((i) => (i % 3 === 0 ? "'" : "\\"), 1100),
      "\n\t'".repeat(100_000),
      // \x escapes (control bytes), and non-ASCII Python escapes: read by the parser.
      proseLines((i) => (i % 9 === 0 ? "\u0001 and \u001f" : "more")),
      proseLines((i) => (i % 9 === 0 ? "\u2028" : "more")),
    ];
    const written = pythonDocuments("[serpent.dumps(t) for t in texts]", texts);
    const serpent = new SerpentSerializer();
    written.forEach((bytes, i) => {
      expect(serpent.loads(bytes) === texts[i], `text ${i}`).toBe(true);
      const alone = loneLongString(bytes);
      expect(alone === undefined ? "parser" : alone === texts[i], `text ${i}`).toBe(
        i < 5 ? true : "parser",
      );
    });
    // Documents the bytes alone do not settle go to the parser, which reads or refuses them.
    const long = "y".repeat(140_000);
    const header = "# serpent utf-8 python3.2\n";
    const read = (document: string): unknown => serpent.loads(Buffer.from(header + document));
    expect(() => read(`'${long}\\'`)).toThrow(/unterminated string literal/);
    expect(read(`'${long}' '${long}'`)).toBe(long + long);
    expect(read(`'${long}\u0001${long}'`)).toBe(`${long}\u0001${long}`);
    expect(read(`'''${long}'''`)).toBe(long);
    const badUtf8 = [Buffer.from(`${header}'${long}\\n`), Buffer.from([0xff]), Buffer.from("'")];
    expect(() => serpent.loads(Buffer.concat(badUtf8))).toThrow(
      "serpent: invalid UTF-8 in the string at offset 27",
    );
  });

  it("json, marshal and msgpack write texts larger than their buffer so that Python reads them back", () => {
    // The encoders make room for one byte a character, then more only for text beyond
    // ASCII: what was written before the buffer grows must survive the growth, and json's
    // escapes and msgpack's longer header must still find room.
    const ascii = "plain words, ".repeat(360_000); // 4.7 MB: more than the kept scratch
    const texts = [
      `${ascii}é中😀 and the end`,
      `é中😀${ascii}`,
      `${ascii.slice(0, 100_000)}${"😀".repeat(50_000)}`,
      "a line of words, long enough for its newline to be a sparse escape\n".repeat(70_000),
      `${"x".repeat(64_000)}${"é".repeat(1_000)}`, // 65,000 chars, 66,000 bytes: str 32
    ];
    const serializers = [new JsonSerializer(), new MarshalSerializer(), new MsgpackSerializer()];
    const encoded = serializers.map((serializer) =>
      texts.map((text) => Buffer.from(serializer.dumps(text)).toString("base64")),
    );
    const verdicts = runPython(
      "import base64, json, marshal, msgpack, sys\n" +
        "request = json.load(sys.stdin)\n" +
        "loads = [lambda b: json.loads(b.decode('utf-8')), marshal.loads, msgpack.unpackb]\n" +
        "print(json.dumps([[load(base64.b64decode(e)) == t for e, t in zip(encodings, request['texts'])]\n" +
        "                  for load, encodings in zip(loads, request['encoded'])]))",
      { input: JSON.stringify({ texts, encoded }) },
    );
    expect(JSON.parse(verdicts)).toEqual(serializers.map(() => texts.map(() => true)));
    for (const serializer of serializers) {
      for (const text of texts)
        expect(serializer.loads(serializer.dumps(text)) === text).toBe(true);
    }
  });

  it("serpent refuses a long escaped literal that a newline or the end cuts short", () => {
    const serpent = new SerpentSerializer();
    const body = "a\\n".repeat(100);
    expect(() => serpent.loads(Buffer.from(`'${body}\n${body}'`))).toThrow(
      /newline inside quotes\) at offset 301/,
    );
    expect(() => serpent.loads(Buffer.from(`'${body}`))).toThrow(
      /unterminated string literal at offset 0/,
    );
    expect(() => serpent.loads(Buffer.from(`'${body}\\`))).toThrow(/unterminated string literal/);
  });

  it("json refuses a long string with a raw quote, control character or bad UTF-8 inside", () => {
    const json = new JsonSerializer();
    const quoted = (...inner: (string | number[])[]): Uint8Array =>
      Buffer.concat([
        Buffer.from('"'),
        ...inner.map((part) => (typeof part === "string" ? Buffer.from(part) : Buffer.from(part))),
        Buffer.from('"'),
      ]);
    const filler = "a".repeat(300);
    expect(() => json.loads(quoted(filler, '"', filler))).toThrow(
      /json: extra data after the value/,
    );
    expect(() => json.loads(quoted(filler, [0x01], filler))).toThrow(
      /json: invalid control character in string/,
    );
    expect(() => json.loads(quoted(filler, [0xff], filler))).toThrow(/json: invalid UTF-8/);
    expect(json.loads(quoted(filler, [0x7f], filler))).toBe(`${filler}\u007f${filler}`);
  });

  it("json escapes a lone surrogate in a long string and reads it back", () => {
    const json = new JsonSerializer();
    for (const text of ["\ud800" + "a".repeat(100), "a".repeat(100) + "\udfff"]) {
      const written = new TextDecoder().decode(json.dumps(text));
      expect(written).toMatch(/\\ud[89a-f][0-9a-f]{2}/);
      expect(json.loads(json.dumps(text))).toBe(text);
    }
  });

  it("serpent writes them as Python's serpent.dumps does, lone surrogates included", () => {
    const strings = longStrings(["\ud800", "\udfff"]);
    const ours = new TextDecoder().decode(new SerpentSerializer().dumps(strings));
    expect(ours).toBe(pythonDumps("serpent", strings));
  });
});

/** Long texts for the decoders: ASCII, dense non-ASCII of each UTF-8 length, and mixed. */
function longTexts(): string[] {
  const texts = ["x".repeat(10240), "é".repeat(5120), "中".repeat(3413), "😀".repeat(2560)];
  texts.push("hello wörld, ça va? ".repeat(500), "a\u0000b\u007f".repeat(1500));
  // Around the length where long non-ASCII text takes another decoding path (4096 bytes).
  for (const bytes of [4094, 4095, 4096, 4097, 4098]) texts.push("a".repeat(bytes - 2) + "é");
  texts.push("é" + "a".repeat(4100), "😀".repeat(1023) + "abc", "😀".repeat(1024));
  return texts;
}

describe("long strings read back", () => {
  const texts = longTexts();
  /** Python's own msgpack, marshal and json bytes of each text, hex-encoded. */
  const payloads = JSON.parse(
    runPython(
      [
        "import json, marshal, msgpack, sys",
        "texts = json.load(sys.stdin)",
        "out = {",
        "  'msgpack': [msgpack.packb(t, use_bin_type=True).hex() for t in texts],",
        "  'marshal': [marshal.dumps(t).hex() for t in texts],",
        "  'json': [json.dumps(t, ensure_ascii=False).encode('utf-8').hex() for t in texts],",
        "}",
        "print(json.dumps(out))",
      ].join("\n"),
      { input: JSON.stringify(texts) },
    ),
  ) as Record<"msgpack" | "marshal" | "json", string[]>;
  const serializers = {
    msgpack: new MsgpackSerializer(),
    marshal: new MarshalSerializer(),
    json: new JsonSerializer(),
  };

  it.each(["msgpack", "marshal", "json"] as const)(
    "%s decodes Python's bytes of long ASCII, non-ASCII and mixed text",
    (name) => {
      payloads[name].forEach((hex, i) => {
        const decoded = serializers[name].loads(Buffer.from(hex, "hex"));
        expect(decoded === texts[i], `${name} text ${i} (${texts[i]!.length} chars)`).toBe(true);
      });
    },
  );

  it("msgpack refuses long text with invalid UTF-8, naming where", () => {
    for (const body of [
      Buffer.alloc(5000, 0xc3),
      Buffer.concat([Buffer.from("é".repeat(3000)), Buffer.from([0xff])]),
    ]) {
      const payload = Buffer.concat([
        Buffer.from([0xda, body.length >> 8, body.length & 0xff]),
        body,
      ]);
      expect(() => serializers.msgpack.loads(payload)).toThrow(
        /invalid UTF-8 in string at offset 3/,
      );
    }
  });
});
