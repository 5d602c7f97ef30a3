/**
 * Writes values as Python's `json.dumps(value, ensure_ascii=False)` does: separators
 * `", "` and `": "`, `NaN`/`Infinity` tokens, integers of any size as digits, and integral
 * floats (`PyFloat`) with a `.0`. Internal; used by the JSON serializer.
 */
import { PyComplex, PyFloat, PyTuple, isPlainObject } from "../values.js";
import type { ClassRegistry } from "./class-registry.js";
import { MAX_DEPTH, depthError, describe, serializeError } from "./codec-util.js";

/** Encode `value` as JSON text. */
export function encodeJson(value: unknown, registry: ClassRegistry): string {
  return encode(value, registry, 0);
}

function encode(value: unknown, registry: ClassRegistry, depth: number): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return numberText(value);
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return value.toString();
    case "undefined":
      return "null";
    case "object":
      if (value === null) return "null";
      if (depth >= MAX_DEPTH) throw depthError("json", "while encoding");
      return encodeObject(value, registry, depth + 1);
    default:
      throw serializeError(
        `json cannot carry a ${typeof value}; pass data (numbers, strings, arrays, objects) instead`,
      );
  }
}

function encodeObject(value: object, registry: ClassRegistry, depth: number): string {
  if (Array.isArray(value)) return encodeItems(value, registry, depth);
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return "{}";
    let out = "{";
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (i > 0) out += ", ";
      out += JSON.stringify(key) + ": " + encode(value[key], registry, depth);
    }
    return out + "}";
  }
  if (value instanceof PyFloat) return floatText(value.value);
  if (value instanceof PyTuple) return encodeItems(value.items, registry, depth);
  if (value instanceof Set) return encodeItems([...(value as Set<unknown>)], registry, depth);
  if (value instanceof Map) return encodeMap(value as Map<unknown, unknown>, registry, depth);
  if (value instanceof Uint8Array) {
    throw serializeError("json cannot carry bytes; use serpent, marshal or msgpack");
  }
  if (value instanceof PyComplex) {
    throw serializeError("json cannot carry complex numbers; use serpent, marshal or msgpack");
  }
  return encode(registry.toSerializable(value, "json"), registry, depth);
}

function encodeItems(items: readonly unknown[], registry: ClassRegistry, depth: number): string {
  const n = items.length;
  if (n === 0) return "[]";
  let out = "[" + encode(items[0], registry, depth);
  for (let i = 1; i < n; i++) out += ", " + encode(items[i], registry, depth);
  return out + "]";
}

function encodeMap(map: Map<unknown, unknown>, registry: ClassRegistry, depth: number): string {
  if (map.size === 0) return "{}";
  let out = "{";
  let first = true;
  for (const [key, item] of map) {
    if (!first) out += ", ";
    first = false;
    out += JSON.stringify(keyText(key)) + ": " + encode(item, registry, depth);
  }
  return out + "}";
}

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
