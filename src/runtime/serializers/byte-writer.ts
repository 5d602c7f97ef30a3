/**
 * A growable byte buffer for the binary encoders (marshal, msgpack). Internal.
 */
import { encodeUtf8 } from "./codec-util.js";

/** Appends bytes and fixed-size numbers; `finish()` returns a copy of what was written. */
export class ByteWriter {
  #bytes: Uint8Array;
  #view: DataView;
  #pos = 0;

  constructor(initialSize = 256) {
    this.#bytes = new Uint8Array(initialSize);
    this.#view = new DataView(this.#bytes.buffer);
  }

  /** Make room for `size` more bytes. */
  ensure(size: number): void {
    const needed = this.#pos + size;
    if (needed <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.max(needed, this.#bytes.length * 2));
    grown.set(this.#bytes.subarray(0, this.#pos));
    this.#bytes = grown;
    this.#view = new DataView(grown.buffer);
  }

  u8(value: number): void {
    this.ensure(1);
    this.#bytes[this.#pos++] = value;
  }

  u16be(value: number): void {
    this.ensure(2);
    this.#view.setUint16(this.#pos, value);
    this.#pos += 2;
  }

  u32be(value: number): void {
    this.ensure(4);
    this.#view.setUint32(this.#pos, value);
    this.#pos += 4;
  }

  i32le(value: number): void {
    this.ensure(4);
    this.#view.setInt32(this.#pos, value, true);
    this.#pos += 4;
  }

  u64be(value: bigint): void {
    this.ensure(8);
    this.#view.setBigUint64(this.#pos, value);
    this.#pos += 8;
  }

  i64be(value: bigint): void {
    this.ensure(8);
    this.#view.setBigInt64(this.#pos, value);
    this.#pos += 8;
  }

  f64(value: number, littleEndian: boolean): void {
    this.ensure(8);
    this.#view.setFloat64(this.#pos, value, littleEndian);
    this.#pos += 8;
  }

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
   * Write `text` as UTF-8 behind a length header that `writeHeader(byteLength, ascii)`
   * writes (it may throw to refuse the text); short ASCII goes byte by byte, the rest
   * through TextEncoder.
   */
  string(text: string, writeHeader: (byteLength: number, ascii: boolean) => void): void {
    const n = text.length;
    if (n < 64) {
      let ascii = true;
      for (let i = 0; i < n; i++) {
        if (text.charCodeAt(i) > 0x7f) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        writeHeader(n, true);
        this.ascii(text);
        return;
      }
    }
    const encoded = encodeUtf8(text);
    writeHeader(encoded.length, encoded.length === n);
    this.bytes(encoded);
  }

  /** A copy of the bytes written so far. */
  finish(): Uint8Array {
    return this.#bytes.slice(0, this.#pos);
  }
}
