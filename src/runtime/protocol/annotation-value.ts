/**
 * Annotation values as the frame codecs hand them out: copies, not views into the memory a
 * message was read into. The values are small (Pyro4 puts a 16-byte `CORR` on every reply),
 * and a copy lets that memory be read into again once the payload is decoded, while a
 * caller keeps the annotations (a proxy's `$responseAnnotations`).
 */

/** The bytes of `bytes` from `start` to `end` in memory of their own (a `Buffer` for a `Buffer`). */
export function copyOf(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return Uint8Array.prototype.slice.call(bytes, start, end);
}
