/**
 * Python values that have no natural TypeScript counterpart, and the markers a caller uses
 * to say which Python type a TypeScript value must become on the wire.
 *
 * The full mapping (see docs/values.md): None ↔ `null`, bool ↔ `boolean`, int ↔ `number`
 * (`bigint` beyond 2^53), float ↔ `number`, str ↔ `string`, bytes ↔ `Uint8Array`,
 * list/tuple → `Array`, set → `Set`, dict with str keys ↔ plain object, other dicts ↔ `Map`,
 * complex ↔ {@link PyComplex}.
 */

/** A Python tuple to send. Received tuples arrive as plain arrays. */
export class PyTuple {
  readonly items: readonly unknown[];
  constructor(items: readonly unknown[]) {
    this.items = items;
  }
}

/** A number that must arrive in Python as a float even when it is integral (`1.0`). */
export class PyFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

/** A Python complex number, in both directions. */
export class PyComplex {
  readonly real: number;
  readonly imag: number;
  constructor(real: number, imag: number) {
    this.real = real;
    this.imag = imag;
  }
}

/** Mark values to be sent as a Python tuple: `tuple(1, "a")` arrives as `(1, 'a')`. */
export function tuple(...items: unknown[]): PyTuple {
  return new PyTuple(items);
}

/** Mark a number to be sent as a Python float: `float(2)` arrives as `2.0`. */
export function float(value: number): PyFloat {
  return new PyFloat(value);
}

/** A Python complex number `real + imag j`. */
export function complex(real: number, imag: number): PyComplex {
  return new PyComplex(real, imag);
}

/**
 * True for a plain object literal (prototype `Object.prototype` or `null`), which serializes
 * as a dict with string keys. Class instances are not plain: they go through the class
 * registry.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Set `key` on a decoded dict without ever touching `Object.prototype`: a `__proto__` key
 * from the wire becomes an ordinary own property.
 */
export function setDictEntry(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}

/** A Python int as the mapping delivers it: a `number` when safe, else a `bigint`. */
export function intFromBigInt(value: bigint): number | bigint {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
}
