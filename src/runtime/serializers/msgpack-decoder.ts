/**
 * Reads msgpack as Pyro4's `MsgpackSerializer` writes it: str/bin, ints up to
 * 64 bits (exact; `bigint` beyond ±2^53−1), maps with any keys, and Pyro's ext types
 * 0x30 complex, 0x31 big int, 0x32 datetime and 0x33 date. Lengths are checked against
 * the bytes left before anything is allocated. Internal; used by the msgpack serializer.
 */
import { PyComplex, intFromBigInt, setDictEntry } from "../values.js";
import type { ClassRegistry } from "./class-registry.js";
import { asciiKey } from "./key-cache.js";
import {
  MAX_DEPTH,
  bytesValue,
  MAX_INT_DIGITS,
  decodeUtf8,
  depthError,
  reviveIfClassDict,
  serializeError,
  shortAscii,
} from "./codec-util.js";

/** Pyro's msgpack extension type codes. */
export const EXT_COMPLEX = 0x30;
export const EXT_BIGINT = 0x31;
export const EXT_DATETIME = 0x32;
export const EXT_DATE = 0x33;

/** Days from 0001-01-01 (ordinal 1) to 1970-01-01. */
const ORDINAL_1970 = 719163;
const MAX_ORDINAL = 3652059; // 9999-12-31
const DAY_MS = 86_400_000;

/**
 * Decode one msgpack value. Python's ext types become: complex → `PyComplex`, big int →
 * `bigint`, datetime → `Date` (the same instant; Python wrote a local-time timestamp),
 * date → an ISO date string `"YYYY-MM-DD"` (as serpent and json deliver dates).
 */
export function decodeMsgpack(data: Uint8Array, registry: ClassRegistry): unknown {
  const reader = new MsgpackReader(data, registry);
  const value = reader.read(0);
  reader.expectEnd();
  return value;
}

class MsgpackReader {
  readonly #bytes: Uint8Array;
  readonly #registry: ClassRegistry;
  #pos = 0;
  /** Made on first use: most small replies (a short str, a fixint) never need one. */
  #dataView: DataView | undefined;

  constructor(bytes: Uint8Array, registry: ClassRegistry) {
    this.#bytes = bytes;
    this.#registry = registry;
  }

  get #view(): DataView {
    const bytes = this.#bytes;
    return (this.#dataView ??= new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  expectEnd(): void {
    if (this.#pos < this.#bytes.length) {
      throw this.#fail(`${this.#bytes.length - this.#pos} extra bytes after the value`);
    }
  }

