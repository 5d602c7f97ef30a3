/**
 * The safe-name rule (src/codegen/names.ts) and the type-override check: pure functions,
 * tested with examples and properties.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  fileNameFor,
  isParameterName,
  isReservedMember,
  literal,
  memberName,
  typeNameFor,
} from "../../src/codegen/names.js";
import { isSingleType } from "../../src/codegen/overrides.js";

describe("literal", () => {
  it("is a printable-ASCII string literal that reads back as the same string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        const lit = literal(text);
        expect(lit).toMatch(/^"[\x20-\x7e]*"$/);
        expect(JSON.parse(lit)).toBe(text);
      }),
    );
  });

  it("turns every dangerous character into an escape", () => {
    expect(literal('a"b\n`${x}*/')).toBe('"a\\"b\\n`${x}*/"');
    expect(literal("rtl\u202e zw\u200b ls\u2028 nul\u0000")).toBe(
      '"rtl\\u202e zw\\u200b ls\\u2028 nul\\u0000"',
    );
  });
});

describe("memberName", () => {
  it("keeps plain identifiers (reserved words included) and quotes everything else", () => {
    expect(memberName("play")).toBe("play");
    expect(memberName("delete")).toBe("delete");
    expect(memberName("__proto__")).toBe("__proto__");
    expect(memberName("x-y")).toBe('"x-y"');
    expect(memberName("9lives")).toBe('"9lives"');
    expect(memberName("名前")).toBe('"\\u540d\\u524d"');
    expect(memberName("")).toBe('""');
  });

  it("refuses control-member collisions", () => {
    expect(isReservedMember("$call")).toBe(true);
    expect(isReservedMember("then")).toBe(true);
    expect(isReservedMember("thenable")).toBe(false);
  });
});

describe("type and file names", () => {
  it("derives PascalCase names that never shadow globals", () => {
    expect(typeNameFor("example.musicserver")).toBe("ExampleMusicserver");
    expect(typeNameFor("music_server-v2")).toBe("MusicServerV2");
    expect(typeNameFor("42")).toBe("Remote42");
    expect(typeNameFor("\u202e")).toBe("Remote");
    expect(typeNameFor("promise")).toBe("PromiseRemote");
    expect(fileNameFor("MusicServer")).toBe("music-server.ts");
    expect(fileNameFor("HTTPServer2")).toBe("http-server2.ts");
  });

  it("accepts only plain, non-reserved parameter names", () => {
    expect(isParameterName("song")).toBe(true);
    expect(isParameterName("class")).toBe(false);
    expect(isParameterName("a b")).toBe(false);
  });
});

describe("isSingleType", () => {
  it("accepts one TypeScript type", () => {
    for (const type of [
      "string",
      "{ a: number }[]",
      "Map<string, number>",
      '"a" | "b"',
      "(x: number) => void",
    ]) {
      expect(isSingleType(type), type).toBe(true);
    }
  });

  it("refuses anything that could end the type and start code", () => {
    for (const type of [
      "",
      "string; alert(1)",
      "string); alert(1); (x",
      "string /*",
      "*/ x",
      "string // x",
      "}",
    ]) {
      expect(isSingleType(type), type).toBe(false);
    }
  });
});
