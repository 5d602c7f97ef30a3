/**
 * A growable byte buffer for the encoders (json, marshal, msgpack). Internal.
 */

import { Buffer } from "node:buffer";
import { DECIMAL_MAX_LENGTH, writeDecimal } from "./decimal.js";
import { keepScratch, lendScratch, takeScratch } from "./scratch.js";

const utf8Encoder = new TextEncoder();
const INITIAL_SIZE = 64 * 1024;
/** From this size on, `finish()` copies into memory that is not zero-filled first. */
const LARGE_RESULT_SIZE = 64 * 1024;

/**
 * Appends bytes and fixed-size numbers; `finish()` returns a copy of what was written,
 * `lend()` the written bytes themselves.
 */
export class ByteWriter {
  #bytes: Uint8Array;
  /** Made on first use: most encodes write no float or 64-bit integer. */
  #view: DataView | undefined;
  #pos = 0;

  constructor() {
    // Scratch kept from earlier encodes: no zero-filled allocation and regrowth per call.
    const scratch = takeScratch();
    this.#bytes = scratch === undefined ? new Uint8Array(INITIAL_SIZE) : new Uint8Array(scratch);
  }

  #dataView(): DataView {
    return (this.#view ??= new DataView(this.#bytes.buffer));
  }

  /**
   * Make room for `size` more bytes, keeping the first `ahead` of them when they were
   * written ahead of the position already ({@link utf8At}).
   */
  ensure(size: number, ahead = 0): void {
    if (this.#pos + size > this.#bytes.length) this.#grow(this.#pos + size, this.#pos + ahead);
  }

  #grow(needed: number, keep: number): void {
    const grown = new Uint8Array(Math.max(needed, this.#bytes.length * 2));
    grown.set(this.#bytes.subarray(0, keep));
    this.#bytes = grown;
    this.#view = undefined;
  }

  /** One byte. */
  u8(value: number): void {
    if (this.#pos >= this.#bytes.length) this.ensure(1);
    this.#bytes[this.#pos++] = value;
  }

  /** A big-endian uint16 (msgpack). */
  u16be(value: number): void {
    this.ensure(2);
    const bytes = this.#bytes;
    bytes[this.#pos] = value >>> 8;
    bytes[this.#pos + 1] = value;
    this.#pos += 2;
  }

  /** A type byte followed by a big-endian uint16 (msgpack's uint16 and its sizes). */
  typeU16be(code: number, value: number): void {
    this.ensure(3);
    const bytes = this.#bytes;
    const pos = this.#pos;
    bytes[pos] = code;
    bytes[pos + 1] = value >>> 8;
    bytes[pos + 2] = value;
    this.#pos = pos + 3;
  }

  /** A type byte followed by a big-endian uint32 (msgpack's uint32 and its sizes). */
  typeU32be(code: number, value: number): void {
    this.ensure(5);
    const bytes = this.#bytes;
    const pos = this.#pos;
    bytes[pos] = code;
    bytes[pos + 1] = value >>> 24;
    bytes[pos + 2] = value >>> 16;
    bytes[pos + 3] = value >>> 8;
    bytes[pos + 4] = value;
    this.#pos = pos + 5;
  }

  /** A big-endian uint32 (msgpack). */
  u32be(value: number): void {
    this.ensure(4);
    const bytes = this.#bytes;
    const pos = this.#pos;
    bytes[pos] = value >>> 24;
    bytes[pos + 1] = value >>> 16;
    bytes[pos + 2] = value >>> 8;
    bytes[pos + 3] = value;
    this.#pos = pos + 4;
  }

  /** A little-endian int32 (marshal). */
  i32le(value: number): void {
    this.ensure(4);
    const bytes = this.#bytes;
    const pos = this.#pos;
    bytes[pos] = value;
    bytes[pos + 1] = value >> 8;
    bytes[pos + 2] = value >> 16;
    bytes[pos + 3] = value >> 24;
    this.#pos = pos + 4;
  }

  /** A type byte followed by an i32 LE (marshal's `i`, and its sizes). */
  typeI32le(code: number, value: number): void {
    this.ensure(5);
    const bytes = this.#bytes;
    const pos = this.#pos;
    bytes[pos] = code;
    bytes[pos + 1] = value;
    bytes[pos + 2] = value >> 8;
    bytes[pos + 3] = value >> 16;
    bytes[pos + 4] = value >> 24;
    this.#pos = pos + 5;
  }

  /** A big-endian uint64. */
  u64be(value: bigint): void {
    this.ensure(8);
    this.#dataView().setBigUint64(this.#pos, value);
    this.#pos += 8;
  }

  /** A big-endian int64. */
  i64be(value: bigint): void {
    this.ensure(8);
    this.#dataView().setBigInt64(this.#pos, value);
    this.#pos += 8;
  }

  /** A float64 in the given byte order. */
  f64(value: number, littleEndian: boolean): void {
    this.ensure(8);
    this.#dataView().setFloat64(this.#pos, value, littleEndian);
    this.#pos += 8;
  }

  /** A type byte followed by a float64. */
  typeF64(code: number, value: number, littleEndian: boolean): void {
    this.ensure(9);
    this.#bytes[this.#pos] = code;
    this.#dataView().setFloat64(this.#pos + 1, value, littleEndian);
    this.#pos += 9;
  }

  /** Raw bytes. */
  bytes(data: Uint8Array): void {
    this.ensure(data.length);
    this.#bytes.set(data, this.#pos);
    this.#pos += data.length;
  }

  /** Write text known to be ASCII, one byte per character. */
  ascii(text: string): void {
    const n = text.length;
    this.ensure(n);
    const bytes = this.#bytes;
    let pos = this.#pos;
    for (let i = 0; i < n; i++) bytes[pos++] = text.charCodeAt(i);
    this.#pos = pos;
  }

  /**
   * Write `"text"` when every character is printable ASCII other than `"` and backslash (a
   * JSON string that needs no escape) and return true; else write nothing and return false.
   */
  quotedPlain(text: string): boolean {
    const n = text.length;
    this.ensure(n + 2);
    const bytes = this.#bytes;
    const start = this.#pos;
    bytes[start] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
      bytes[start + 1 + i] = c;
    }
    bytes[start + 1 + n] = 0x22;
    this.#pos = start + n + 2;
    return true;
  }

  /** The decimal text of a safe integer (`decimal.ts`). */
  decimal(value: number): void {
    this.ensure(DECIMAL_MAX_LENGTH);
    this.#pos = writeDecimal(this.#bytes, this.#pos, value);
  }

  /**
   * Write a header of `headLength` (1 or 2) bytes, `head` little-endian, then `text` one
   * byte per character when `text` is all ASCII and return true; else write nothing and
   * return false. For short strings, where a hand loop beats `encodeInto`.
   */
  headedAscii(head: number, headLength: 1 | 2, text: string): boolean {
    const n = text.length;
    this.ensure(n + headLength);
    const bytes = this.#bytes;
    const start = this.#pos;
    const body = start + headLength;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f) return false;
      bytes[body + i] = c;
    }
    bytes[start] = head;
    if (headLength === 2) bytes[start + 1] = head >> 8;
    this.#pos = body + n;
    return true;
  }

  /** Write `text` as UTF-8 (lone surrogates become U+FFFD). */
  utf8(text: string): void {
    this.#pos += this.utf8At(text, 0);
  }

  /**
   * Write `text` as UTF-8 `offset` bytes ahead (room for a header the caller writes next,
   * then `skip(byteLength)`), returning the byte length; it equals `text.length` exactly
   * when the text is ASCII. Lone surrogates become U+FFFD, as with TextEncoder.
   */
  utf8At(text: string, offset: number): number {
    const n = text.length;
    if (n > 32) {
      // Room for one byte a character first: most text is ASCII, and room for three would
      // make the buffer for a 1 MiB text too large to keep as scratch (`scratch.ts`), a
      // new 6 MiB for every such call.
      this.ensure(offset + n);
      const first = utf8Encoder.encodeInto(text, this.#bytes.subarray(this.#pos + offset));
      if (first.read === n) return first.written;
      // At most three bytes for each character left (encodeInto never splits a pair).
      const rest = text.slice(first.read);
      const at = offset + first.written;
      this.ensure(at + 3 * rest.length, at);
      return (
        first.written + utf8Encoder.encodeInto(rest, this.#bytes.subarray(this.#pos + at)).written
      );
    }
    this.ensure(offset + 3 * n);
    const bytes = this.#bytes;
    const start = this.#pos + offset;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f) {
        const rest = bytes.subarray(start + i, start + 3 * n);
        return i + utf8Encoder.encodeInto(text.slice(i), rest).written;
      }
      bytes[start + i] = c;
    }
    return n;
  }

  /** Move `length` bytes written at `pos + from` to `pos + to` (a header turned out longer). */
  shift(from: number, to: number, length: number): void {
    this.ensure(to + length, from + length);
    const start = this.#pos;
    this.#bytes.copyWithin(start + to, start + from, start + from + length);
  }

  /**
   * The bytes after the current position, to the end of the buffer: what {@link utf8At}
   * wrote ahead, and the room beyond it. A view, valid until the next write.
   */
  spare(): Uint8Array {
    return this.#bytes.subarray(this.#pos);
  }

  /** Advance over bytes already written by {@link utf8At}. */
  skip(count: number): void {
    this.#pos += count;
  }

  /**
   * The bytes written, not copied: lent scratch memory to pass to `giveBack` (scratch.ts)
   * once nothing reads it. The writer must not be used afterwards.
   */
  lend(): Uint8Array {
    return lendScratch(this.#bytes.buffer as ArrayBuffer, this.#pos);
  }

  /** A copy of the bytes written; the writer must not be used afterwards. */
  finish(): Uint8Array {
    const size = this.#pos;
    let result: Uint8Array;
    if (size < LARGE_RESULT_SIZE) {
      result = this.#bytes.slice(0, size);
    } else {
      // Not zero-filled first: the copy overwrites every byte (saves ~25% of a 1 MiB finish).
      // A plain Uint8Array over it, like the smaller results.
      result = new Uint8Array(Buffer.allocUnsafeSlow(size).buffer, 0, size);
      result.set(this.#bytes.subarray(0, size));
    }
    keepScratch(this.#bytes.buffer as ArrayBuffer);
    return result;
  }
}