  #fail(what: string, at = this.#pos): Error {
    return serializeError(`msgpack: ${what} at offset ${at}`);
  }

  /**
   * The 64-bit int in the 8 bytes just read: a number from its two 32-bit halves (exact while
   * it is safe, and past that never safe-looking), else a BigInt.
   */
  #int64(signed: boolean): number | bigint {
    const view = this.#view;
    const at = this.#pos - 8;
    const high = signed ? view.getInt32(at) : view.getUint32(at);
    const value = high * 0x100000000 + view.getUint32(at + 4);
    if (Number.isSafeInteger(value)) return value;
    return intFromBigInt(signed ? view.getBigInt64(at) : view.getBigUint64(at));
  }

  #need(count: number, what: string, at: number): void {
    if (count > this.#bytes.length - this.#pos) {
      throw this.#fail(
        `${what} needs ${count} bytes but only ${this.#bytes.length - this.#pos} are left (truncated or corrupt payload)`,
        at,
      );
    }
  }

  read(depth: number): unknown {
    const bytes = this.#bytes;
    const at = this.#pos;
    if (at >= bytes.length) this.#need(1, "a value", at);
    const head = bytes[at]!;
    this.#pos = at + 1;
    // The fixed-size forms carry almost every value: test them before the switch.
    if (head < 0x80) return head;
    if (head >= 0xa0) {
      if (head < 0xc0) return this.#str(head & 0x1f, at);
      if (head >= 0xe0) return head - 0x100;
    } else if (head >= 0x90) {
      return this.#array(head & 0x0f, depth, at);
    } else {
      return this.#map(head & 0x0f, depth, at);
    }
    const view = this.#view;
    switch (head) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.#bin(this.#length(1, at), at);
      case 0xc5:
        return this.#bin(this.#length(2, at), at);
      case 0xc6:
        return this.#bin(this.#length(4, at), at);
      case 0xc7:
        return this.#ext(this.#length(1, at), at);
      case 0xc8:
        return this.#ext(this.#length(2, at), at);
      case 0xc9:
        return this.#ext(this.#length(4, at), at);
      case 0xca:
        this.#need(4, "a float32", at);
        this.#pos += 4;
        return view.getFloat32(this.#pos - 4);
      case 0xcb:
        if (this.#pos + 8 > this.#bytes.length) this.#need(8, "a float64", at);
        this.#pos += 8;
        return view.getFloat64(this.#pos - 8);
      case 0xcc:
        return this.#length(1, at);
      case 0xcd:
        return this.#length(2, at);
      case 0xce:
        return this.#length(4, at);
      case 0xcf:
        this.#need(8, "a uint64", at);
        this.#pos += 8;
        return this.#int64(false);
      case 0xd0:
        this.#need(1, "an int8", at);
        return view.getInt8(this.#pos++);
      case 0xd1:
        this.#need(2, "an int16", at);
        this.#pos += 2;
        return view.getInt16(this.#pos - 2);
      case 0xd2:
        this.#need(4, "an int32", at);
        this.#pos += 4;
        return view.getInt32(this.#pos - 4);
      case 0xd3:
        this.#need(8, "an int64", at);
        this.#pos += 8;
        return this.#int64(true);
      case 0xd4:
        return this.#ext(1, at);
      case 0xd5:
        return this.#ext(2, at);
      case 0xd6:
        return this.#ext(4, at);
      case 0xd7:
        return this.#ext(8, at);
      case 0xd8:
        return this.#ext(16, at);
      case 0xd9:
        return this.#str(this.#length(1, at), at);
      case 0xda:
        return this.#str(this.#length(2, at), at);
      case 0xdb:
        return this.#str(this.#length(4, at), at);
      case 0xdc:
        return this.#array(this.#length(2, at), depth, at);
      case 0xdd:
        return this.#array(this.#length(4, at), depth, at);
      case 0xde:
        return this.#map(this.#length(2, at), depth, at);
      case 0xdf:
        return this.#map(this.#length(4, at), depth, at);
      default:
        throw this.#fail(`invalid type byte 0x${head.toString(16)}`, at);
    }
  }

  /** An unsigned big-endian length (or uint) of `size` bytes. */
  #length(size: 1 | 2 | 4, at: number): number {
    this.#need(size, "a length", at);
    const pos = this.#pos;
    this.#pos += size;
    if (size === 1) return this.#bytes[pos]!;
    if (size === 2) return this.#view.getUint16(pos);
    return this.#view.getUint32(pos);
  }

  #str(length: number, at: number): string {
    const bytes = this.#bytes;
    const start = this.#pos;
    if (length > bytes.length - start) this.#need(length, "a str", at);
    const end = start + length;
    this.#pos = end;
    // Short ASCII strings (keys, names) are cheaper to build in JS than via a native call.
    if (length <= 16) {
      for (let i = start; i < end; i++) {
        if (bytes[i]! > 0x7f) return decodeUtf8(bytes, start, end, "msgpack");
      }
      return shortAscii(bytes, start, length);
    }
    return decodeUtf8(bytes, start, end, "msgpack");
  }

  /** A fixstr map key through the key cache (falls back to {@link #str} for the rest). */
  #key(length: number): string {
    const at = this.#pos++;
    const start = at + 1;
    if (start + length <= this.#bytes.length) {
      const key = asciiKey(this.#bytes, start, length);
      if (key !== undefined) {
        this.#pos = start + length;
        return key;
      }
    }
    return this.#str(length, at);
  }

  #bin(length: number, at: number): Uint8Array {
    this.#need(length, "a bin", at);
    this.#pos += length;
    return bytesValue(this.#bytes, this.#pos - length, this.#pos);
  }

  #array(size: number, depth: number, at: number): unknown[] {
    if (depth >= MAX_DEPTH) throw depthError("msgpack", `at offset ${at}`);
    // Every item takes at least one byte. (The message is built only on failure.)
    if (size > this.#bytes.length - this.#pos) this.#need(size, `an array of ${size} items`, at);
    const items = new Array<unknown>(size);
    for (let i = 0; i < size; i++) items[i] = this.read(depth + 1);
    return items;
  }

  #map(size: number, depth: number, at: number): unknown {
    if (depth >= MAX_DEPTH) throw depthError("msgpack", `at offset ${at}`);
    if (size * 2 > this.#bytes.length - this.#pos) {
      this.#need(size * 2, `a map of ${size} entries`, at);
    }
    let dict: Record<string, unknown> | null = {};
    let map: Map<unknown, unknown> | null = null;
    // Only a dict with a `__class__` key can be a class dict: skip the revive lookup otherwise.
    let hasClass = false;
    for (let i = 0; i < size; i++) {
      const head = this.#bytes[this.#pos];
      const key =
        head !== undefined && head >= 0xa0 && head < 0xc0
          ? this.#key(head & 0x1f)
          : this.read(depth + 1);
      const value = this.read(depth + 1);
      if (dict !== null && typeof key === "string") {
        if (key === "__class__") hasClass = true;
        setDictEntry(dict, key, value);
        continue;
      }
      if (dict !== null) {
        map = new Map(Object.entries(dict));
        dict = null;
      }
      map!.set(key, value);
    }
    if (dict === null) return map;
    return hasClass ? reviveIfClassDict(this.#registry, dict) : dict;
  }

  #ext(length: number, at: number): unknown {
    this.#need(length + 1, "an ext", at);
    const type = this.#view.getInt8(this.#pos);
    const start = this.#pos + 1;
    this.#pos = start + length;
    const view = this.#view;
    switch (type) {
      case EXT_COMPLEX:
        if (length !== 16) throw this.#fail(`complex ext of ${length} bytes (expected 16)`, at);
        return new PyComplex(view.getFloat64(start, true), view.getFloat64(start + 8, true));
      case EXT_BIGINT:
        return this.#bigint(start, length, at);
      case EXT_DATETIME:
        if (length !== 8) throw this.#fail(`datetime ext of ${length} bytes (expected 8)`, at);
        return new Date(view.getFloat64(start, true) * 1000);
      case EXT_DATE:
        return this.#date(start, length, at);
      default:
        throw this.#fail(`unknown ext type ${type} (Pyro uses 0x30-0x33)`, at);
    }
  }

  #bigint(start: number, length: number, at: number): number | bigint {
    let text = "";
    for (let i = start; i < start + length; i++) text += String.fromCharCode(this.#bytes[i]!);
    if (!/^-?\d+$/.test(text)) {
      throw this.#fail(
        `big int ext holds ${JSON.stringify(text.slice(0, 40))}, not decimal digits`,
        at,
      );
    }
    if (length > MAX_INT_DIGITS + 1) {
      throw this.#fail(
        `big int ext of ${length} digits exceeds Python's ${MAX_INT_DIGITS}-digit limit`,
        at,
      );
    }
    return intFromBigInt(BigInt(text));
  }

  /** A C long day ordinal (8 bytes, or 4 from a Windows sender) → `"YYYY-MM-DD"`. */
  #date(start: number, length: number, at: number): string {
    let ordinal: number;
    if (length === 8) ordinal = Number(this.#view.getBigInt64(start, true));
    else if (length === 4) ordinal = this.#view.getInt32(start, true);
    else throw this.#fail(`date ext of ${length} bytes (expected 8 or 4)`, at);
    if (ordinal < 1 || ordinal > MAX_ORDINAL) {
      throw this.#fail(`date ordinal ${ordinal} is outside 0001-01-01..9999-12-31`, at);
    }
    return new Date((ordinal - ORDINAL_1970) * DAY_MS).toISOString().slice(0, 10);
  }
}
