/**
 * The json serializer (id 2): UTF-8 JSON as Pyro4's `JsonSerializer` writes it
 * (`json.dumps(ensure_ascii=False)`), including Python's `NaN`/`Infinity` tokens and
 * integers beyond 2^53.
 */
import { setDictEntry } from "../values.js";
import { MAX_DEPTH, decodeUtf8, depthError, guardDecode, guardEncode } from "./codec-util.js";
import { ClassRegistry } from "./class-registry.js";
import { encodeJson } from "./json-encoder.js";
import { ESCAPES, parseJson } from "./json-parser.js";
import { LONG_STRING_MIN, unescapedText } from "./long-string.js";
import { JSON_ESCAPED, isPlain, simpleEscapes, type UnescapeTable } from "./plain-text.js";
import type { Serializer } from "./serializer.js";

const SHORT_TEXT = 256;

/** json's simple escapes, for a long string read alone (`\u` escapes are not this simple). */
export const JSON_UNESCAPES: UnescapeTable = simpleEscapes(
  0x22,
  Object.entries(ESCAPES).map(([letter, text]) => [letter.charCodeAt(0), text] as const),
);

/** Pyro4's json serializer. Sets and tuples go as arrays; bytes and complex cannot go. */
export class JsonSerializer implements Serializer {
  readonly name = "json" as const;
  readonly registry: ClassRegistry;

  constructor(registry: ClassRegistry = new ClassRegistry()) {
    this.registry = registry;
  }

  dumps(value: unknown, lent = false): Uint8Array {
    return guardEncode("json", () => encodeJson(value, this.registry, lent));
  }

  /** json has no tuples: an array. */
  dumpsTuple(items: readonly unknown[], lent = false): Uint8Array {
    return this.dumps(items, lent);
  }

  loads(data: Uint8Array): unknown {
    return guardDecode("json", () => {
      const end = data.length - 1;
      // A long string alone (a text result): what is between its quotes, when nothing there
      // needs unescaping. Checking the bytes is several times faster than `JSON.parse`.
      if (end >= SHORT_TEXT && data[0] === 0x22 && data[end] === 0x22) {
        const inner = data.subarray(1, end);
        if (isPlain(inner, JSON_ESCAPED)) return decodeUtf8(data, 1, end, "json");
        // With simple escapes only, a long one is unescaped without JSON.parse.
        const text =
          inner.length >= LONG_STRING_MIN
            ? unescapedText(inner, 1, JSON_UNESCAPES, "json")
            : undefined;
        if (text !== undefined) return text;
      }
      return this.#parse(decodeUtf8(data, 0, data.length, "json"));
    });
  }

  #parse(text: string): unknown {
    // Short texts: the custom parser is as fast, and broken ones cost one error, not two.
    if (text.length < SHORT_TEXT) return parseJson(text, this.registry);
    let value: unknown;
    try {
      // Python's NaN/Infinity tokens make it throw: the custom parser reads them.
      value = JSON.parse(text);
    } catch {
      // The custom parser reports where and why the text is broken.
      return parseJson(text, this.registry);
    }
    // JSON.parse rounds integers beyond 2^53: such a number sends the text to the exact
    // parser (a float literal like 1e300 too, which it keeps a float). Checking the parsed
    // values costs far less than scanning the text for long digit runs.
    const checked = walk(value, this.registry, 1);
    return checked === INEXACT ? parseJson(text, this.registry) : checked;
  }
}

/** What {@link walk} returns when a number may not be what the text said. */
const INEXACT = Symbol("inexact");

/**
 * Revive class dicts bottom-up and enforce the depth cap on what `JSON.parse` built; stop
 * with {@link INEXACT} at an integral number beyond ±2^53−1 or an infinite one.
 */
function walk(value: unknown, registry: ClassRegistry, depth: number): unknown {
  if (typeof value === "number") {
    // Integral beyond 2^53, or overflowed to ±Infinity (a 309+ digit literal).
    const exact =
      Number.isFinite(value) && (!Number.isInteger(value) || Number.isSafeInteger(value));
    return exact ? value : INEXACT;
  }
  if (typeof value !== "object" || value === null) return value;
  if (depth > MAX_DEPTH) throw depthError("json", "in the payload");
  if (Array.isArray(value)) {
    const items = value as unknown[];
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (typeof item === "string") continue;
      const checked = walk(item, registry, depth + 1);
      if (checked === INEXACT) return INEXACT;
      if (checked !== item) items[i] = checked;
    }
    return items;
  }
  const dict = value as Record<string, unknown>;
  for (const key of Object.keys(dict)) {
    const item = dict[key];
    if (typeof item === "string") continue;
    const checked = walk(item, registry, depth + 1);
    if (checked === INEXACT) return INEXACT;
    if (checked !== item) setDictEntry(dict, key, checked);
  }
  return typeof dict["__class__"] === "string" ? registry.revive(dict) : dict;
}
