/**
 * Writes the reference-free subset of Python's `marshal` format that `marshal.loads`
 * reads in every Python 3: `N T F i l g y s z a u ( [ { < >`. Internal; used by the
 * marshal serializer.
 */
import { PyComplex, PyFloat, PyTuple, isPlainObject } from "../values.js";
import { ByteWriter } from "./byte-writer.js";
import type { ClassRegistry } from "./class-registry.js";
import { MAX_DEPTH, depthError, describe, serializeError } from "./codec-util.js";

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

/**
 * Encode `value` as marshal bytes; `lent` returns the encoder's scratch memory itself (see
 * `ByteWriter.lend`), not a copy.
 */
export function encodeMarshal(value: unknown, registry: ClassRegistry, lent = false): Uint8Array {
  const writer = new MarshalWriter(registry);
  writer.write(value, 0, false);
  return lent ? writer.out.lend() : writer.out.finish();
}

/** Writes marshal values into a {@link ByteWriter}. */
class MarshalWriter {
  readonly out = new ByteWriter();
  readonly #registry: ClassRegistry;

  constructor(registry: ClassRegistry) {
    this.#registry = registry;
  }

  /** Write one value; `asKey` makes arrays tuples and sets frozensets (Python needs hashable keys). */
  write(value: unknown, depth: number, asKey: boolean): void {
    const out = this.out;
    switch (typeof value) {
      case "string":
        this.#string(value);
        return;
      case "number":
        if (Number.isInteger(value)) this.#int(value);
        else this.#float(value);
        return;
      case "bigint":
        this.#bigint(value);
        return;
      case "boolean":
        out.u8(value ? 0x54 : 0x46);
        return;
      case "undefined":
        out.u8(0x4e);
        return;
      case "object":
        if (value === null) {
          out.u8(0x4e);
          return;
        }
        if (depth >= MAX_DEPTH) throw depthError("marshal", "while encoding");
        this.#object(value, depth + 1, asKey);
        return;
      default:
        throw serializeError(
          `marshal cannot carry a ${typeof value}; pass data (numbers, strings, arrays, objects) instead`,
        );
    }
  }

  #object(value: object, depth: number, asKey: boolean): void {
    const out = this.out;
    if (Array.isArray(value)) {
      this.#items(asKey ? 0x28 : 0x5b, value, depth, asKey);
    } else if (isPlainObject(value)) {
      if (asKey) throw unhashableKey(value);
      out.u8(0x7b);
      const keys = Object.keys(value);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        this.#string(key);
        this.write(value[key], depth, false);
      }
      out.u8(0x30);
    } else if (value instanceof Uint8Array) {
      out.typeI32le(0x73, value.length);
      out.bytes(value);
    } else if (value instanceof PyTuple) {
      this.#items(0x28, value.items, depth, asKey);
    } else if (value instanceof PyFloat) {
      this.#float(value.value);
    } else if (value instanceof PyComplex) {
      out.u8(0x79);
      out.f64(value.real, true);
      out.f64(value.imag, true);
    } else if (value instanceof Set) {
      this.#items(asKey ? 0x3e : 0x3c, [...(value as Set<unknown>)], depth, true);
    } else if (value instanceof Map) {
      if (asKey) throw unhashableKey(value);
      out.u8(0x7b);
      for (const [key, item] of value as Map<unknown, unknown>) {
        this.write(key, depth, true);
        this.write(item, depth, false);
      }
      out.u8(0x30);
    } else {
      this.write(this.#registry.toSerializable(value, "marshal"), depth, asKey);
    }
  }

  #items(code: number, items: readonly unknown[], depth: number, asKey: boolean): void {
    const n = items.length;
    this.out.typeI32le(code, n);
    for (let i = 0; i < n; i++) this.write(items[i], depth, asKey);
  }

  /** `z` (short) or `a` for ASCII, `u` for the rest: all read back as the same str. */
  #string(text: string): void {
    const out = this.out;
    const n = text.length;
    // `z` + length byte; most strings are short ASCII.
    if (n < 64 && out.headedAscii(0x7a | (n << 8), 2, text)) return;
    const short = n < 256;
    const byteLength = out.utf8At(text, short ? 2 : 5);
    if (byteLength === n) {
      if (short) {
        out.u8(0x7a);
        out.u8(n);
      } else {
        out.typeI32le(0x61, n);
      }
      out.skip(n);
      return;
    }
    if (!text.isWellFormed()) {
      const encoded = encodeSurrogatePass(text);
      out.typeI32le(0x75, encoded.length);
      out.bytes(encoded);
      return;
    }
    if (short) out.shift(2, 5, byteLength);
    out.typeI32le(0x75, byteLength);
    out.skip(byteLength);
  }

  #int(value: number): void {
    if (value >= INT32_MIN && value <= INT32_MAX) {
      this.out.typeI32le(0x69, value);
    } else if (Number.isSafeInteger(value)) {
      this.#safeLong(value);
    } else {
      this.#bigint(BigInt(value));
    }
  }

  /**
   * A safe integer beyond 32 bits as `l`: 3 base-2^15 digits below 2^45, else 4, found in
   * double arithmetic (exact below 2^53; a BigInt costs several times more).
   */
  #safeLong(value: number): void {
    const out = this.out;
    let magnitude = value < 0 ? -value : value;
    const count = magnitude < 2 ** 45 ? 3 : 4;
    out.u8(0x6c);
    out.i32le(value < 0 ? -count : count);
    out.ensure(count * 2);
    for (let i = 0; i < count; i++) {
      const digit = magnitude % 0x8000;
      out.u8(digit & 0xff);
      out.u8(digit >> 8);
      magnitude = (magnitude - digit) / 0x8000;
    }
  }

  #float(value: number): void {
    this.out.typeF64(0x67, value, true);
  }

  /** `i` when it fits 32 bits, else `l`: signed digit count and base-2^15 digits. */
  #bigint(value: bigint): void {
    const out = this.out;
    if (value >= INT32_MIN && value <= INT32_MAX) {
      out.typeI32le(0x69, Number(value));
      return;
    }
    let magnitude = value < 0n ? -value : value;
    const digits: number[] = [];
    // Peel 45 bits (3 digits, exact as a double) per BigInt step.
    while (magnitude > 0n) {
      let chunk = Number(magnitude & 0x1fffffffffffn);
      magnitude >>= 45n;
      for (let i = 0; i < 3; i++) {
        digits.push(chunk % 0x8000);
        chunk = Math.floor(chunk / 0x8000);
      }
    }
    while (digits.length > 0 && digits[digits.length - 1] === 0) digits.pop();
    out.u8(0x6c);
    out.i32le(value < 0n ? -digits.length : digits.length);
    out.ensure(digits.length * 2);
    for (const digit of digits) {
      out.u8(digit & 0xff);
      out.u8(digit >> 8);
    }
  }
}

function unhashableKey(value: object): Error {
  return serializeError(
    `marshal cannot carry a dict key of type ${describe(value)}: Python dict keys must be hashable ` +
      "(use str, numbers, tuples or frozensets as keys)",
  );
}

/** UTF-8 with lone surrogates as 3-byte sequences, as Python's `surrogatepass` reads them. */
function encodeSurrogatePass(text: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code < 0xdc00 && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low < 0xe000) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (code < 0x80) bytes.push(code);
    else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
    else if (code < 0x10000) {
      bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    } else {
      bytes.push(
        0xf0 | (code >> 18),
        0x80 | ((code >> 12) & 0x3f),
        0x80 | ((code >> 6) & 0x3f),
        0x80 | (code & 0x3f),
      );
    }
  }
  return Uint8Array.from(bytes);
}
