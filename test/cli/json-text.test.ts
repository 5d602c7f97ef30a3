/**
 * Hand-edited JSON (config files, snapshots): a byte order mark is accepted, and every
 * syntax error is located by line and column — the scanner agrees with `JSON.parse` on what
 * is JSON, for generated documents and for broken copies of them.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonSyntaxProblem, parseJsonText } from "../../src/cli/json-text.js";

describe("parseJsonText", () => {
  it("accepts a UTF-8 byte order mark", () => {
    expect(parseJsonText('\uFEFF{ "targets": [] }')).toEqual({ ok: true, value: { targets: [] } });
  });

  it.each([
    ['{\n  "a": 1,\n  "b": }', 3, 8, 'expected a value, found "}"'],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, "expected ',' or '}' after the value"],
    ['{ "a": [1, 2,] }', 1, 14, "a trailing comma before ']'"],
    ['{ "a": 1, }', 1, 11, "a trailing comma before '}'"],
    ["{ 'a': 1 }", 1, 3, "expected a property name in double quotes"],
    ['{ "a": "x\ny" }', 1, 10, "a string has a raw control character or line break"],
    ['{ "a": 1 } extra', 1, 12, 'unexpected "e" after the end of the JSON value'],
    ['\uFEFF{\n\n  "a": tru }', 3, 8, 'expected a value, found "t"'],
    ["", 1, 1, "expected a value, found the end of the file"],
  ])("locates the error in %j at %i:%i", (text, line, column, message) => {
    const result = parseJsonText(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem).toMatchObject({ line, column });
    expect(result.problem.message).toContain(message);
  });
});

describe("jsonSyntaxProblem", () => {
  /** Whether Node's own parser accepts `text`. */
  const nodeAccepts = (text: string): boolean => {
    try {
      JSON.parse(text);
      return true;
    } catch {
      return false;
    }
  };

  it("finds nothing wrong with any JSON document", () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(jsonSyntaxProblem(text)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it("agrees with JSON.parse on documents with a character inserted or deleted", () => {
    const broken = fc
      .tuple(fc.json(), fc.nat(), fc.constantFrom("", ",", "}", "]", '"', ":", "x", "\n", "\\"))
      .map(([text, at, insert]) => {
        const cut = at % (text.length + 1);
        return insert === ""
          ? text.slice(0, cut) + text.slice(cut + 1)
          : text.slice(0, cut) + insert + text.slice(cut);
      });
    fc.assert(
      fc.property(broken, (text) => {
        expect(jsonSyntaxProblem(text) === undefined).toBe(nodeAccepts(text));
      }),
      { numRuns: 1000 },
    );
  });
});
