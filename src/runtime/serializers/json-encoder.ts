/**
 * Writes values as Python's `json.dumps(value, ensure_ascii=False)` does: separators
 * `", "` and `": "`, `NaN`/`Infinity` tokens, integers of any size as digits, and integral
 * floats (`PyFloat`) with a `.0`. Internal; used by the JSON serializer.
 */
import { PyComplex, PyFloat, PyTuple, isPlainObject } from "../values.js";
import { ByteWriter } from "./byte-writer.js";
import type { ClassRegistry } from "./class-registry.js";
import { MAX_DEPTH, depthError, describe, serializeError } from "./codec-util.js";
import { JSON_ESCAPED, escapeInPlace, escapedLength, type EscapeTable } from "./plain-text.js";

/**
 * Encode `value` as UTF-8 JSON bytes; `lent` returns the encoder's scratch memory itself (see
 * `ByteWriter.lend`), not a copy.
 */
export function encodeJson(value: unknown, registry: ClassRegistry, lent = false): Uint8Array {
  const writer = new JsonWriter(registry);
  writer.write(value, 0);
  return lent ? writer.out.lend() : writer.out.finish();
}

/**
 * Writes straight into bytes: building a string and encoding it afterwards spent most of
 * its time flattening the concatenated string.
 */
class JsonWriter {
  readonly out = new ByteWriter();
  readonly #registry: ClassRegistry;

  constructor(registry: ClassRegistry) {
    this.#registry = registry;
  }

  write(value: unknown, depth: number): void {
    switch (typeof value) {
      case "string":
        this.#string(value);
        return;
      case "number":
        if (Number.isSafeInteger(value)) this.out.decimal(value);
        else this.out.ascii(numberText(value));
        return;
      case "boolean":
        this.out.ascii(value ? "true" : "false");
        return;
      case "bigint":
        this.out.ascii(value.toString());
        return;
      case "undefined":
        this.out.ascii("null");
        return;
      case "object":
        if (value === null) {
          this.out.ascii("null");
          return;
        }
        if (depth >= MAX_DEPTH) throw depthError("json", "while encoding");
        this.#object(value, depth + 1);
        return;
      default:
        throw serializeError(
          `json cannot carry a ${typeof value}; pass data (numbers, strings, arrays, objects) instead`,
        );
    }
  }

  /**
   * Short plain strings go by a hand loop. Long ones are encoded, then the bytes to escape
   * found in the encoding (faster than checking the text) and escaped in place. Short
   * strings with escapes and lone surrogates (which UTF-8 cannot carry) get
   * `JSON.stringify`'s escapes, which match Python's.
   */
  #string(text: string): void {
    const out = this.out;
    if (text.length <= 64) {
      if (out.quotedPlain(text)) return;
    } else if (text.isWellFormed()) {
      const length = out.utf8At(text, 1);
      // Every byte JSON escapes has its text: never -1.
      const escaped = escapedLength(out.spare().subarray(1, 1 + length), JSON_ESCAPES);
      out.ensure(escaped + 2, 1 + length);
      out.skip(escapeInPlace(out.spare(), 1, length, escaped, JSON_ESCAPES));
      return;
    }
    out.utf8(JSON.stringify(text));
  }

  #object(value: object, depth: number): void {
    const out = this.out;
    if (Array.isArray(value)) {
      this.#items(value, depth);
    } else if (isPlainObject(value)) {
      const keys = Object.keys(value);
      out.u8(0x7b);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        if (i > 0) out.ascii(", ");
        this.#string(key);
        out.ascii(": ");
        this.write(value[key], depth);
      }
      out.u8(0x7d);
    } else if (value instanceof PyFloat) {
      out.ascii(floatText(value.value));
    } else if (value instanceof PyTuple) {
      this.#items(value.items, depth);
    } else if (value instanceof Set) {
      this.#items([...(value as Set<unknown>)], depth);
    } else if (value instanceof Map) {
      this.#map(value as Map<unknown, unknown>, depth);
    } else if (value instanceof Uint8Array) {
      throw serializeError("json cannot carry bytes; use serpent, marshal or msgpack");
    } else if (value instanceof PyComplex) {
      throw serializeError("json cannot carry complex numbers; use serpent, marshal or msgpack");
    } else {
      this.write(this.#registry.toSerializable(value, "json"), depth);
    }
  }

  #items(items: readonly unknown[], depth: number): void {
    const out = this.out;
    const n = items.length;
    out.u8(0x5b);
    for (let i = 0; i < n; i++) {
      if (i > 0) out.ascii(", ");
      this.write(items[i], depth);
    }
    out.u8(0x5d);
  }

  #map(map: Map<unknown, unknown>, depth: number): void {
    const out = this.out;
    out.u8(0x7b);
    let first = true;
    for (const [key, item] of map) {
      if (!first) out.ascii(", ");
      first = false;
      this.#string(keyText(key));
      out.ascii(": ");
      this.write(item, depth);
    }
    out.u8(0x7d);
  }
}

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  0x08: "b",
  0x09: "t",
  0x0a: "n",
  0x0c: "f",
  0x0d: "r",
};

/**
 * What JSON writes, as Python's `json.dumps` does, for each byte it escapes in a string, by
 * value (up to the backslash).
 */
const ESCAPE_TEXTS: readonly (string | undefined)[] = Array.from({ length: 0x5d }, (_, byte) => {
  if (byte === 0x22 || byte === 0x5c) return `\\${String.fromCharCode(byte)}`;
  if (byte >= 0x20) return undefined;
  const short = SHORT_ESCAPES[byte];
  return short === undefined ? `\\u${byte.toString(16).padStart(4, "0")}` : `\\${short}`;
});

/** What a long string's escaped bytes become. */
const JSON_ESCAPES: EscapeTable = { ...JSON_ESCAPED, texts: ESCAPE_TEXTS };

/** A dict key as Python's json module turns it into a string. */
function keyText(key: unknown): string {
  if (typeof key === "string") return key;
  if (typeof key === "number")
    return Number.isInteger(key) ? numberText(key) : pythonFloatRepr(key);
  if (typeof key === "bigint") return key.toString();
  if (typeof key === "boolean") return key ? "true" : "false";
  if (key === null || key === undefined) return "null";
  if (key instanceof PyFloat) return pythonFloatRepr(key.value);
  throw serializeError(
    `json cannot carry a dict key of type ${describe(key)} (only str, int, float, bool, None); ` +
      "use serpent or marshal",
  );
}

/** An integral number is an int, anything else a float. */
function numberText(value: number): string {
  if (Number.isSafeInteger(value)) return String(value);
  if (Number.isInteger(value)) return BigInt(value).toString();
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "Infinity";
  if (value === -Infinity) return "-Infinity";
  return String(value);
}

/** A number that must arrive as a Python float, integral or not. */
function floatText(value: number): string {
  if (!Number.isFinite(value)) return numberText(value);
  if (Object.is(value, -0)) return "-0.0";
  const text = String(value);
  return Number.isInteger(value) && !text.includes("e") ? `${text}.0` : text;
}

/** Python's `repr(float)`: exponent form outside 1e-4 ≤ |x| < 1e16, else fixed with `.0`. */
function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const [mantissa, exponentText] = value.toExponential().split("e") as [string, string];
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 16) {
    const text = String(value);
    return Number.isInteger(value) ? `${text}.0` : text;
  }
  const sign = exponent < 0 ? "-" : "+";
  return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
}
