/**
 * Long strings take a different path in the json and serpent encoders than short ones: one
 * regex decides whether the text can be copied as is. These compare that path with
 * Python's own output for text with one special character at the start, the middle or the
 * end, and for text with none.
 */
import { describe, expect, it } from "vitest";
import { JsonSerializer } from "../../src/runtime/serializers/json.js";
import { SerpentSerializer } from "../../src/runtime/serializers/serpent.js";
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

describe("long strings", () => {
  it("json writes them as Python's json.dumps(ensure_ascii=False) does", () => {
    const strings = longStrings();
    const ours = new TextDecoder().decode(new JsonSerializer().dumps(strings));
    expect(ours).toBe(pythonDumps("json", strings));
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
