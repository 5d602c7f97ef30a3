/**
 * Strict structural comparison of decoded values for the serializer tests: number vs
 * bigint, -0 vs 0, plain Uint8Array, Map keys by value, Sets as multisets, plain objects by
 * own keys (a `__proto__` key must be an own property and the prototype untouched),
 * PyComplex, Date, and remote PyroErrors by type and args.
 */
import { PyroError } from "../../src/runtime/errors.js";
import { PyComplex } from "../../src/runtime/values.js";

/** `null` when `actual` matches `expected`, else a description of the first difference. */
export function difference(actual: unknown, expected: unknown, path = "$"): string | null {
  if (typeof expected !== "object" || expected === null) {
    if (typeof actual !== typeof expected || !Object.is(actual, expected)) {
      return `${path}: got ${show(actual)}, expected ${show(expected)}`;
    }
    return null;
  }
  if (typeof actual !== "object" || actual === null) {
    return `${path}: got ${show(actual)}, expected ${show(expected)}`;
  }
  if (expected instanceof Uint8Array) {
    if (!(actual instanceof Uint8Array) || actual.constructor !== Uint8Array) {
      return `${path}: got ${show(actual)}, expected a plain Uint8Array`;
    }
    if (actual.length !== expected.length || actual.some((b, i) => b !== expected[i])) {
      return `${path}: bytes differ`;
    }
    return null;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: got ${show(actual)}, expected an array`;
    if (actual.length !== expected.length) {
      return `${path}: array length ${actual.length}, expected ${expected.length}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const diff = difference(actual[i], expected[i], `${path}[${i}]`);
      if (diff !== null) return diff;
    }
    return null;
  }
  if (expected instanceof Set) return setDifference(actual, expected, path);
  if (expected instanceof Map) return mapDifference(actual, expected, path);
  if (expected instanceof PyComplex) {
    if (!(actual instanceof PyComplex)) return `${path}: got ${show(actual)}, expected a PyComplex`;
    return (
      difference(actual.real, expected.real, `${path}.real`) ??
      difference(actual.imag, expected.imag, `${path}.imag`)
    );
  }
  if (expected instanceof Date) {
    if (!(actual instanceof Date) || actual.getTime() !== expected.getTime()) {
      return `${path}: got ${show(actual)}, expected ${expected.toISOString()}`;
    }
    return null;
  }
  if (expected instanceof PyroError) {
    if (!(actual instanceof PyroError)) return `${path}: got ${show(actual)}, expected a PyroError`;
    if (actual.code !== expected.code || actual.remote?.type !== expected.remote?.type) {
      return `${path}: got PyroError ${actual.code} ${actual.remote?.type}, expected ${expected.code} ${expected.remote?.type}`;
    }
    return difference(actual.remote?.args, expected.remote?.args, `${path}.args`);
  }
  return objectDifference(actual, expected as Record<string, unknown>, path);
}

function objectDifference(
  actual: object,
  expected: Record<string, unknown>,
  path: string,
): string | null {
  if (Object.getPrototypeOf(actual) !== Object.prototype) {
    return `${path}: got ${show(actual)}, expected a plain object`;
  }
  const actualKeys = Reflect.ownKeys(actual).sort();
  const expectedKeys = Reflect.ownKeys(expected).sort();
  if (actualKeys.join("\u0000") !== expectedKeys.join("\u0000")) {
    return `${path}: keys ${actualKeys.map(String).join(",")}, expected ${expectedKeys.map(String).join(",")}`;
  }
  const record = actual as Record<string, unknown>;
  for (const key of Object.keys(expected)) {
    const diff = difference(record[key], expected[key], `${path}.${key}`);
    if (diff !== null) return diff;
  }
  return null;
}

function setDifference(actual: object, expected: Set<unknown>, path: string): string | null {
  if (!(actual instanceof Set)) return `${path}: got ${show(actual)}, expected a Set`;
  if (actual.size !== expected.size)
    return `${path}: set size ${actual.size}, expected ${expected.size}`;
  const unmatched = [...actual];
  for (const item of expected) {
    const index = unmatched.findIndex((candidate) => difference(candidate, item) === null);
    if (index < 0) return `${path}: set lacks ${show(item)}`;
    unmatched.splice(index, 1);
  }
  return null;
}

function mapDifference(
  actual: object,
  expected: Map<unknown, unknown>,
  path: string,
): string | null {
  if (!(actual instanceof Map)) return `${path}: got ${show(actual)}, expected a Map`;
  if (actual.size !== expected.size)
    return `${path}: map size ${actual.size}, expected ${expected.size}`;
  for (const [key, value] of expected) {
    let found = actual.has(key) && (typeof key !== "object" || key === null);
    let actualValue = found ? actual.get(key) : undefined;
    if (!found) {
      for (const [candidate, candidateValue] of actual) {
        if (difference(candidate, key) === null) {
          found = true;
          actualValue = candidateValue;
          break;
        }
      }
    }
    if (!found) return `${path}: map lacks key ${show(key)}`;
    const diff = difference(actualValue, value, `${path}[${show(key)}]`);
    if (diff !== null) return diff;
  }
  return null;
}

function show(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "string")
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value !== "object" || value === null) return String(value);
  const name = (value as { constructor?: { name?: string } }).constructor?.name ?? "Object";
  return name;
}
