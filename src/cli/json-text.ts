/**
 * Reading the JSON files people edit by hand (config files, snapshots): a UTF-8 byte order
 * mark is accepted (Windows editors write one), and a syntax error names its line and
 * column — Node's own messages give neither on every version (`Unexpected token '}', … is
 * not valid JSON`), so a small scanner finds the place once `JSON.parse` has failed.
 */

/** Where and why a JSON text is invalid. */
export interface JsonSyntaxProblem {
  /** 1-based. */
  readonly line: number;
  /** 1-based, in characters. */
  readonly column: number;
  readonly message: string;
}

/** The result of {@link parseJsonText}: the value, or the first syntax problem. */
export type JsonParse = { ok: true; value: unknown } | { ok: false; problem: JsonSyntaxProblem };

/** Parse `text` as JSON, after a leading byte order mark if there is one. */
export function parseJsonText(text: string): JsonParse {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    const problem = jsonSyntaxProblem(body) ?? {
      ...lineAndColumn(body, body.length),
      message: error instanceof Error ? error.message : String(error),
    };
    return { ok: false, problem };
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

class JsonScanError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** The first place where `text` stops being JSON, or `undefined` when it is JSON. */
export function jsonSyntaxProblem(text: string): JsonSyntaxProblem | undefined {
  let at = 0;
  function fail(message: string): never {
    throw new JsonScanError(at, message);
  }
  const shown = (): string =>
    at >= text.length ? "the end of the file" : JSON.stringify(text[at]);
  const skipSpace = (): void => {
    while (at < text.length && " \t\n\r".includes(text[at]!)) at++;
  };
  const expect = (char: string, what: string): void => {
    skipSpace();
    if (text[at] !== char) fail(`expected ${what}, found ${shown()}`);
    at++;
  };
  const string = (): void => {
    at++; // the opening quote
    for (;;) {
      if (at >= text.length) fail("a string is not closed (a missing '\"')");
      const char = text[at]!;
      if (char === '"') break;
      if (char < " ") fail("a string has a raw control character or line break (escape it)");
      if (char === "\\") {
        at++;
        if (text[at] === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) at += 4;
        else if (!'"\\/bfnrt'.includes(text[at] ?? "")) fail("an invalid escape in a string");
      }
      at++;
    }
    at++;
  };
  const value = (): void => {
    skipSpace();
    const char = text[at];
    if (char === "{") {
      at++;
      skipSpace();
      if (text[at] === "}") {
        at++;
        return;
      }
      for (;;) {
        skipSpace();
        if (text[at] !== '"') fail(`expected a property name in double quotes, found ${shown()}`);
        string();
        expect(":", "':' after the property name");
        value();
        skipSpace();
        if (text[at] === ",") {
          at++;
          skipSpace();
          if (text[at] === "}") fail("a trailing comma before '}'");
          continue;
        }
        expect("}", "',' or '}' after the value");
        return;
      }
    }
    if (char === "[") {
      at++;
      skipSpace();
      if (text[at] === "]") {
        at++;
        return;
      }
      for (;;) {
        value();
        skipSpace();
        if (text[at] === ",") {
          at++;
          skipSpace();
          if (text[at] === "]") fail("a trailing comma before ']'");
          continue;
        }
        expect("]", "',' or ']' after the value");
        return;
      }
    }
    if (char === '"') return string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
      text.slice(at),
    );
    if (literal === null) fail(`expected a value, found ${shown()}`);
    at += literal[0].length;
  };
  try {
    value();
    skipSpace();
    if (at < text.length) fail(`unexpected ${shown()} after the end of the JSON value`);
    return undefined;
  } catch (error) {
    if (error instanceof JsonScanError) {
      return { ...lineAndColumn(text, error.offset), message: error.message };
    }
    throw error;
  }
}
