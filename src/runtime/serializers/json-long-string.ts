/**
 * A long JSON string alone (a large text result) read without `JSON.parse`. Internal.
 *
 * From ~128 KiB on, `JSON.parse` of a string alone makes two large strings, the JSON text
 * and then the value, and V8 gives each string that large pages of its own: a 1 MiB
 * multi-line text cost 4.3–7.5 ms to read that way, 1.1–2.7 ms unescaped here (into kept
 * scratch memory, then one string), and 256 KiB 2.3 ms against 1.2–1.6. Below that size
 * `JSON.parse` is as fast or faster.
 */
import { decodeUtf8 } from "./codec-util.js";
import { ESCAPES } from "./json-parser.js";
import { JSON_ESCAPED, SPARSE_ESCAPES, escapedPositions } from "./plain-text.js";
import { keepScratch, takeScratch } from "./scratch.js";

/** The shortest string (bytes between its quotes) read by {@link longStringText}. */
export const LONG_STRING_MIN = 128 * 1024;

/** The byte each simple escape stands for, by the letter after the backslash (0: none). */
const UNESCAPED = new Uint8Array(128);
for (const [letter, text] of Object.entries(ESCAPES)) {
  UNESCAPED[letter.charCodeAt(0)] = text.charCodeAt(0);
}

/**
 * The text of the JSON string whose bytes between the quotes are `inner`, when its escapes
 * are few and simple (`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`); `undefined` for
 * anything else (`\u` escapes, dense escapes, an unescaped quote or control byte), which
 * `JSON.parse` then reads or refuses. Throws a `serialize` error for invalid UTF-8.
 */
export function longStringText(inner: Uint8Array): string | undefined {
  const positions = escapedPositions(inner, JSON_ESCAPED, SPARSE_ESCAPES);
  if (positions === undefined) return undefined;
  const scratch = takeScratch();
  const out =
    scratch !== undefined && scratch.byteLength >= inner.length
      ? new Uint8Array(scratch)
      : new Uint8Array(inner.length);
  try {
    let written = 0;
    let from = 0;
    for (let k = 0; k < positions.length; k++) {
      const at = positions[k]!;
      // A quote or control byte not after a backslash: not one string.
      if (inner[at] !== 0x5c) return undefined;
      const byte = UNESCAPED[inner[at + 1] ?? 0] ?? 0;
      if (byte === 0) return undefined;
      out.set(inner.subarray(from, at), written);
      written += at - from;
      out[written++] = byte;
      from = at + 2;
      // The escaped byte was itself a quote or backslash, found as a position of its own.
      if (positions[k + 1] === at + 1) k++;
    }
    out.set(inner.subarray(from), written);
    written += inner.length - from;
    return decodeUtf8(out, 0, written, "json");
  } finally {
    // The string is a copy: nothing views this memory any more.
    if (scratch !== undefined) keepScratch(scratch);
    if (out.buffer !== scratch) keepScratch(out.buffer);
  }
}
