/**
 * A JSON parser that reads what Python's `json.dumps` writes and `json.loads` accepts:
 * the `NaN`, `Infinity` and `-Infinity` tokens, and integers of any size (exact, as
 * `bigint` beyond ±2^53−1). Class dicts are revived through the registry as they close;
 * nesting is capped. The JSON serializer uses it only when `JSON.parse` cannot be trusted
 * with the text, and to report where a payload is broken. Internal.
 */
import { intFromBigInt, setDictEntry } from "../values.js";
import type { ClassRegistry } from "./class-registry.js";
import {
  MAX_DEPTH,
  MAX_INT_DIGITS,
  depthError,
  reviveIfClassDict,
  serializeError,
} from "./codec-util.js";

/** What each simple escape stands for, by the letter after the backslash. */
export const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/** Parse one JSON document (surrounding whitespace allowed). */
export function parseJson(text: string, registry: ClassRegistry): unknown {
  return new JsonParser(text, registry).parseDocument();
}

class JsonParser {
  readonly #text: string;
  readonly #registry: ClassRegistry;
  #pos = 0;

  constructor(text: string, registry: ClassRegistry) {
    this.#text = text;
    this.#registry = registry;
  }

  parseDocument(): unknown {
    const value = this.#value(1);
    this.#skipWhitespace();
    if (this.#pos < this.#text.length) throw this.#fail("extra data after the value");
    return value;
  }

  #fail(what: string): Error {
    return serializeError(`json: ${what} at offset ${this.#pos} (character index)`);
  }

