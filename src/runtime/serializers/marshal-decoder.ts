/**
 * Reads Python's `marshal` format (version 4 and every older type code Python 3 still
 * accepts), as Pyro4 daemons send it: FLAG_REF back-references, longs, sets, complex, and
 * the four string forms (short/long, ASCII/UTF-8). Lengths are checked against the bytes left before
 * anything is allocated. Internal; used by the marshal serializer.
 */
import { Buffer } from "node:buffer";
import { PyComplex, intFromBigInt, setDictEntry } from "../values.js";
import type { ClassRegistry } from "./class-registry.js";
import { asciiKey } from "./key-cache.js";
import {
  MAX_DEPTH,
  bytesValue,
  decodeUtf8,
  depthError,
  reviveIfClassDict,
  serializeError,
  shortAscii,
} from "./codec-util.js";

const FLAG_REF = 0x80;
/** Marks a reserved back-reference slot whose container is still being read. */
const PENDING: unique symbol = Symbol("pending");
const HEX = "0123456789abcdef";
const FLOAT_TEXT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)$/i;

/**
 * Decode one marshal value. Python's own `S` (StopIteration) and `.` (Ellipsis) singletons
 * have no TypeScript counterpart and arrive as `null`; trailing bytes are ignored, as
 * `marshal.loads` does.
 */
export function decodeMarshal(data: Uint8Array, registry: ClassRegistry): unknown {
  return new MarshalReader(data, registry).read(0);
}

class MarshalReader {
  readonly #bytes: Uint8Array;
  /** Views made on first use: most small replies need neither. */
  #dataView: DataView | undefined;
  #latin1View: Buffer | undefined;
  readonly #registry: ClassRegistry;
  readonly #refs: unknown[] = [];
  #pos = 0;

  constructor(bytes: Uint8Array, registry: ClassRegistry) {
    this.#bytes = bytes;
    this.#registry = registry;
  }

