/**
 * Writes msgpack as Python's `msgpack.unpackb(raw=False, strict_map_key=True)` reads it:
 * str as str, bytes as bin, integral numbers as ints (beyond 64 bits Pyro's ext 0x31),
 * floats always float64, complex as ext 0x30, maps with str keys only. Internal.
 */
import { PyComplex, PyFloat, PyTuple, isPlainObject } from "../values.js";
import { ByteWriter } from "./byte-writer.js";
import type { ClassRegistry } from "./class-registry.js";
import { MAX_DEPTH, depthError, describe, serializeError } from "./codec-util.js";
import { EXT_BIGINT, EXT_COMPLEX } from "./msgpack-decoder.js";

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * Encode `value` as msgpack bytes; `lent` returns the encoder's scratch memory itself (see
 * `ByteWriter.lend`), not a copy.
 */
export function encodeMsgpack(value: unknown, registry: ClassRegistry, lent = false): Uint8Array {
  const writer = new MsgpackWriter(registry);
  writer.write(value, 0);
  return lent ? writer.out.lend() : writer.out.finish();
}

class MsgpackWriter {
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
        // Small ints first: the commonest number, one byte.
        if (value >= 0 && value < 0x80 && (value | 0) === value) this.out.u8(value);
        else if (Number.isSafeInteger(value)) this.#int(value);
        else if (Number.isInteger(value)) this.#bigint(BigInt(value));
        else this.#float(value);
        return;
      case "bigint":
        this.#bigint(value);
        return;
      case "boolean":
        this.out.u8(value ? 0xc3 : 0xc2);
        return;
      case "undefined":
        this.out.u8(0xc0);
        return;
      case "object":
        if (value === null) {
          this.out.u8(0xc0);
          return;
        }
        if (depth >= MAX_DEPTH) throw depthError("msgpack", "while encoding");
        this.#object(value, depth + 1);
        return;
      default:
        throw serializeError(
          `msgpack cannot carry a ${typeof value}; pass data (numbers, strings, arrays, objects) instead`,
        );
    }
  }

  #object(value: object, depth: number): void {
    const out = this.out;
    if (Array.isArray(value)) {
      this.#items(value, depth);
    } else if (isPlainObject(value)) {
      const keys = Object.keys(value);
      this.#header(keys.length, 0x80, 0xde);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        this.#string(key);
        this.write(value[key], depth);
      }
    } else if (value instanceof Uint8Array) {
      const n = value.length;
      if (n < 0x100) {
        out.u8(0xc4);
        out.u8(n);
      } else if (n < 0x10000) {
        out.u8(0xc5);
        out.u16be(n);
      } else {
        out.u8(0xc6);
        out.u32be(n);
      }
      out.bytes(value);
    } else if (value instanceof PyTuple) {
      this.#items(value.items, depth);
    } else if (value instanceof PyFloat) {
      this.#float(value.value);
    } else if (value instanceof PyComplex) {
      out.u8(0xd8);
      out.u8(EXT_COMPLEX);
      out.f64(value.real, true);
      out.f64(value.imag, true);
    } else if (value instanceof Set) {
      this.#items([...(value as Set<unknown>)], depth);
    } else if (value instanceof Map) {
      this.#map(value as Map<unknown, unknown>, depth);
    } else {
      this.write(this.#registry.toSerializable(value, "msgpack"), depth);
    }
  }

  /** A fix-size header (size < 16) or the 16/32-bit form that follows `code16`. */
  #header(size: number, fixBase: number, code16: number): void {
    if (size < 16) {
      this.out.u8(fixBase | size);
    } else if (size < 0x10000) {
      this.out.typeU16be(code16, size);
    } else {
      this.out.typeU32be(code16 + 1, size);
    }
  }

  #items(items: readonly unknown[], depth: number): void {
    const n = items.length;
    this.#header(n, 0x90, 0xdc);
    for (let i = 0; i < n; i++) this.write(items[i], depth);
  }

  #map(map: Map<unknown, unknown>, depth: number): void {
    this.#header(map.size, 0x80, 0xde);
    for (const [key, item] of map) {
      if (typeof key === "string") this.#string(key);
      else if (key instanceof Uint8Array) this.write(key, depth);
      else {
        throw serializeError(
          `msgpack cannot carry a dict key of type ${describe(key)}: Python's msgpack receiver ` +
            "refuses non-str map keys (strict_map_key); convert the keys to str, or use serpent or marshal",
        );
      }
      this.write(item, depth);
    }
  }

  #string(text: string): void {
    const out = this.out;
    if (text.length < 32 && out.headedAscii(0xa0 | text.length, 1, text)) return;
    const guess = headerSize(text.length);
    const byteLength = out.utf8At(text, guess);
    if (byteLength !== text.length && !text.isWellFormed()) throw loneSurrogate();
    const actual = headerSize(byteLength);
    if (actual !== guess) out.shift(guess, actual, byteLength);
    this.#stringHeader(byteLength);
    out.skip(byteLength);
  }

  #stringHeader(byteLength: number): void {
    const out = this.out;
    if (byteLength < 32) {
      out.u8(0xa0 | byteLength);
    } else if (byteLength < 0x100) {
      out.u8(0xd9);
      out.u8(byteLength);
    } else if (byteLength < 0x10000) {
      out.typeU16be(0xda, byteLength);
    } else {
      out.typeU32be(0xdb, byteLength);
    }
  }

  #int(value: number): void {
    const out = this.out;
    if (value >= 0) {
      if (value < 0x80) {
        out.u8(value);
      } else if (value < 0x100) {
        out.u8(0xcc);
        out.u8(value);
      } else if (value < 0x10000) {
        out.typeU16be(0xcd, value);
      } else if (value < 0x100000000) {
        out.typeU32be(0xce, value);
      } else {
        out.u8(0xcf);
        this.#int64Halves(value);
      }
    } else if (value >= -0x20) {
      out.u8(value & 0xff);
    } else if (value >= -0x80) {
      out.u8(0xd0);
      out.u8(value & 0xff);
    } else if (value >= -0x8000) {
      out.typeU16be(0xd1, value & 0xffff);
    } else if (value >= -0x80000000) {
      out.typeU32be(0xd2, value >>> 0);
    } else {
      out.u8(0xd3);
      this.#int64Halves(value);
    }
  }

  /**
   * A safe integer as 8 big-endian bytes (two's complement when negative), written as two
   * 32-bit halves: dividing by 2^32 is exact in doubles, and cheaper than a BigInt.
   */
  #int64Halves(value: number): void {
    const high = Math.floor(value / 0x100000000);
    this.out.u32be(high >>> 0);
    this.out.u32be(value - high * 0x100000000);
  }

  /** Ints up to 64 bits natively, beyond that Pyro's ext 0x31 with decimal digits. */
  #bigint(value: bigint): void {
    const out = this.out;
    if (value >= -9007199254740991n && value <= 9007199254740991n) {
      this.#int(Number(value));
    } else if (value >= 0n && value <= UINT64_MAX) {
      out.u8(0xcf);
      out.u64be(value);
    } else if (value < 0n && value >= INT64_MIN) {
      out.u8(0xd3);
      out.i64be(value);
    } else {
      const digits = value.toString();
      const n = digits.length;
      if (n < 0x100) {
        out.u8(0xc7);
        out.u8(n);
      } else if (n < 0x10000) {
        out.u8(0xc8);
        out.u16be(n);
      } else {
        out.u8(0xc9);
        out.u32be(n);
      }
      out.u8(EXT_BIGINT);
      out.ascii(digits);
    }
  }

  #float(value: number): void {
    this.out.typeF64(0xcb, value, false);
  }
}

/** Bytes of a str header for a UTF-8 length. */
function headerSize(byteLength: number): number {
  return byteLength < 32 ? 1 : byteLength < 0x100 ? 2 : byteLength < 0x10000 ? 3 : 5;
}

function loneSurrogate(): Error {
  return serializeError(
    "msgpack cannot carry a string with a lone surrogate (Python decodes strict UTF-8); " +
      "fix the string, or use marshal or json",
  );
}