  #skipWhitespace(): void {
    const text = this.#text;
    let pos = this.#pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
    this.#pos = pos;
  }

  #value(depth: number): unknown {
    this.#skipWhitespace();
    const text = this.#text;
    const c = text.charCodeAt(this.#pos);
    switch (c) {
      case 0x22: // "
        return this.#string();
      case 0x7b: // {
        return this.#object(depth);
      case 0x5b: // [
        return this.#array(depth);
      case 0x74: // t
        return this.#literal("true", true);
      case 0x66: // f
        return this.#literal("false", false);
      case 0x6e: // n
        return this.#literal("null", null);
      case 0x4e: // N
        return this.#literal("NaN", NaN);
      case 0x49: // I
        return this.#literal("Infinity", Infinity);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.#number();
        if (Number.isNaN(c)) throw this.#fail("unexpected end of data, expecting a value");
        throw this.#fail(`unexpected character ${JSON.stringify(text[this.#pos])}`);
    }
  }

  #literal(word: string, value: unknown): unknown {
    if (!this.#text.startsWith(word, this.#pos))
      throw this.#fail(`invalid literal, expected ${word}`);
    this.#pos += word.length;
    return value;
  }

  #number(): number | bigint {
    const text = this.#text;
    const start = this.#pos;
    let pos = start;
    if (text.charCodeAt(pos) === 0x2d) {
      pos++;
      if (text.startsWith("Infinity", pos)) {
        this.#pos = pos + 8;
        return -Infinity;
      }
    }
    const intStart = pos;
    if (text.charCodeAt(pos) === 0x30) pos++;
    else pos = skipDigits(text, pos);
    if (pos === intStart) {
      this.#pos = pos;
      throw this.#fail("invalid number, expected a digit");
    }
    let isFloat = false;
    if (text.charCodeAt(pos) === 0x2e) {
      const fracStart = pos + 1;
      pos = skipDigits(text, fracStart);
      if (pos === fracStart) {
        this.#pos = pos;
        throw this.#fail("invalid number, expected a digit after the decimal point");
      }
      isFloat = true;
    }
    const e = text.charCodeAt(pos);
    if (e === 0x65 || e === 0x45) {
      pos++;
      const sign = text.charCodeAt(pos);
      if (sign === 0x2b || sign === 0x2d) pos++;
      const expStart = pos;
      pos = skipDigits(text, expStart);
      if (pos === expStart) {
        this.#pos = pos;
        throw this.#fail("invalid number, expected exponent digits");
      }
      isFloat = true;
    }
    this.#pos = pos;
    const literal = text.slice(start, pos);
    if (isFloat) return Number(literal);
    if (pos - intStart <= 15) return Number(literal);
    if (pos - intStart > MAX_INT_DIGITS) {
      this.#pos = start;
      throw this.#fail(
        `integer literal of ${pos - intStart} digits exceeds Python's ${MAX_INT_DIGITS}-digit limit`,
      );
    }
    return intFromBigInt(BigInt(literal));
  }

  #string(): string {
    const text = this.#text;
    const start = this.#pos + 1;
    let pos = start;
    // Fast scan: most strings have no escapes.
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        this.#pos = pos + 1;
        return text.slice(start, pos);
      }
      if (c === 0x5c) break;
      if (c < 0x20 || Number.isNaN(c)) {
        this.#pos = pos;
        throw this.#fail(
          Number.isNaN(c) ? "unterminated string" : "invalid control character in string",
        );
      }
      pos++;
    }
    let out = text.slice(start, pos);
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        this.#pos = pos + 1;
        return out;
      }
      if (Number.isNaN(c)) {
        this.#pos = pos;
        throw this.#fail("unterminated string");
      }
      if (c < 0x20) {
        this.#pos = pos;
        throw this.#fail("invalid control character in string");
      }
      if (c !== 0x5c) {
        const next = nextSpecial(text, pos);
        out += text.slice(pos, next);
        pos = next;
        continue;
      }
      const kind = text[pos + 1];
      if (kind === "u") {
        const hex = text.slice(pos + 2, pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          this.#pos = pos;
          throw this.#fail("invalid \\u escape");
        }
        out += String.fromCharCode(parseInt(hex, 16));
        pos += 6;
        continue;
      }
      const escaped = kind === undefined ? undefined : ESCAPES[kind];
      if (escaped === undefined) {
        this.#pos = pos;
        throw this.#fail("invalid escape in string");
      }
      out += escaped;
      pos += 2;
    }
  }

  #array(depth: number): unknown[] {
    if (depth > MAX_DEPTH) throw depthError("json", `at offset ${this.#pos}`);
    this.#pos++;
    const items: unknown[] = [];
    this.#skipWhitespace();
    if (this.#text.charCodeAt(this.#pos) === 0x5d) {
      this.#pos++;
      return items;
    }
    for (;;) {
      items.push(this.#value(depth + 1));
      this.#skipWhitespace();
      const c = this.#text.charCodeAt(this.#pos);
      this.#pos++;
      if (c === 0x5d) return items;
      if (c !== 0x2c) {
        this.#pos--;
        throw this.#fail("expected ',' or ']' in array");
      }
    }
  }

  #object(depth: number): unknown {
    if (depth > MAX_DEPTH) throw depthError("json", `at offset ${this.#pos}`);
    this.#pos++;
    const dict: Record<string, unknown> = {};
    this.#skipWhitespace();
    if (this.#text.charCodeAt(this.#pos) === 0x7d) {
      this.#pos++;
      return dict;
    }
    for (;;) {
      this.#skipWhitespace();
      if (this.#text.charCodeAt(this.#pos) !== 0x22) throw this.#fail("expected a string key");
      const key = this.#string();
      this.#skipWhitespace();
      if (this.#text.charCodeAt(this.#pos) !== 0x3a) throw this.#fail("expected ':' after key");
      this.#pos++;
      setDictEntry(dict, key, this.#value(depth + 1));
      this.#skipWhitespace();
      const c = this.#text.charCodeAt(this.#pos);
      this.#pos++;
      if (c === 0x7d) return reviveIfClassDict(this.#registry, dict);
      if (c !== 0x2c) {
        this.#pos--;
        throw this.#fail("expected ',' or '}' in object");
      }
    }
  }
}

function skipDigits(text: string, pos: number): number {
  for (;;) {
    const c = text.charCodeAt(pos);
    if (c >= 0x30 && c <= 0x39) pos++;
    else return pos;
  }
}

/** The index of the next quote, backslash or control character (or the end). */
function nextSpecial(text: string, pos: number): number {
  for (;;) {
    const c = text.charCodeAt(pos);
    if (c === 0x22 || c === 0x5c || c < 0x20 || Number.isNaN(c)) return pos;
    pos++;
  }
}