  get #view(): DataView {
    const bytes = this.#bytes;
    return (this.#dataView ??= new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  get #buffer(): Buffer {
    const bytes = this.#bytes;
    return (this.#latin1View ??= Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  #fail(what: string, at = this.#pos): Error {
    return serializeError(`marshal: ${what} at offset ${at}`);
  }

  #need(count: number, what: string): void {
    if (count > this.#bytes.length - this.#pos) {
      throw this.#fail(
        `${what} needs ${count} bytes but only ${this.#bytes.length - this.#pos} are left (truncated or corrupt payload)`,
      );
    }
  }

  #u8(): number {
    this.#need(1, "a type byte");
    return this.#bytes[this.#pos++]!;
  }

  #i32(what: string): number {
    this.#need(4, what);
    const value = this.#view.getInt32(this.#pos, true);
    this.#pos += 4;
    return value;
  }

  /** A non-negative i32 size of items that each take at least `minItemSize` bytes. */
  #size(what: string, minItemSize: number): number {
    const at = this.#pos;
    const size = this.#i32(`the ${what} length`);
    if (size < 0) throw this.#fail(`negative ${what} length ${size}`, at);
    if (size * minItemSize > this.#bytes.length - this.#pos) {
      throw this.#fail(
        `${what} length ${size} exceeds the ${this.#bytes.length - this.#pos} bytes left (truncated or corrupt payload)`,
        at,
      );
    }
    return size;
  }

  #f64(): number {
    this.#need(8, "a float");
    const value = this.#view.getFloat64(this.#pos, true);
    this.#pos += 8;
    return value;
  }

  /** Keep `value` in the back-reference list when its type byte had FLAG_REF. */
  #ref<T>(flag: number, value: T): T {
    if (flag !== 0) this.#refs.push(value);
    return value;
  }

  read(depth: number): unknown {
    const at = this.#pos;
    const code = this.#u8();
    const flag = code & FLAG_REF;
    switch (code & ~FLAG_REF) {
      case 0x4e: // N
        return null;
      case 0x54: // T
        return true;
      case 0x46: // F
        return false;
      case 0x53: // S StopIteration
      case 0x2e: // . Ellipsis
        return null;
      case 0x69: // i
        return this.#ref(flag, this.#i32("an int"));
      case 0x49: // I (old 64-bit int)
        this.#need(8, "a 64-bit int");
        this.#pos += 8;
        return this.#ref(flag, intFromBigInt(this.#view.getBigInt64(this.#pos - 8, true)));
      case 0x6c: // l
        return this.#ref(flag, this.#long());
      case 0x67: // g
        return this.#ref(flag, this.#f64());
      case 0x66: // f
        return this.#ref(flag, this.#floatText());
      case 0x79: // y
        return this.#ref(flag, new PyComplex(this.#f64(), this.#f64()));
      case 0x78: // x
        return this.#ref(flag, new PyComplex(this.#floatText(), this.#floatText()));
      case 0x73: // s
        return this.#ref(flag, this.#bytesValue(this.#size("bytes", 1)));
      case 0x74: // t
      case 0x75: // u
        return this.#ref(flag, this.#utf8(this.#size("str", 1)));
      case 0x61: // a
      case 0x41: // A
        return this.#ref(flag, this.#latin1(this.#size("str", 1)));
      case 0x7a: // z
      case 0x5a: // Z
        return this.#ref(flag, this.#latin1(this.#shortSize()));
      case 0x28: // (
        return this.#sequence(flag, this.#size("tuple", 1), depth);
      case 0x29: // )
        return this.#sequence(flag, this.#shortSize(), depth);
      case 0x5b: // [
        return this.#sequence(flag, this.#size("list", 1), depth);
      case 0x7b: // {
        return this.#dict(flag, depth, at);
      case 0x3c: // <
      case 0x3e: // >
        return this.#set(flag, this.#size("set", 1), depth, at);
      case 0x72: // r
        return this.#backReference(at);
      case 0x30:
        throw this.#fail("unexpected NULL (type '0') outside a dict", at);
      case 0x63:
        throw this.#fail("code objects (type 'c') are refused; Pyro never sends them", at);
      default:
        throw this.#fail(`unknown type code 0x${code.toString(16).padStart(2, "0")}`, at);
    }
  }

  #shortSize(): number {
    this.#need(1, "a length byte");
    return this.#bytes[this.#pos++]!;
  }

  #bytesValue(length: number): Uint8Array {
    const start = this.#pos;
    this.#pos += length;
    return bytesValue(this.#bytes, start, this.#pos);
  }

  #latin1(length: number): string {
    this.#need(length, "a str");
    const start = this.#pos;
    this.#pos += length;
    // One byte a character either way: short ones are cheaper built in JS than natively.
    if (length <= 16) return shortAscii(this.#bytes, start, length);
    return this.#buffer.toString("latin1", start, this.#pos);
  }

  #utf8(length: number): string {
    const start = this.#pos;
    this.#pos += length;
    try {
      return decodeUtf8(this.#bytes, start, this.#pos, "marshal");
    } catch (error) {
      // Python writes lone surrogates as 3-byte sequences ("surrogatepass").
      const text = decodeSurrogatePass(this.#bytes, start, this.#pos);
      if (text === undefined) throw error;
      return text;
    }
  }

  #floatText(): number {
    const at = this.#pos;
    const text = this.#latin1(this.#shortSize());
    if (!FLOAT_TEXT.test(text)) throw this.#fail(`invalid float text ${JSON.stringify(text)}`, at);
    const lower = text.toLowerCase();
    if (lower.endsWith("nan")) return NaN;
    if (lower.endsWith("inf") || lower.endsWith("infinity")) {
      return text.startsWith("-") ? -Infinity : Infinity;
    }
    return Number(text);
  }

  /** `l`: signed digit count, then base-2^15 digits, least significant first. */
  #long(): number | bigint {
    const at = this.#pos;
    const n = this.#i32("a long's digit count");
    const count = Math.abs(n);
    if (count * 2 > this.#bytes.length - this.#pos) {
      throw this.#fail(`long of ${count} digits exceeds the bytes left`, at);
    }
    const bytes = this.#bytes;
    const start = this.#pos;
    this.#pos += count * 2;
    // In doubles first: exact while the value is below 2^53, and past it still above it.
    let value = 0;
    let scale = 1;
    for (let i = 0; i < count; i++) {
      const digit = bytes[start + 2 * i]! | (bytes[start + 2 * i + 1]! << 8);
      if (digit >= 0x8000) throw this.#fail("long digit out of range", start + 2 * i);
      value += digit * scale;
      scale *= 0x8000;
    }
    if (value <= Number.MAX_SAFE_INTEGER) return n < 0 ? -value : value;
    let acc = 0;
    let bits = 0;
    const hex: string[] = [];
    for (let i = 0; i < count; i++) {
      acc |= (bytes[start + 2 * i]! | (bytes[start + 2 * i + 1]! << 8)) << bits;
      bits += 15;
      while (bits >= 4) {
        hex.push(HEX[acc & 15]!);
        acc >>>= 4;
        bits -= 4;
      }
    }
    if (bits > 0) hex.push(HEX[acc]!);
    const magnitude = BigInt(`0x${hex.reverse().join("")}`);
    return intFromBigInt(n < 0 ? -magnitude : magnitude);
  }

  /**
   * Reserve the back-reference slot of a container about to be read; it holds
   * {@link PENDING} until {@link #fill} stores the finished container.
   */
  #reserve(flag: number): number {
    if (flag === 0) return -1;
    this.#refs.push(PENDING);
    return this.#refs.length - 1;
  }

  #fill<T>(slot: number, value: T): T {
    if (slot >= 0) this.#refs[slot] = value;
    return value;
  }

  #sequence(flag: number, size: number, depth: number): unknown[] {
    if (depth >= MAX_DEPTH) throw depthError("marshal", `at offset ${this.#pos}`);
    const slot = this.#reserve(flag);
    const items = new Array<unknown>(size);
    for (let i = 0; i < size; i++) items[i] = this.read(depth + 1);
    return this.#fill(slot, items);
  }

  #set(flag: number, size: number, depth: number, at: number): Set<unknown> {
    if (depth >= MAX_DEPTH) throw depthError("marshal", `at offset ${at}`);
    const slot = this.#reserve(flag);
    const set = new Set<unknown>();
    for (let i = 0; i < size; i++) set.add(this.read(depth + 1));
    return this.#fill(slot, set);
  }

  #dict(flag: number, depth: number, at: number): unknown {
    if (depth >= MAX_DEPTH) throw depthError("marshal", `at offset ${at}`);
    const slot = this.#reserve(flag);
    let dict: Record<string, unknown> | null = {};
    let map: Map<unknown, unknown> | null = null;
    for (;;) {
      this.#need(1, "a dict key or the dict terminator");
      if (this.#bytes[this.#pos] === 0x30) {
        this.#pos++;
        break;
      }
      const key = this.#key() ?? this.read(depth + 1);
      const value = this.read(depth + 1);
      if (dict !== null && typeof key === "string") {
        setDictEntry(dict, key, value);
        continue;
      }
      if (dict !== null) {
        map = new Map(Object.entries(dict));
        dict = null;
      }
      map!.set(key, value);
    }
    return this.#fill(slot, dict === null ? map : reviveIfClassDict(this.#registry, dict));
  }

  /**
   * A dict key that is a short ASCII str (`z`, `Z`), through the key cache; `undefined`,
   * with nothing read, for any other key.
   */
  #key(): string | undefined {
    const bytes = this.#bytes;
    const at = this.#pos;
    const code = bytes[at]! & ~FLAG_REF;
    if (code !== 0x7a && code !== 0x5a) return undefined;
    const length = bytes[at + 1];
    if (length === undefined || at + 2 + length > bytes.length) return undefined;
    const key = asciiKey(bytes, at + 2, length);
    if (key === undefined) return undefined;
    this.#pos = at + 2 + length;
    return this.#ref(bytes[at]! & FLAG_REF, key);
  }

  #backReference(at: number): unknown {
    const index = this.#i32("a reference index");
    if (index < 0 || index >= this.#refs.length) {
      throw this.#fail(`back-reference ${index} to one of ${this.#refs.length} stored objects`, at);
    }
    const value = this.#refs[index];
    if (value === PENDING) {
      throw this.#fail(
        "back-reference to a container that is still being read (a value that would contain itself)",
        at,
      );
    }
    return value;
  }
}

