/**
 * The header fields of both generations, read and written byte by byte: for a 24- or
 * 40-byte header this is several times faster than `Buffer`'s `readUInt16BE` and friends,
 * which check their arguments and need a `Buffer` view of the bytes first.
 */

/** The u16 at `at`. */
export function get16(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

/** Write the u16 `value` at `at`. */
export function put16(out: Uint8Array, at: number, value: number): void {
  out[at] = value >>> 8;
  out[at + 1] = value & 0xff;
}

/** The u32 at `at` (unsigned). */
export function get32(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at]! << 24) >>> 0) + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!)
  );
}

/** Write the u32 `value` at `at`. */
export function put32(out: Uint8Array, at: number, value: number): void {
  out[at] = value >>> 24;
  out[at + 1] = (value >>> 16) & 0xff;
  out[at + 2] = (value >>> 8) & 0xff;
  out[at + 3] = value & 0xff;
}