/**
 * UTF-8 that may contain lone surrogates written as 3-byte sequences, as Python's
 * `surrogatepass` produces them; `undefined` if the bytes are not even that.
 */
function decodeSurrogatePass(bytes: Uint8Array, start: number, end: number): string | undefined {
  const units: number[] = [];
  let text = "";
  for (let i = start; i < end;) {
    const b0 = bytes[i]!;
    const size = b0 < 0x80 ? 1 : b0 < 0xc2 ? 0 : b0 < 0xe0 ? 2 : b0 < 0xf0 ? 3 : b0 < 0xf5 ? 4 : 0;
    if (size === 0 || i + size > end) return undefined;
    let code = size === 1 ? b0 : b0 & (0xff >> (size + 1));
    for (let k = 1; k < size; k++) {
      const b = bytes[i + k]!;
      if ((b & 0xc0) !== 0x80) return undefined;
      code = (code << 6) | (b & 0x3f);
    }
    if ((size === 3 && code < 0x800) || (size === 4 && (code < 0x10000 || code > 0x10ffff))) {
      return undefined;
    }
    if (code >= 0x10000) {
      units.push(0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 0x3ff));
    } else {
      units.push(code);
    }
    if (units.length > 4096) {
      text += String.fromCharCode(...units);
      units.length = 0;
    }
    i += size;
  }
  return text + String.fromCharCode(...units);
}
